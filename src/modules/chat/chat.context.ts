/**
 * What the chat services (conversations, messages, send, card actions) share: the repositories,
 * the turn runner, the handler that answers turns, and the lookups that 404 alike.
 */
import type { Kysely } from 'kysely';
import type { DB, MessageRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { EventSink } from '../../realtime/events.js';
import type { ConversationsRepository } from './conversations.repository.js';
import type { MessagePosition, MessagesRepository } from './messages.repository.js';
import type { TurnHandler } from './turn-handler.js';
import type { TurnRunner } from './turns.js';

/**
 * Several instances (REDIS_URL): reaches turns another instance runs. Without it one instance
 * is assumed, so every reply left streaming at start-up belongs to a dead process.
 */
export interface Elsewhere {
  stop(messageId: string): void;
  abortConversation(conversationId: string): void;
}

export interface ChatContext {
  db: Kysely<DB>;
  clock: Clock;
  publish: EventSink;
  conversations: ConversationsRepository;
  messages: MessagesRepository;
  runner: TurnRunner;
  handler: TurnHandler;
  elsewhere?: Elsewhere;
}

export const positionOf = (row: MessageRow): MessagePosition => ({ created_at: row.created_at, id: row.id });

export async function conversationOrThrow(c: ChatContext, id: string) {
  const row = await c.conversations.find(id);
  if (!row) throw notFound('Conversation', id);
  return row;
}

export async function messageInConversation(
  c: ChatContext,
  conversationId: string,
  messageId: string,
): Promise<MessageRow> {
  const row = await c.messages.find(messageId);
  if (!row || row.conversation_id !== conversationId) throw notFound('Message', messageId);
  return row;
}

/** The row of a reply about to stream (status `streaming`, no text yet). */
export function assistantRow(conversationId: string, createdAt: string): MessageRow {
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
