/**
 * The turn runner: one queue per conversation, so its turns run one at a time and in order.
 * A turn publishes, in this order (API.md "WebSocket"):
 *   stream_start -> stream_chunk... -> (assistant message committed) -> stream_end
 *   -> action_card -> the events services raised during the turn -> conversation_updated (title)
 * A failed turn is stream_start -> stream_end (the stored explanation) -> error. Whatever
 * happens inside, a started turn always ends with stream_end, unless its reply was deleted
 * meanwhile (`message_deleted` went out; nothing more is sent for it).
 * While a reply streams, its text so far is saved now and then (off the hot path), so a crash
 * leaves a `failed` row with (almost) all of it. The auto-title runs after the turn, outside
 * the conversation's queue.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { EventSink } from '../../realtime/events.js';
import { appActionFields } from './app-metadata.js';
import type { StoredCard } from './cards.js';
import { failureOutcome, type TurnIO, type TurnOutcome } from './turn-handler.js';
import { toConversation } from './chat.mappers.js';
import type { MessageStatus, MessageType } from './chat.schemas.js';
import type { ConversationsRepository } from './conversations.repository.js';
import type { MessagesRepository } from './messages.repository.js';
import { createStreamCheckpoints } from './stream-checkpoints.js';

export type TurnJob = (io: TurnIO) => Promise<TurnOutcome>;

export interface TurnRequest {
  conversationId: string;
  assistantMessageId: string;
  userMessageId: string | null;
  run: TurnJob;
  /** The user's words, for the auto-title after the first turn of an untitled conversation. */
  titleFrom?: string;
}

export interface Titler {
  title(text: string, opts: { useLlm: boolean; signal?: AbortSignal }): Promise<string>;
}

export interface TurnLog {
  error(obj: object, msg: string): void;
}

export interface TurnRunnerDeps {
  db: Kysely<DB>;
  conversations: ConversationsRepository;
  messages: MessagesRepository;
  publish: EventSink;
  clock: Clock;
  titler: Titler;
  log?: TurnLog;
}

export type TurnRunner = ReturnType<typeof createTurnRunner>;

interface TurnState {
  conversationId: string;
  /** The user message answered; null once it is deleted. */
  userMessageId: string | null;
  abort: AbortController;
  /** Stopped by `stop` (not by a shutdown): the reply is `stopped`. */
  byUser: boolean;
  /** The reply is being deleted: nothing more is sent for it. */
  dropped: boolean;
  /** Settles once the reply's closing frames are out (before the auto-title). */
  ended: Promise<void>;
  markEnded: () => void;
  /** Lets a deferred turn start (see `enqueue`). */
  start: () => void;
}

const CHUNK_TARGET = 24;
/** The longest the auto-title waits for the LLM before it takes the first words. */
const TITLE_WAIT_MS = 1_500;
/** A deferred turn starts by itself after this long, whatever happened to its response. */
const START_FALLBACK_MS = 10_000;

