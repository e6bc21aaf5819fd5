/**
 * Chat: conversations, messages, and sending. A send stores the user message and the
 * assistant reply's row (status `streaming`) before it is acknowledged, then queues the turn
 * (turns.ts), which the orchestrator fills in. No Fastify here: routes and the WebSocket
 * plugin call these methods.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, MessageRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, conflict, notFound, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { EventSink } from '../../realtime/events.js';
import {
  CARD_ACTIONS,
  type ActionParams,
  type CardAction,
  type CardActionName,
  type StoredCard,
} from './cards.js';
import { cardOf, toConversation, toMessage } from './chat.mappers.js';
import type {
  Conversation,
  ConversationCreate,
  ConversationListQuery,
  ConversationPatch,
  Message,
  MessageListQuery,
  SendAccepted,
  SendBody,
} from './chat.schemas.js';
import { createConversationsRepository } from './conversations.repository.js';
import { createIdempotencyRepository } from './idempotency.repository.js';
import { createMessagesRepository, type MessagePosition } from './messages.repository.js';
import { createTurnRunner, type Titler, type TurnIO, type TurnLog, type TurnOutcome } from './turns.js';

const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const CONVERSATION_MESSAGES = 50;

/** What answers a turn: the orchestrator (src/ai/orchestrator/). */
export interface TurnHandler {
  handleMessage(io: TurnIO, input: { text: string }): Promise<TurnOutcome>;
  /** The text again, over the history up to the user message (`io.userMessageId`). */
  regenerate(io: TurnIO): Promise<TurnOutcome>;
  handleAction(
    io: TurnIO,
    input: { source: Message; card: StoredCard; action: CardActionName; params: ActionParams },
  ): Promise<TurnOutcome>;
}

export interface ChatServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  publish: EventSink;
  /** Set once the orchestrator exists (it needs the chat history, so it is built after). */
  handler: () => TurnHandler;
  titler: Titler;
  log?: TurnLog;
  /**
   * Several instances (REDIS_URL): reaches turns another instance runs. Without it one instance
   * is assumed, so every reply left streaming at start-up belongs to a dead process.
   */
  elsewhere?: { stop(messageId: string): void; abortConversation(conversationId: string): void };
}

/** With several instances, a reply still streaming after this long at start-up is an orphan. */
const ORPHAN_AFTER_MS = 3600_000;

export interface SendResult extends SendAccepted {
  /** The same client_message_id and body came again: nothing new was started. */
  replayed: boolean;
}

export type ChatService = Awaited<ReturnType<typeof createChatService>>;

export interface ActionResponse {
  message_id: string;
  action: string;
  params?: Record<string, unknown>;
}

function hashBody(body: SendBody): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([body.conversation_id ?? null, body.content]))
    .digest('hex');
}

const positionOf = (row: MessageRow): MessagePosition => ({ created_at: row.created_at, id: row.id });

