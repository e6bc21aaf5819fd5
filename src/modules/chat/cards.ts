/**
 * Action cards (BEHAVIOUR.md "Orchestration"): what the assistant attaches to a reply that did
 * something. The same shape travels as the WebSocket `action_card` data and is kept in the
 * assistant message's `metadata.card`, so a reloaded conversation redraws its cards.
 * The TypeBox schemas below publish every card shape in the OpenAPI document.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { Intent, IntentParams } from '../../ai/intents.js';
import { ITEM_TYPES, type ItemType } from '../common/items.js';
import { StringEnum } from '../common/schemas.js';

export const CARD_TYPES = [
  'todo_created',
  'todo_updated',
  'todo_completed',
  'todo_deleted',
  'todo_list',
  'event_created',
  'event_updated',
  'event_deleted',
  'event_list',
  'memo_created',
  'memo_updated',
  'memo_deleted',
  'memo_list',
  'search_results',
  'agent_task_queued',
  'briefing',
  'confirm',
  'choose',
  'choice',
] as const;
export type CardType = (typeof CARD_TYPES)[number];

export const CARD_ACTIONS = [
  'edit_todo',
  'complete_todo',
  'delete_todo',
  'edit_event',
  'delete_event',
  'edit_memo',
  'delete_memo',
  'confirm_delete',
  'cancel',
  'choose',
  'choose_intent',
] as const;
export type CardActionName = (typeof CARD_ACTIONS)[number];

export { ITEM_TYPES, type ItemType } from '../common/items.js';

/**
 * Every action names the item it acts on; a `choose` also carries the request it completes.
 * A `choose_intent` (the `choice` card) acts on no item yet: its `id` is the intent it picks
 * and `type` is there only when that intent is about one kind of item (docs/DECISIONS.md).
 */
export interface ActionParams {
  type?: ItemType;
  id: string;
  /** `choose` and `choose_intent`: the intent to run, and its parameters. */
  intent?: Intent;
  pending?: IntentParams;
  [key: string]: unknown;
}

export interface CardAction {
  label: string;
  action: CardActionName;
  params: ActionParams;
}

export interface Card {
  card_type: CardType;
  payload: unknown;
  actions: CardAction[];
}

/** A card as stored in `metadata.card`: the `action_card` data, plus `resolved` once acted on. */
export interface StoredCard extends Card {
  message_id: string;
  resolved?: boolean;
  /** The action that resolved it. */
  resolved_action?: CardActionName;
}

/** The short item the cards show and the orchestrator resolves against. */
export interface CardItem {
  id: string;
  title: string;
}

const NOUN: Record<ItemType, string> = { todo: 'todo', event: 'event', memo: 'memo' };

function itemActions(
  type: ItemType,
  item: CardItem,
  verb: 'created' | 'updated' | 'completed' | 'deleted',
): CardAction[] {
  if (verb === 'deleted') return [];
  const params: ActionParams = { type, id: item.id };
  const actions: CardAction[] = [];
  // No "Complete" on a todo that is already done (a `todo_updated` card may show one).
  const done = verb === 'completed' || (item as CardItem & { status?: unknown }).status === 'completed';
  if (type === 'todo' && !done) actions.push({ label: 'Complete', action: 'complete_todo', params });
  actions.push({ label: 'Edit', action: `edit_${type}`, params: { ...params } });
  if (verb !== 'completed')
    actions.push({ label: 'Delete', action: `delete_${type}`, params: { ...params } });
  return actions;
}

/** `todo_created`, `event_updated`, `memo_deleted`, ...: the item itself as the payload. */
export function itemCard(
  type: ItemType,
  verb: 'created' | 'updated' | 'completed' | 'deleted',
  item: CardItem,
): Card {
  return { card_type: `${type}_${verb}` as CardType, payload: item, actions: itemActions(type, item, verb) };
}

/** `*_list`: `{items, total}`; the items open in the client, so no actions. */
export function listCard(type: ItemType, items: readonly CardItem[], total: number): Card {
  return { card_type: `${type}_list` as CardType, payload: { items, total }, actions: [] };
}

export function searchCard(items: readonly unknown[], total: number): Card {
  return { card_type: 'search_results', payload: { items, total }, actions: [] };
}

/** Deletes always ask first: `confirm_delete` or `cancel`. */
export function confirmDeleteCard(type: ItemType, item: CardItem): Card {
  const params: ActionParams = { type, id: item.id };
  return {
    card_type: 'confirm',
    payload: { question: `Delete the ${NOUN[type]} "${item.title}"?`, item },
    actions: [
      { label: 'Delete', action: 'confirm_delete', params },
      { label: 'Cancel', action: 'cancel', params: { ...params } },
    ],
  };
}