/** Splits a ready-made reply into word-boundary chunks so it streams like a generated one. */
export function chunkText(text: string): string[] {
  const parts = text.match(/\S+\s*|\s+/g) ?? [];
  const chunks: string[] = [];
  let current = '';
  for (const part of parts) {
    current += part;
    if (current.length >= CHUNK_TARGET) {
      chunks.push(current);
      current = '';
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

export function createTurnRunner(deps: TurnRunnerDeps) {
  const { publish } = deps;
  const tails = new Map<string, Promise<void>>();
  /** Replies still queued or streaming, by assistant message id. */
  const turns = new Map<string, TurnState>();
  /** Every turn not finished yet, for shutdown. */
  const live = new Set<TurnState>();
  /** Auto-titles still being written (they run after their turn, outside the queue). */
  const titles = new Set<Promise<void>>();
  /** Conversations whose auto-title is being written. */
  const titling = new Set<string>();
  /** Aborted at shutdown: stops the auto-titles' LLM calls. */
  const shutdown = new AbortController();
  let closing = false;
  const checkpoints = createStreamCheckpoints(
    (batch) =>
      deps.db.transaction().execute(async (trx) => {
        for (const [id, content] of batch) await deps.messages.saveStreaming(id, content, trx);
      }),
    (err) => deps.log?.error({ err }, 'could not save the streamed text'),
  );

  /** What the reply stores as metadata and `stream_end` carries: the card and the apps' flat fields. */
  function replyMetadata(outcome: TurnOutcome, card: StoredCard | null): Record<string, unknown> {
    const metadata: Record<string, unknown> = { ...(outcome.metadata ?? {}) };
    if (card) Object.assign(metadata, appActionFields(card), { card });
    return metadata;
  }

  async function commit(req: TurnRequest, outcome: TurnOutcome, card: StoredCard | null): Promise<boolean> {
    const failed = Boolean(outcome.error);
    const metadata = replyMetadata(outcome, card);
    const messageType: MessageType = failed
      ? 'system'
      : card
        ? 'action_card'
        : (outcome.messageType ?? 'text');
    const status: MessageStatus = failed ? 'failed' : (outcome.status ?? 'complete');
    const now = deps.clock.now().toISOString();
    return deps.db.transaction().execute(async (trx) => {
      const updated = await deps.messages.update(
        req.assistantMessageId,
        {
          content: outcome.content,
          status,
          intent: outcome.intent,
          message_type: messageType,
          metadata: Object.keys(metadata).length ? JSON.stringify(metadata) : null,
        },
        trx,
      );
      if (updated) await deps.conversations.update(req.conversationId, { updated_at: now }, trx);
      return updated;
    });
  }

  async function autoTitle(req: TurnRequest, useLlm: boolean, signal: AbortSignal): Promise<void> {
    if (req.titleFrom === undefined || closing) return;
    const current = await deps.conversations.find(req.conversationId);
    if (!current || current.title !== '') return;
    const title = await deps.titler.title(req.titleFrom, { useLlm, signal });
    if (!title) return;
    // Only fill a title nobody set in the meantime.
    const res = await deps.db
      .updateTable('conversations')
      .set({ title })
      .where('id', '=', req.conversationId)
      .where('title', '=', '')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return;
    const row = await deps.conversations.findWithPreview(req.conversationId);
    if (row)
      publish('conversation_updated', {
        conversation_id: row.id,
        title: row.title,
        conversation: toConversation(row),
      });
  }

  /**
   * The auto-title, after the turn has ended and outside the conversation's queue, so it never
   * holds the next turn up. The LLM gets TITLE_WAIT_MS; then the first words of the message do.
   */
  function titleLater(req: TurnRequest, useLlm: boolean): void {
    // One title at a time per conversation: a later turn does not start a second one.
    if (req.titleFrom === undefined || closing || titling.has(req.conversationId)) return;
    titling.add(req.conversationId);
    const signal = AbortSignal.any([shutdown.signal, AbortSignal.timeout(TITLE_WAIT_MS)]);
    const work: Promise<void> = autoTitle(req, useLlm, signal)
      .catch((err: unknown) => {
        deps.log?.error({ err, conversation_id: req.conversationId }, 'auto-title failed');
      })
      .finally(() => {
        titles.delete(work);
        titling.delete(req.conversationId);
      });
    titles.add(work);
  }

  async function execute(req: TurnRequest, state: TurnState): Promise<void> {
    const id = req.assistantMessageId;
    // The reply or its conversation may have been deleted while it waited.
    const row = await deps.messages.find(id);
    if (!row || row.status !== 'streaming') return;
    // So may the user message it answers: then the reply goes too.
    if (state.userMessageId !== null && !(await deps.messages.find(state.userMessageId))) {
      if (await deps.messages.delete(id))
        publish('message_deleted', { id, conversation_id: req.conversationId });
      return;
    }

    // Services' events, released (in order) after the reply's closing frames.
    const held: Array<() => void> = [];
    let index = 0;
    let streamed = '';
    let checkpointing = true;
    const io: TurnIO = {
      conversationId: req.conversationId,
      assistantMessageId: id,
      get userMessageId() {
        return state.userMessageId;
      },
      signal: state.abort.signal,
      emit(delta) {
        if (!delta || state.dropped) return;
        streamed += delta;
        publish('stream_chunk', { message_id: id, content: delta, index: index++ });
        if (checkpointing) checkpoints.update(id, streamed);
      },
      publish: (type, data) => {
        held.push(() => publish(type, data));
      },
    };

    publish('stream_start', { message_id: id, conversation_id: req.conversationId });

    let outcome: TurnOutcome;
    if (state.abort.signal.aborted) {
      outcome = { content: '', intent: null, status: 'stopped' };
    } else {
      try {
        outcome = await req.run(io);
      } catch (err) {
        deps.log?.error({ err, message_id: id }, 'chat turn failed');
        outcome = failureOutcome(err);
      }
    }
    // From here the commit below writes the text (ready-made replies that stream after this
    // point are committed at once: no checkpoints for them).
    checkpointing = false;
    checkpoints.forget(id);
    // A shutdown (not `stop`) cut the turn short: `failed`, truncated, keeping the text so far.
    const cutByShutdown =
      closing &&
      state.abort.signal.aborted &&
      !state.byUser &&
      (Boolean(outcome.error) || outcome.status === 'stopped');
    if (cutByShutdown)
      outcome = {
        content: streamed,
        intent: outcome.intent,
        status: 'failed',
        usage: outcome.usage ?? null,
        metadata: { ...(outcome.error ? {} : outcome.metadata), truncated: true },
      };
    // Ready-made replies (confirmations) stream as chunks too; a failure streams nothing.
    if (!outcome.error && !cutByShutdown && index === 0 && outcome.content)
      for (const chunk of chunkText(outcome.content)) io.emit(chunk);
    if (!outcome.error && outcome.status === 'stopped' && !outcome.content) outcome.content = streamed;

    const card: StoredCard | null =
      outcome.card && !outcome.error ? { message_id: id, ...outcome.card } : null;
    let commitError: unknown = null;
    let stored = false;
    try {
      stored = await commit(req, outcome, card);
    } catch (err) {
      commitError = err;
      deps.log?.error({ err, message_id: id }, 'could not store the chat reply');
    }
    if (state.dropped || (!stored && !commitError)) {
      // The reply was deleted while it streamed (`message_deleted` went out): nothing more for
      // it. What services did during the turn still happened, so their events still go out.
      for (const release of held) release();
      state.markEnded();
      return;
    }

    const metadata = replyMetadata(outcome, card);
    publish('stream_end', {
      message_id: id,
      conversation_id: req.conversationId,
      full_content: outcome.content,
      intent: outcome.intent,
      usage: outcome.usage ?? null,
      metadata: Object.keys(metadata).length ? metadata : null,
    });
    if (card) {
      const { message_id, card_type, payload, actions } = card;
      publish('action_card', { message_id, card_type, payload, actions });
    }
    // Every error frame of a turn has the apps' `stream_error` beside it (COMPAT.md).
    const fail = (code: string, message: string) => {
      publish('error', { message_id: id, code, message });
      publish('stream_error', { message_id: id, conversation_id: req.conversationId, error: message });
    };
    if (outcome.error) fail(outcome.error.code, outcome.error.message);
    else if (commitError) fail('INTERNAL_ERROR', 'The reply could not be stored');
    else if (cutByShutdown) fail('INTERNAL_ERROR', 'The server shut down before the reply was finished');
    for (const release of held) release();
    state.markEnded();
    titleLater(req, Boolean(outcome.llmAvailable));
  }

  return {
    /**
     * Queues a turn behind the conversation's running ones. `done` settles once the reply has
     * ended (its closing frames are out); then the queue moves on (the auto-title runs apart).
     * With `deferStart` the turn also waits for `start()` (POST /api/chat/send calls it once
     * its 202 is written, so `stream_start` never overtakes the 202); it starts by itself after
     * START_FALLBACK_MS, or at shutdown, so it can never be left waiting.
     */
    enqueue(
      req: TurnRequest,
      opts: { deferStart?: boolean } = {},
    ): { done: Promise<void>; start: () => void } {
      let markEnded!: () => void;
      const ended = new Promise<void>((resolve) => (markEnded = resolve));
      let start: () => void = () => {};
      let gate: Promise<void> = Promise.resolve();
      if (opts.deferStart) {
        let open!: () => void;
        gate = new Promise<void>((resolve) => (open = resolve));
        const fallback = setTimeout(() => start(), START_FALLBACK_MS);
        fallback.unref();
        start = () => {
          clearTimeout(fallback);
          open();
        };
      }
      const state: TurnState = {
        conversationId: req.conversationId,
        userMessageId: req.userMessageId,
        abort: new AbortController(),
        byUser: false,
        dropped: false,
        ended,
        markEnded: () => {
          turns.delete(req.assistantMessageId);
          markEnded();
        },
        start,
      };
      const previous = tails.get(req.conversationId) ?? Promise.resolve();
      const finished = previous
        .then(() => gate)
        .then(async () => {
          try {
            if (!closing) await execute(req, state);
          } catch (err) {
            // execute() handles its own failures; this is a last guard so the queue never stalls.
            deps.log?.error({ err, message_id: req.assistantMessageId }, 'chat turn crashed');
          } finally {
            state.markEnded();
            live.delete(state);
          }
        });
      turns.set(req.assistantMessageId, state);
      live.add(state);
      tails.set(req.conversationId, finished);
      void finished.then(() => {
        if (tails.get(req.conversationId) === finished) tails.delete(req.conversationId);
      });
      if (closing) start();
      return { done: ended, start };
    },

    /** Stops a streaming (or still queued) reply; false when it is not running. */
    stop(messageId: string): boolean {
      const state = turns.get(messageId);
      if (!state) return false;
      state.byUser = true;
      state.abort.abort();
      return true;
    },

    /** A reply is being deleted: its turn stops and sends nothing more. */
    drop(messageId: string): void {
      const state = turns.get(messageId);
      if (!state) return;
      state.dropped = true;
      state.abort.abort();
    },

    /**
     * A user message is being deleted: the replies queued or streaming for it are dropped (their
     * work no longer links items to it) and their ids returned, for the caller to delete.
     */
    dropRepliesTo(userMessageId: string): string[] {
      const ids: string[] = [];
      for (const [id, state] of turns) {
        if (state.userMessageId !== userMessageId) continue;
        state.userMessageId = null;
        state.dropped = true;
        state.abort.abort();
        ids.push(id);
      }
      return ids;
    },

    /** Resolves when that reply's turn has ended (at once when it is not running). */
    whenDone(messageId: string): Promise<void> {
      return turns.get(messageId)?.ended ?? Promise.resolve();
    },

    isActive: (messageId: string): boolean => turns.has(messageId),

    /** Stops every turn of a conversation (it is being deleted). */
    abortConversation(conversationId: string): void {
      for (const state of live) if (state.conversationId === conversationId) state.abort.abort();
    },

    /** Shutdown: queued turns do not start, running ones are stopped and awaited (bounded). */
    async close(): Promise<void> {
      closing = true;
      shutdown.abort();
      for (const state of live) {
        state.abort.abort();
        state.start();
      }
      const pending = [...tails.values(), ...titles];
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(pending),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 5_000);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      await checkpoints.flush();
    },
  };
}
