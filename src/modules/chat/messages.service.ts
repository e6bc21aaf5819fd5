/** Messages: pages and cursor windows, one message, edits, deletes (a user message takes its reply along). */
import { conflict, validationError } from '../../lib/errors.js';
import type { MessageRow } from '../../db/schema.js';
import { conversationOrThrow, messageInConversation, positionOf, type ChatContext } from './chat.context.js';
import { toMessage } from './chat.mappers.js';
import type { Message, MessageListQuery } from './chat.schemas.js';

export function createMessagesService(c: ChatContext) {
  const { messages, publish, runner } = c;
  return {
    /** Page 1 is the newest window; within a page, oldest first; or a cursor window. */
    async listMessages(conversationId: string, query: MessageListQuery) {
      await conversationOrThrow(c, conversationId);
      if (query.page !== undefined && (query.before !== undefined || query.after !== undefined))
        throw validationError('page', 'page cannot be combined with before or after');
      if (query.before !== undefined && query.after !== undefined)
        throw validationError('before', 'use either before or after, not both');
      const limit = query.limit ?? 50;
      const total = await messages.count(conversationId);
      let rows: MessageRow[];
      if (query.before !== undefined) {
        const anchor = await messageInConversation(c, conversationId, query.before);
        rows = await messages.before(conversationId, positionOf(anchor), limit);
      } else if (query.after !== undefined) {
        const anchor = await messageInConversation(c, conversationId, query.after);
        rows = await messages.after(conversationId, positionOf(anchor), limit);
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
      const row = await messageInConversation(c, conversationId, messageId);
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
      const row = await messageInConversation(c, conversationId, messageId);
      const replies = row.role === 'user' ? runner.dropRepliesTo(messageId) : [];
      runner.drop(messageId);
      const gone = await c.db.transaction().execute(async (trx) => {
        const deleted: string[] = [];
        for (const id of replies) if (await messages.delete(id, trx)) deleted.push(id);
        await messages.delete(messageId, trx);
        return deleted;
      });
      publish('message_deleted', { id: messageId, conversation_id: conversationId });
      for (const id of gone) publish('message_deleted', { id, conversation_id: conversationId });
    },
  };
}
