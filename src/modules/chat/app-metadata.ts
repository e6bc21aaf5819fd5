/**
 * The flat action fields the ClawChat apps read from an action reply's metadata (COMPAT.md
 * "Chat"), derived from its card so there is one source: `{action_type, module, todo_id,
 * todo_title}` and the like beside `card`, in the stored message and in `stream_end`.
 */
import type { Card } from './cards.js';

const ITEM_CARD = /^(todo|event|memo)_(created|updated|completed|deleted)$/;

interface CardItemFields {
  id?: unknown;
  title?: unknown;
  start_time?: unknown;
}

/** The apps' fields for a card, or null for cards they do not read (lists, confirm, choose...). */
export function appActionFields(card: Pick<Card, 'card_type' | 'payload'>): Record<string, unknown> | null {
  const item = (card.payload ?? {}) as CardItemFields;
  const match = ITEM_CARD.exec(card.card_type);
  if (match) {
    const type = match[1]!;
    const fields: Record<string, unknown> = {
      action_type: card.card_type,
      module: `${type}s`,
      [`${type}_id`]: item.id ?? null,
      [`${type}_title`]: item.title ?? null,
    };
    if (type === 'event') fields.event_start_time = item.start_time ?? null;
    return fields;
  }
  if (card.card_type === 'agent_task_queued')
    return {
      action_type: 'task_delegated',
      task_id: item.id ?? null,
      agent_type: 'general',
      is_multi_agent: false,
    };
  return null;
}
