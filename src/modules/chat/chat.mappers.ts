/** Rows to API shapes for conversations and messages. */
import type { ConversationRow, MessageRow } from '../../db/schema.js';
import type { Conversation, Message, MessageRole, MessageStatus, MessageType } from './chat.schemas.js';
import type { StoredCard } from './cards.js';

export function toConversation(row: ConversationRow & { preview?: string | null }): Conversation {
  const preview = row.preview ?? null;
  return {
    id: row.id,
    title: row.title,
    created_at: row.created_at,
    updated_at: row.updated_at,
    is_archived: row.is_archived === 1,
    last_message_preview: preview,
    last_message: preview,
  };
}

export function parseMetadata(raw: string | null): Record<string, unknown> | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    role: row.role as MessageRole,
    content: row.content,
    message_type: row.message_type as MessageType,
    status: row.status as MessageStatus,
    intent: row.intent,
    metadata: parseMetadata(row.metadata),
    created_at: row.created_at,
  };
}

/** The card a stored message carries, if any. */
export function cardOf(message: Pick<Message, 'metadata'>): StoredCard | null {
  const card = message.metadata?.card;
  return card !== null && typeof card === 'object' && typeof (card as StoredCard).card_type === 'string'
    ? (card as StoredCard)
    : null;
}
