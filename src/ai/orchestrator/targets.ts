/**
 * Intents about one existing item (update, complete, delete): which item the words mean
 * (resolve-target.ts, with the item the conversation showed last), then one of: act on it,
 * ask which of several with a `choose` card, or say that none matches.
 */
import type { CardItem, ItemType } from '../../modules/chat/cards.js';
import { ITEM_TYPES, chooseCard, confirmDeleteCard, itemCard } from '../../modules/chat/cards.js';
import { cardOf } from '../../modules/chat/chat.mappers.js';
import type { Message } from '../../modules/chat/chat.schemas.js';
import type { TurnOutcome } from '../../modules/chat/turn-handler.js';
import type { Intent } from '../intents.js';
import { plural } from '../replies.js';
import { isReferential, resolveTarget } from '../resolve-target.js';
import { text, withCard, type Handler, type Turn } from './context.js';
import type { AnyGateway, ItemGateway, Shown } from './items.js';

/** How far back "it" looks: the cards of this many items of the wanted type. */
const LAST_SHOWN_TRIES = 5;

/** A target that says which kind of item it means ("the last todo", "that event"). */
const NAMES_A_TYPE =
  /\b(?:todos?|to-dos?|tasks?|reminders?|events?|appointments?|meetings?|memos?|notes?)\b/i;

const isItemType = (value: string | undefined): value is ItemType =>
  (ITEM_TYPES as readonly (string | undefined)[]).includes(value);

function idIn(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' && 'id' in value && typeof value.id === 'string'
    ? value.id
    : undefined;
}

/** The items the conversation's cards showed, newest first (one per card). */
function* shownRefs(history: readonly Message[]): Generator<{ type: ItemType; id: string }> {
  for (let i = history.length - 1; i >= 0; i--) {
    const card = cardOf(history[i]!);
    if (!card) continue;
    const [prefix] = card.card_type.split('_');
    const single = !card.card_type.endsWith('_list') && !card.card_type.endsWith('_deleted');
    if (isItemType(prefix) && single) {
      const id = idIn(card.payload);
      if (id) yield { type: prefix, id };
    } else if (card.card_type === 'confirm' && card.actions[0]) {
      const payload = card.payload;
      const id =
        payload !== null && typeof payload === 'object' && 'item' in payload ? idIn(payload.item) : undefined;
      const type = card.actions[0].params.type;
      if (id && type) yield { type, id };
    }
  }
}

/** The item of the gateway's type the conversation showed last ("it", "the last one"). */
export async function lastOf<T extends CardItem>(
  g: ItemGateway<T>,
  history: readonly Message[],
): Promise<T | null> {
  let tries = 0;
  for (const ref of shownRefs(history)) {
    if (ref.type !== g.type) continue;
    if (++tries > LAST_SHOWN_TRIES) break;
    const item = await g.find(ref.id);
    if (item) return item;
  }
  return null;
}

/** The item of any type the conversation showed last. */
async function lastOfAny(
  all: Record<ItemType, AnyGateway>,
  history: readonly Message[],
): Promise<Shown | null> {
  let tries = 0;
  for (const ref of shownRefs(history)) {
    if (++tries > LAST_SHOWN_TRIES) break;
    const found = await all[ref.type].find(ref.id);
    if (found) return found;
  }
  return null;
}

/** Deletes always ask first. */
export function confirmDelete(s: Shown, intent: Intent): TurnOutcome {
  return withCard(
    `Delete the ${s.noun} ${s.description}? Please confirm.`,
    intent,
    confirmDeleteCard(s.type, s.item),
  );
}

/** How an update intent words its answers: when the message named no change, and once saved. */
export interface ChangeWords<T> {
  ask(item: T): string;
  done(updated: T): string;
}

/**
 * The end of every update intent: "what should I change" when the message named no change,
 * else the patch saved and the item shown in an `updated` card.
 */
export async function saveChange<T extends CardItem, P extends object>(
  g: ItemGateway<T>,
  intent: Intent,
  item: T,
  patch: P,
  save: (id: string, patch: P) => Promise<T>,
  words: ChangeWords<T> = {
    ask: (i) => `What should I change about "${i.title}"?`,
    done: (updated) => `Updated ${g.describe(updated)}.`,
  },
): Promise<TurnOutcome> {
  if (Object.keys(patch).length === 0) return text(words.ask(item), intent);
  const updated = await save(item.id, patch);
  return withCard(words.done(updated), intent, itemCard(g.type, 'updated', updated));
}

export interface TargetSpec<T extends CardItem> {
  intent: Intent;
  gateway: ItemGateway<T>;
  /** Prefer items the gateway calls live (open todos, upcoming events) among the matches. */
  preferLive?: boolean;
  /** "delete it" may mean the last item shown of any type (the words cannot tell the type). */
  anyType?: Record<ItemType, AnyGateway>;
  /** What to do with the one item meant; `fromText` is false when a `choose` card picked it. */
  act(turn: Turn, item: T, fromText: boolean): Promise<TurnOutcome>;
}

/** The handler of an intent about one item of `spec.gateway`'s type. */
export function targetHandler<T extends CardItem>(spec: TargetSpec<T>): Handler {
  const g = spec.gateway;
  return {
    async run(turn) {
      const p = turn.params;
      const target = p.target ?? p.title;
      if (spec.anyType && isReferential(target) && !NAMES_A_TYPE.test(target ?? '')) {
        const last = await lastOfAny(spec.anyType, turn.history);
        if (last) return confirmDelete(last, `delete_${last.type}`);
      }
      const [items, last] = await Promise.all([g.candidates(), lastOf(g, turn.history)]);
      const found = resolveTarget<T>(target, items, {
        lastReferenced: last,
        prefer: spec.preferLive ? g.live : undefined,
        text: g.matchText,
      });
      switch (found.kind) {
        case 'one':
          return spec.act(turn, found.item, true);
        case 'many':
          return withCard(
            `I found ${plural(found.items.length, g.noun)} that could match. Which one do you mean?`,
            spec.intent,
            chooseCard(g.type, found.items, spec.intent, p),
          );
        case 'none':
          return text(
            target ? `I couldn't find a ${g.noun} matching "${target}".` : `Which ${g.noun} do you mean?`,
            spec.intent,
          );
      }
    },
    pick: {
      type: g.type,
      async act(turn, id) {
        const item = await g.find(id);
        return item ? spec.act(turn, item, false) : null;
      },
    },
  };
}