export async function createChatService(deps: ChatServiceDeps) {
  const { db, clock, publish } = deps;
  const conversations = createConversationsRepository(db);
  const messages = createMessagesRepository(db);
  const idempotency = createIdempotencyRepository(db);
  const runner = createTurnRunner({
    db,
    conversations,
    messages,
    publish,
    clock,
    titler: deps.titler,
    log: deps.log,
  });

  // Replies a crash left half-written are failed, keeping the text received (API.md "Chat").
  // With several instances only old ones: a recent one may be streaming on another instance.
  await messages.failStreaming(
    undefined,
    deps.elsewhere ? new Date(clock.now().getTime() - ORPHAN_AFTER_MS).toISOString() : undefined,
  );

  const nowIso = () => clock.now().toISOString();

  async function conversationOrThrow(id: string) {
    const row = await conversations.find(id);
    if (!row) throw notFound('Conversation', id);
    return row;
  }

  async function publishConversation(
    id: string,
    extra: { deleted?: boolean } = {},
  ): Promise<Conversation | null> {
    const row = await conversations.findWithPreview(id);
    if (!row) return null;
    const conversation = toConversation(row);
    publish('conversation_updated', {
      conversation_id: id,
      title: conversation.title,
      conversation,
      ...extra,
    });
    return conversation;
  }

  async function messageInConversation(conversationId: string, messageId: string): Promise<MessageRow> {
    const row = await messages.find(messageId);
    if (!row || row.conversation_id !== conversationId) throw notFound('Message', messageId);
    return row;
  }

  function assistantRow(conversationId: string, createdAt: string): MessageRow {
    return {
      id: newId('msg'),
      conversation_id: conversationId,
      role: 'assistant',
      content: '',
      message_type: 'text',
      status: 'streaming',
      intent: null,
      metadata: null,
      created_at: createdAt,
    };
  }

  /** Marks the card that was acted on, so reloaded cards show no live buttons. */
  async function resolveCard(sourceId: string, action: CardActionName, hold: EventSink): Promise<void> {
    const row = await messages.find(sourceId);
    if (!row) return;
    const message = toMessage(row);
    const card = cardOf(message);
    if (!card || card.resolved) return;
    const metadata = { ...message.metadata, card: { ...card, resolved: true, resolved_action: action } };
    await messages.update(sourceId, { metadata: JSON.stringify(metadata) });
    hold('message_updated', { ...message, metadata });
  }

  /** Stores the user message and the reply's row; returns the ids (or the first answer's). */
  async function store(
    body: SendBody,
  ): Promise<SendResult & { changed: Conversation | null; userRow: MessageRow | null }> {
    const content = body.content;
    if (content.trim() === '') throw validationError('content', 'content must not be empty');
    const key = body.client_message_id ? `chat.send:${body.client_message_id}` : null;
    const bodyHash = hashBody(body);
    const now = clock.now();

    const replay = async () => {
      if (key === null) return null;
      const prior = await idempotency.find(key);
      if (!prior || new Date(prior.created_at).getTime() < now.getTime() - IDEMPOTENCY_TTL_MS) return null;
      if (prior.body_hash !== bodyHash)
        throw conflict('client_message_id was already used with a different body', {
          field: 'client_message_id',
        });
      return {
        ...(JSON.parse(prior.response) as SendAccepted),
        replayed: true,
        created: false,
        changed: null,
        userRow: null,
      };
    };

    const first = await replay();
    if (first) return first;

    try {
      return await db.transaction().execute(async (trx) => {
        if (key !== null) {
          // Checked again inside the transaction: two identical sends at once start one turn.
          const prior = await idempotency.find(key, trx);
          if (prior) {
            if (new Date(prior.created_at).getTime() >= now.getTime() - IDEMPOTENCY_TTL_MS)
              throw new RetryReplay();
            await idempotency.delete(key, trx);
          }
        }
        const at = now.toISOString();
        let conversationId = body.conversation_id ?? null;
        let created = false;
        let unarchived = false;
        if (conversationId === null) {
          conversationId = newId('conv');
          await conversations.insert(
            { id: conversationId, title: '', is_archived: 0, created_at: at, updated_at: at },
            trx,
          );
          created = true;
        } else {
          const conv = await conversations.find(conversationId, trx);
          if (!conv) throw notFound('Conversation', conversationId);
          unarchived = conv.is_archived === 1;
          await conversations.update(conversationId, { updated_at: at, is_archived: 0 }, trx);
        }
        const userRow: MessageRow = {
          id: newId('msg'),
          conversation_id: conversationId,
          role: 'user',
          content,
          message_type: 'text',
          status: 'complete',
          intent: null,
          metadata: body.client_message_id
            ? JSON.stringify({ client_message_id: body.client_message_id })
            : null,
          created_at: at,
        };
        await messages.insert(userRow, trx);
        const reply = assistantRow(conversationId, at);
        await messages.insert(reply, trx);
        const accepted: SendAccepted = {
          message_id: reply.id,
          user_message_id: userRow.id,
          conversation_id: conversationId,
          status: 'processing',
        };
        if (key !== null) {
          await idempotency.prune(new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString(), trx);
          await idempotency.put(
            { key, body_hash: bodyHash, response: JSON.stringify(accepted), created_at: at },
            trx,
          );
        }
        // A new or un-archived conversation is announced, with its state as of this commit.
        const row =
          created || unarchived ? await conversations.findWithPreview(conversationId, trx) : undefined;
        return { ...accepted, replayed: false, changed: row ? toConversation(row) : null, userRow };
      });
    } catch (err) {
      // Another request with the same key won the race (RetryReplay, or a unique violation).
      if (key !== null && !(err instanceof AppError)) {
        const again = await replay();
        if (again) return again;
      }
      throw err;
    }
  }

  return {
    runner,

    // ---- conversations ----------------------------------------------------------------------

    async listConversations(query: ConversationListQuery) {
      const page = query.page ?? 1;
      const limit = query.limit ?? 20;
      const { rows, total } = await conversations.list(query.archived ?? false, page, limit);
      return { items: rows.map(toConversation), total, page, limit };
    },

    async createConversation(input: ConversationCreate = {}): Promise<Conversation> {
      const at = nowIso();
      const id = newId('conv');
      await conversations.insert({
        id,
        title: input.title?.trim() ?? '',
        is_archived: 0,
        created_at: at,
        updated_at: at,
      });
      return (await publishConversation(id))!;
    },

    async getConversation(id: string): Promise<Conversation & { messages: Message[] }> {
      const row = await conversations.findWithPreview(id);
      if (!row) throw notFound('Conversation', id);
      const recent = await messages.newest(id, CONVERSATION_MESSAGES);
      return { ...toConversation(row), messages: recent.map(toMessage) };
    },

    async updateConversation(id: string, patch: ConversationPatch): Promise<Conversation> {
      const current = await conversationOrThrow(id);
      const set: { title?: string; is_archived?: number; updated_at?: string } = {};
      if (patch.title !== undefined && patch.title.trim() !== current.title) set.title = patch.title.trim();
      if (patch.is_archived !== undefined && Number(patch.is_archived) !== current.is_archived)
        set.is_archived = patch.is_archived ? 1 : 0;
      if (Object.keys(set).length === 0) return toConversation((await conversations.findWithPreview(id))!);
      set.updated_at = nowIso();
      await conversations.update(id, set);
      return (await publishConversation(id))!;
    },

    /** Archives by default; `permanent` deletes it with its messages (items it created stay, unlinked). */
    async removeConversation(id: string, permanent: boolean): Promise<void> {
      const current = await conversationOrThrow(id);
      if (!permanent) {
        if (current.is_archived !== 1) {
          await conversations.update(id, { is_archived: 1, updated_at: nowIso() });
          await publishConversation(id);
        }
        return;
      }
      const before = toConversation({ ...current, preview: null });
      runner.abortConversation(id);
      deps.elsewhere?.abortConversation(id);
      await conversations.delete(id);
      publish('conversation_updated', {
        conversation_id: id,
        title: before.title,
        conversation: before,
        deleted: true,
      });
    },

    // ---- messages ---------------------------------------------------------------------------

    /** Page 1 is the newest window; within a page, oldest first; or a cursor window. */
    async listMessages(conversationId: string, query: MessageListQuery) {
      await conversationOrThrow(conversationId);
      if (query.page !== undefined && (query.before !== undefined || query.after !== undefined))
        throw validationError('page', 'page cannot be combined with before or after');
      if (query.before !== undefined && query.after !== undefined)
        throw validationError('before', 'use either before or after, not both');
      const limit = query.limit ?? 50;
      const total = await messages.count(conversationId);
      let rows: MessageRow[];
      if (query.before !== undefined) {
        rows = await messages.before(
          conversationId,
          positionOf(await messageInConversation(conversationId, query.before)),
          limit,
        );
      } else if (query.after !== undefined) {
        rows = await messages.after(
          conversationId,
          positionOf(await messageInConversation(conversationId, query.after)),
          limit,
        );
      } else {
        rows = await messages.newest(conversationId, limit, ((query.page ?? 1) - 1) * limit);
      }
      return { items: rows.map(toMessage), total, page: query.page ?? 1, limit };
    },

    async getMessage(id: string): Promise<Message | null> {
      const row = await messages.find(id);
      return row ? toMessage(row) : null;
    },

    async editMessage(conversationId: string, messageId: string, content: string): Promise<Message> {
      const row = await messageInConversation(conversationId, messageId);
      if (row.status === 'streaming') throw conflict('The message is still streaming');
      if (content.trim() === '') throw validationError('content', 'content must not be empty');
      await messages.update(messageId, { content });
      const message = toMessage({ ...row, content });
      publish('message_updated', { ...message });
      return message;
    },

    /**
     * Deletes a message. A user message takes the reply queued or streaming for it along (that
     * turn is dropped: it never runs, or ends silently); a streaming reply is stopped first.
     */
    async deleteMessage(conversationId: string, messageId: string): Promise<void> {
      const row = await messageInConversation(conversationId, messageId);
      const replies = row.role === 'user' ? runner.dropRepliesTo(messageId) : [];
      runner.drop(messageId);
      const gone = await db.transaction().execute(async (trx) => {
        const deleted: string[] = [];
        for (const id of replies) if (await messages.delete(id, trx)) deleted.push(id);
        await messages.delete(messageId, trx);
        return deleted;
      });
      publish('message_deleted', { id: messageId, conversation_id: conversationId });
      for (const id of gone) publish('message_deleted', { id, conversation_id: conversationId });
    },

    // ---- turns ------------------------------------------------------------------------------

    /**
     * Stores the user message, queues the turn, answers at once (202). With `deferStart` the
     * turn waits for `start()` (called once the 202 is written; see TurnRunner.enqueue).
     */
    async send(
      body: SendBody,
      opts: { deferStart?: boolean } = {},
    ): Promise<SendResult & { done: Promise<void>; start: () => void }> {
      const stored = await store(body);
      const { changed, userRow, ...result } = stored;
      if (result.replayed) return { ...result, done: runner.whenDone(result.message_id), start: () => {} };
      // No await from here to enqueue: sends to one conversation are queued in commit order.
      if (changed)
        publish('conversation_updated', {
          conversation_id: changed.id,
          title: changed.title,
          conversation: changed,
        });
      if (userRow) publish('message_created', { ...toMessage(userRow) });
      const { done, start } = runner.enqueue(
        {
          conversationId: result.conversation_id,
          assistantMessageId: result.message_id,
          userMessageId: result.user_message_id,
          titleFrom: body.content,
          run: (io) => deps.handler().handleMessage(io, { text: body.content }),
        },
        { deferStart: opts.deferStart },
      );
      return { ...result, done, start };
    },

    /** The text of an assistant reply again; the old reply is deleted, actions never re-run. */
    async regenerate(
      conversationId: string,
      messageId?: string,
      opts: { deferStart?: boolean } = {},
    ): Promise<SendAccepted & { done: Promise<void>; start: () => void }> {
      await conversationOrThrow(conversationId);
      let target: MessageRow | undefined;
      if (messageId !== undefined) {
        target = await messageInConversation(conversationId, messageId);
        if (target.role !== 'assistant')
          throw validationError('message_id', 'message_id must be an assistant message', messageId);
      } else {
        target = await messages.lastAssistant(conversationId);
        if (!target) throw conflict('There is no reply to regenerate');
      }
      if (target.status === 'streaming' || runner.isActive(target.id))
        throw conflict('The reply is still streaming');
      if (target.message_type === 'action_card' || cardOf(toMessage(target)))
        throw conflict('A reply that carried out an action cannot be regenerated');
      const user = await messages.previous(conversationId, positionOf(target), 'user');
      if (!user) throw conflict('There is no user message to answer');
      // The new reply takes the old one's place in the conversation.
      const reply = assistantRow(conversationId, target.created_at);
      const old = target;
      await db.transaction().execute(async (trx) => {
        // Two regenerates of one reply at once: the second finds it gone.
        if (!(await messages.delete(old.id, trx))) throw conflict('The reply was already replaced');
        await messages.insert(reply, trx);
      });
      publish('message_deleted', { id: old.id, conversation_id: conversationId });
      const { done, start } = runner.enqueue(
        {
          conversationId,
          assistantMessageId: reply.id,
          userMessageId: user.id,
          run: (io) => deps.handler().regenerate(io),
        },
        { deferStart: opts.deferStart },
      );
      return {
        message_id: reply.id,
        user_message_id: user.id,
        conversation_id: conversationId,
        status: 'processing',
        done,
        start,
      };
    },

    /** Stops a reply that is still streaming; what it produced is kept (status `stopped`). */
    async stop(messageId: string): Promise<{ message_id: string; status: string }> {
      const row = await messages.find(messageId);
      if (!row || row.role !== 'assistant') throw notFound('Message', messageId);
      const stopping = runner.stop(messageId);
      if (!stopping && row.status === 'streaming' && deps.elsewhere) {
        // Streaming (or queued) on another instance: that one stops it.
        deps.elsewhere.stop(messageId);
        return { message_id: messageId, status: 'stopping' };
      }
      return { message_id: messageId, status: stopping ? 'stopping' : row.status };
    },

    /** A card button pressed on some device (`action_response`): a new reply answers it. */
    async respondToAction(input: ActionResponse): Promise<{ message_id: string; done: Promise<void> }> {
      if (typeof input.message_id !== 'string' || typeof input.action !== 'string')
        throw validationError('message_id', 'action_response needs message_id and action');
      const row = await messages.find(input.message_id);
      if (!row) throw notFound('Message', input.message_id);
      const source = toMessage(row);
      const card = cardOf(source);
      if (!card) throw notFound('Card on message', input.message_id);
      if (!(CARD_ACTIONS as readonly string[]).includes(input.action))
        throw validationError('action', `action must be one of ${CARD_ACTIONS.join(', ')}`, input.action);
      const action = input.action as CardActionName;
      if (action.startsWith('edit_'))
        throw validationError('action', 'Edit actions are handled by the client', action);
      const wantedId = input.params?.id;
      const wantedType = input.params?.type;
      const named = card.actions.filter((a) => a.action === action);
      if (named.length === 0) throw validationError('action', 'This card has no such action', action);
      const matches = named.filter(
        (a) =>
          (wantedId === undefined || a.params.id === wantedId) &&
          (wantedType === undefined || a.params.type === wantedType),
      );
      // Several buttons share the name (a `choose` card): only params naming one of them pick it.
      const ambiguous = named.length > 1 && (wantedId === undefined || matches.length !== 1);
      const chosen: CardAction | undefined = matches[0];
      if (!chosen && !ambiguous) throw validationError('action', 'This card has no such action', action);

      const reply = assistantRow(source.conversation_id, nowIso());
      await messages.insert(reply);
      if (ambiguous || !chosen) {
        // A plain answer: nothing is done, and the card stays live.
        const { done } = runner.enqueue({
          conversationId: source.conversation_id,
          assistantMessageId: reply.id,
          userMessageId: null,
          run: async () => ({
            content: 'Pick one of the options.',
            intent: null,
            metadata: { in_reply_to: { message_id: source.id, action } },
          }),
        });
        return { message_id: reply.id, done };
      }
      const { done } = runner.enqueue({
        conversationId: source.conversation_id,
        assistantMessageId: reply.id,
        userMessageId: null,
        run: async (io) => {
          // Read again at the turn: a press from another device may have been answered meanwhile.
          const freshRow = await messages.find(source.id);
          const fresh = freshRow ? toMessage(freshRow) : null;
          const freshCard = fresh ? cardOf(fresh) : null;
          if (!fresh || !freshCard) return { content: 'That card no longer exists.', intent: null };
          if (freshCard.resolved) return { content: "That's already done.", intent: null };
          const outcome = await deps
            .handler()
            .handleAction(io, { source: fresh, card: freshCard, action, params: chosen.params });
          if (!outcome.error) await resolveCard(fresh.id, action, io.publish);
          return {
            ...outcome,
            metadata: { ...outcome.metadata, in_reply_to: { message_id: fresh.id, action } },
          };
        },
      });
      return { message_id: reply.id, done };
    },

    /** The messages before `beforeId` (exclusive), newest `limit`, oldest first. */
    async history(
      conversationId: string,
      beforeId: string,
      limit: number,
      inclusive = false,
    ): Promise<Message[]> {
      const anchor = await messages.find(beforeId);
      if (!anchor) return [];
      const rows = await messages.before(conversationId, positionOf(anchor), inclusive ? limit - 1 : limit);
      if (inclusive) rows.push(anchor);
      return rows.map(toMessage);
    },

    async close(): Promise<void> {
      await runner.close();
    },
  };
}

/** Thrown inside the send transaction when the key turned out to be taken: answer as a replay. */
class RetryReplay extends Error {}
