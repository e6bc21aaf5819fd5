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

/**
 * The card a stored message carries, if any. Stored metadata may come from an import, so a
 * card counts only in the shape the server writes: a type and a list of actions, each an action
 * name with its params.
 */
export function cardOf(message: Pick<Message, 'metadata'>): StoredCard | null {
  const card = message.metadata?.card as Partial<StoredCard> | null | undefined;
  if (card === null || typeof card !== 'object' || typeof card.card_type !== 'string') return null;
  const actions: unknown = card.actions;
  const wellFormed =
    Array.isArray(actions) &&
    actions.every(
      (a: unknown) =>
        a !== null &&
        typeof a === 'object' &&
        typeof (a as { action?: unknown }).action === 'string' &&
        (a as { params?: unknown }).params !== null &&
        typeof (a as { params?: unknown }).params === 'object',
    );
  return wellFormed ? (card as StoredCard) : null;
}