/** Several matches: one `choose` action per option; the pending request travels in its params. */
export function chooseCard(
  type: ItemType,
  items: readonly CardItem[],
  intent: Intent,
  pending: IntentParams,
): Card {
  return {
    card_type: 'choose',
    payload: {
      question: `Which ${NOUN[type]} do you mean?`,
      options: items.map((item) => ({ label: item.title, item })),
    },
    actions: items.map((item) => ({
      label: item.title,
      action: 'choose',
      params: { type, id: item.id, intent, pending },
    })),
  };
}

/** One reading of an unsure message, offered on a `choice` card. */
export interface IntentOption {
  label: string;
  intent: Intent;
  params: IntentParams;
  /** The kind of item the intent is about, if any ("search" and "general_chat" have none). */
  type?: ItemType;
}

/**
 * The understander could not tell two intents apart: one short question, one `choose_intent`
 * button per reading, each carrying the params already read so a press acts at once.
 */
export function choiceCard(question: string, text: string, options: readonly IntentOption[]): Card {
  return {
    card_type: 'choice',
    payload: { question, text, options: options.map(({ label, intent }) => ({ label, intent })) },
    actions: options.map(({ label, intent, params, type }) => ({
      label,
      action: 'choose_intent',
      // The intent is the id: the buttons share an action name and the id tells them apart.
      params: { ...(type ? { type } : {}), id: intent, intent, pending: params },
    })),
  };
}

export function briefingCard(text: string, date: string): Card {
  return { card_type: 'briefing', payload: { text, date }, actions: [] };
}

export function agentTaskCard(task: unknown): Card {
  return { card_type: 'agent_task_queued', payload: task, actions: [] };
}

// ---------------------------------------------------------------------------------------------
// Schemas for the OpenAPI document. Items refer to the module schemas by $id.

const ref = (id: string) => Type.Unsafe<unknown>({ $ref: id });

export const CardActionSchema = Type.Object(
  {
    label: Type.String(),
    action: StringEnum(CARD_ACTIONS),
    params: Type.Object(
      {
        type: Type.Optional(
          StringEnum(ITEM_TYPES, {
            description: 'Always set, except on a `choose_intent` whose intent is about no kind of item',
          }),
        ),
        id: Type.String({ description: 'The item; for `choose_intent`, the intent it picks' }),
        intent: Type.Optional(
          Type.String({
            description: '`choose`: the intent waiting for its target; `choose_intent`: the intent picked',
          }),
        ),
        pending: Type.Optional(
          Type.Object(
            {},
            {
              additionalProperties: true,
              description: "`choose`, `choose_intent`: that intent's parameters",
            },
          ),
        ),
      },
      { additionalProperties: true },
    ),
  },
  { $id: 'CardAction' },
);

const listOf = (item: TSchema) => Type.Object({ items: Type.Array(item), total: Type.Integer() });
const anyItem = Type.Union([ref('Todo'), ref('Event'), ref('Memo')]);

const variant = (types: readonly CardType[], payload: TSchema) =>
  Type.Object({
    message_id: Type.String({ description: 'The assistant message the card belongs to' }),
    card_type: StringEnum(types),
    payload,
    actions: Type.Array(ref('CardAction')),
    resolved: Type.Optional(
      Type.Boolean({ description: 'Set once an action was taken; the card shows no live buttons' }),
    ),
  });

/** Every `action_card` (WebSocket) and `metadata.card` (stored message) shape. */
export const ActionCardSchema = Type.Union(
  [
    variant(['todo_created', 'todo_updated', 'todo_completed', 'todo_deleted'], ref('Todo')),
    variant(['event_created', 'event_updated', 'event_deleted'], ref('Event')),
    variant(['memo_created', 'memo_updated', 'memo_deleted'], ref('Memo')),
    variant(['todo_list'], listOf(ref('Todo'))),
    variant(['event_list'], listOf(ref('Event'))),
    variant(['memo_list'], listOf(ref('Memo'))),
    variant(['search_results'], listOf(ref('SearchHit'))),
    variant(
      ['agent_task_queued'],
      Type.Object(
        { id: Type.String(), task_type: Type.String(), instruction: Type.String(), status: Type.String() },
        { additionalProperties: true, description: 'The AgentTask' },
      ),
    ),
    variant(
      ['briefing'],
      Type.Object({ text: Type.String(), date: Type.String({ description: 'YYYY-MM-DD' }) }),
    ),
    variant(['confirm'], Type.Object({ question: Type.String(), item: anyItem })),
    variant(
      ['choose'],
      Type.Object({
        question: Type.String(),
        options: Type.Array(Type.Object({ label: Type.String(), item: anyItem })),
      }),
    ),
    variant(
      ['choice'],
      Type.Object({
        question: Type.String(),
        text: Type.String({ description: 'The message the question is about' }),
        options: Type.Array(
          Type.Object({
            label: Type.String(),
            intent: Type.String({ description: 'One of the 17 intents' }),
          }),
        ),
      }),
    ),
  ],
  { $id: 'ActionCard', description: 'An action card: `card_type` decides the payload' },
);
