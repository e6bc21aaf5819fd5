/**
 * The turn runner: one queue per conversation, so its turns run one at a time and in order.
 * A turn publishes, in this order (API.md "WebSocket"):
 *   stream_start -> stream_chunk... -> (assistant message committed) -> stream_end
 *   -> action_card -> the events services raised during the turn -> conversation_updated (title)
 * A failed turn is stream_start -> stream_end (the stored explanation) -> error. Whatever
 * happens inside, a started turn always ends with stream_end.
 */
import type { Kysely } from 'kysely';
import { AiUnavailableError, type Usage } from '../../ai/types.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, type ErrorCode } from '../../lib/errors.js';
import type { EventSink, ServerFrame } from '../../realtime/events.js';
import type { Card, StoredCard } from './cards.js';
import { toConversation } from './chat.mappers.js';
import type { MessageStatus, MessageType } from './chat.schemas.js';
import type { ConversationsRepository } from './conversations.repository.js';
import type { MessagesRepository } from './messages.repository.js';

/** What a turn's work sees: where its text streams and where services' events are held. */
export interface TurnIO {
  conversationId: string;
  assistantMessageId: string;
  userMessageId: string | null;
  /** Aborted by `stop` (and at shutdown). */
  signal: AbortSignal;
  /** Streams a text delta as the next `stream_chunk`. */
  emit(delta: string): void;
  /** Pass as `WriteContext.publish`: events are held and released after the reply's card. */
  publish: EventSink;
}

/** What a turn produced; the runner stores it and sends the closing frames. */
export interface TurnOutcome {
  content: string;
  intent: string | null;
  card?: Card | null;
  /** Default: `action_card` with a card, else `text`; a failure is always `system`. */
  messageType?: MessageType;
  /** Default `complete`; an error makes it `failed`. */
  status?: MessageStatus;
  usage?: Usage | null;
  /** Extra metadata to store (`truncated`, `pending`, ...); the card is added by the runner. */
  metadata?: Record<string, unknown>;
  /** A failed turn: the content is the explanation, and an `error` frame follows stream_end. */
  error?: { code: ErrorCode; message: string } | null;
  /** The LLM answered during this turn (an LLM-written title is worth trying). */
  llmAvailable?: boolean;
}

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
  abort: AbortController;
  /** Settles once the reply's closing frames are out (before the auto-title). */
  ended: Promise<void>;
  markEnded: () => void;
}

const CHUNK_TARGET = 24;

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

/** The stored explanation and the error frame for something that went wrong inside a turn. */
export function failureOutcome(err: unknown, intent: string | null = null): TurnOutcome {
  if (err instanceof AiUnavailableError)
    return {
      content:
        "I can't reach the AI provider right now, so I can't answer that. I can still manage your todos, events and memos.",
      intent,
      error: { code: 'AI_UNAVAILABLE', message: err.message || 'The AI provider is unreachable' },
    };
  if (err instanceof AppError && err.status < 500)
    return {
      content: `I couldn't do that: ${err.message}.`,
      intent,
      error: { code: err.code, message: err.message },
    };
  return {
    content: 'Something went wrong while answering. Please try again.',
    intent,
    error: { code: 'INTERNAL_ERROR', message: 'The reply could not be completed' },
  };
}

export function createTurnRunner(deps: TurnRunnerDeps) {
  const { publish } = deps;
  const tails = new Map<string, Promise<void>>();
  /** Replies still queued or streaming, by assistant message id. */
  const turns = new Map<string, TurnState>();
  /** Every turn not finished yet (auto-title included), for shutdown. */
  const live = new Set<TurnState>();
  let closing = false;

  async function commit(req: TurnRequest, outcome: TurnOutcome, card: StoredCard | null): Promise<boolean> {
    const failed = Boolean(outcome.error);
    const metadata: Record<string, unknown> = { ...(outcome.metadata ?? {}) };
    if (card) metadata.card = card;
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

  async function execute(req: TurnRequest, state: TurnState): Promise<void> {
    const id = req.assistantMessageId;
    // The reply or its conversation may have been deleted while it waited.
    const row = await deps.messages.find(id);
    if (!row || row.status !== 'streaming') return;

    const held: ServerFrame[] = [];
    let index = 0;
    let streamed = '';
    const io: TurnIO = {
      conversationId: req.conversationId,
      assistantMessageId: id,
      userMessageId: req.userMessageId,
      signal: state.abort.signal,
      emit(delta) {
        if (!delta) return;
        streamed += delta;
        publish('stream_chunk', { message_id: id, content: delta, index: index++ });
      },
      publish: (type, data) => {
        held.push({ type, data });
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
    // Ready-made replies (confirmations) stream as chunks too; a failure streams nothing.
    if (!outcome.error && index === 0 && outcome.content)
      for (const chunk of chunkText(outcome.content)) io.emit(chunk);
    if (!outcome.error && outcome.status === 'stopped' && !outcome.content) outcome.content = streamed;

    const card: StoredCard | null =
      outcome.card && !outcome.error ? { message_id: id, ...outcome.card } : null;
    let commitError: unknown = null;
    try {
      await commit(req, outcome, card);
    } catch (err) {
      commitError = err;
      deps.log?.error({ err, message_id: id }, 'could not store the chat reply');
    }

    publish('stream_end', {
      message_id: id,
      conversation_id: req.conversationId,
      full_content: outcome.content,
      intent: outcome.intent,
      usage: outcome.usage ?? null,
    });
    if (card) {
      const { message_id, card_type, payload, actions } = card;
      publish('action_card', { message_id, card_type, payload, actions });
    }
    if (outcome.error) publish('error', { message_id: id, ...outcome.error });
    else if (commitError)
      publish('error', { message_id: id, code: 'INTERNAL_ERROR', message: 'The reply could not be stored' });
    for (const frame of held) publish(frame.type, frame.data as never);
    state.markEnded();

    try {
      await autoTitle(req, Boolean(outcome.llmAvailable), state.abort.signal);
    } catch (err) {
      deps.log?.error({ err, conversation_id: req.conversationId }, 'auto-title failed');
    }
  }

  return {
    /** Queues a turn behind the conversation's running ones; `done` settles when it has ended. */
    /**
     * Queues a turn behind the conversation's running ones. `done` settles once the reply has
     * ended (its closing frames are out); the queue moves on after the auto-title too.
     */
    enqueue(req: TurnRequest): { done: Promise<void> } {
      let markEnded!: () => void;
      const ended = new Promise<void>((resolve) => (markEnded = resolve));
      const state: TurnState = {
        conversationId: req.conversationId,
        abort: new AbortController(),
        ended,
        markEnded: () => {
          turns.delete(req.assistantMessageId);
          markEnded();
        },
      };
      const previous = tails.get(req.conversationId) ?? Promise.resolve();
      const finished = previous.then(async () => {
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
      return { done: ended };
    },

    /** Stops a streaming (or still queued) reply; false when it is not running. */
    stop(messageId: string): boolean {
      const state = turns.get(messageId);
      if (!state) return false;
      state.abort.abort();
      return true;
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
      for (const state of live) state.abort.abort();
      const pending = [...tails.values()];
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(pending),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 5_000);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
