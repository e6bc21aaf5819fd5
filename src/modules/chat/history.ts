/** The conversation as the orchestrator reads it back: a read-only view of the messages table. */
import type { Message } from './chat.schemas.js';
import { toMessage } from './chat.mappers.js';
import type { MessagesRepository } from './messages.repository.js';

export interface ChatHistory {
  /** The messages before `messageId` (or up to it, inclusive), newest `limit`, oldest first. */
  before(conversationId: string, messageId: string, limit: number, inclusive?: boolean): Promise<Message[]>;
}

export function createChatHistory(messages: MessagesRepository): ChatHistory {
  return {
    async before(conversationId, messageId, limit, inclusive = false) {
      const anchor = await messages.find(messageId);
      if (!anchor) return [];
      const position = { created_at: anchor.created_at, id: anchor.id };
      const rows = await messages.before(conversationId, position, inclusive ? limit - 1 : limit);
      if (inclusive) rows.push(anchor);
      return rows.map(toMessage);
    },
  };
}
