/**
 * Sending: the user message and the reply's row (status `streaming`) are stored before the send
 * is acknowledged (idempotent on `client_message_id`), then the turn is queued (turns.ts) and
 * the handler (the orchestrator) fills the reply in. Also regenerate and stop.
 */
import crypto from 'node:crypto';
import type { MessageRow } from '../../db/schema.js';
import { AppError, conflict, notFound, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import {
  assistantRow,
  conversationOrThrow,
  messageInConversation,
  positionOf,
  type ChatContext,
} from './chat.context.js';
import { cardOf, toConversation, toMessage } from './chat.mappers.js';
import type { Conversation, SendAccepted, SendBody } from './chat.schemas.js';
import { createIdempotencyRepository } from './idempotency.repository.js';

const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export interface SendResult extends SendAccepted {
  /** The same client_message_id and body came again: nothing new was started. */
  replayed: boolean;
}

function hashBody(body: SendBody): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([body.conversation_id ?? null, body.content]))
    .digest('hex');
}

export function createSendService(c: ChatContext) {
  const { conversations, messages, publish, runner } = c;
  const idempotency = createIdempotencyRepository(c.db);

  /** Stores the user message and the reply's row; returns the ids (or the first answer's). */
  async function store(
    body: SendBody,
  ): Promise<SendResult & { changed: Conversation | null; userRow: MessageRow | null }> {
    const content = body.content;
    if (content.trim() === '') throw validationError('content', 'content must not be empty');
    const key = body.client_message_id ? `chat.send:${body.client_message_id}` : null;
    const bodyHash = hashBody(body);
    const now = c.clock.now();

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
      return await c.db.transaction().execute(async (trx) => {
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
          run: (io) => c.handler.handleMessage(io, { text: body.content }),
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
      await conversationOrThrow(c, conversationId);
      let target: MessageRow | undefined;
      if (messageId !== undefined) {
        target = await messageInConversation(c, conversationId, messageId);
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
      await c.db.transaction().execute(async (trx) => {
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
          run: (io) => c.handler.regenerate(io),
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
      if (!stopping && row.status === 'streaming' && c.elsewhere) {
        // Streaming (or queued) on another instance: that one stops it.
        c.elsewhere.stop(messageId);
        return { message_id: messageId, status: 'stopping' };
      }
      return { message_id: messageId, status: stopping ? 'stopping' : row.status };
    },
  };
}

/** Thrown inside the send transaction when the key turned out to be taken: answer as a replay. */
class RetryReplay extends Error {}
