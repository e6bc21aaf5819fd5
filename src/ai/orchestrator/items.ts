/**
 * One gateway per item type: how the orchestrator finds, lists, describes and deletes todos,
 * events and memos, so the code acting on "an item" needs no switch on its type and no casts.
 * `Shown` is an item of any type, as the cross-type paths (delete "it", card buttons) need it.
 */
import { DateTime } from 'luxon';
import { AppError } from '../../lib/errors.js';
import type { WriteContext } from '../../modules/common/items.js';
import type { CardItem, ItemType } from '../../modules/chat/cards.js';
import type { Event } from '../../modules/events/events.schemas.js';
import type { Memo } from '../../modules/memos/memos.schemas.js';
import { OPEN_STATUSES } from '../../modules/todos/todos.repository.js';
import type { Todo } from '../../modules/todos/todos.schemas.js';
import { describeEvent, describeMemo, describeTodo } from '../replies.js';
import type { Context } from './context.js';

/** How many items of a type a target is matched against. */
const CANDIDATES = 500;

export interface ItemGateway<T extends CardItem> {
  readonly type: ItemType;
  /** "todo", "event", "memo": the word replies use. */
  readonly noun: string;
  /** The item, or null when it no longer exists. */
  find(id: string): Promise<T | null>;
  /** The user's items, newest first: what a target is resolved against. */
  candidates(): Promise<T[]>;
  /** `"Dentist" tomorrow at 3:00 PM`. */
  describe(item: T): string;
  remove(id: string, ctx: WriteContext): Promise<T>;
  /** Still relevant (an open todo, an event to come): what some intents prefer among matches. */
  live?: (item: T) => boolean;
  /** The text a target is matched against (default: the title). */
  matchText?: (item: T) => string;
}

/** An item of some type, with what the cross-type paths show of it. */
export interface Shown {
  type: ItemType;
  item: CardItem;
  description: string;
  noun: string;
}

export interface Gateways {
  todo: ItemGateway<Todo>;
  event: ItemGateway<Event>;
  memo: ItemGateway<Memo>;
}

const isNotFound = (err: unknown) => err instanceof AppError && err.code === 'NOT_FOUND';

/** `get` that answers null for a missing item. */
function findVia<T>(get: (id: string) => Promise<T>): (id: string) => Promise<T | null> {
  return async (id) => {
    try {
      return await get(id);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  };
}

export function createGateways(ctx: Context): Gateways {
  const { todos, events, memos } = ctx.deps;
  return {
    todo: {
      type: 'todo',
      noun: 'todo',
      find: findVia((id) => todos.get(id)),
      candidates: () => todos.find({}, { column: 'created_at', direction: 'desc' }, CANDIDATES),
      describe: (t) => describeTodo(t, ctx.replyClock()),
      remove: (id, w) => todos.remove(id, w),
      live: (t) => OPEN_STATUSES.includes(t.status),
    },
    event: {
      type: 'event',
      noun: 'event',
      find: findVia((id) => events.get(id)),
      async candidates() {
        const today = DateTime.fromJSDate(ctx.deps.clock.now(), { zone: ctx.zone() }).toISODate()!;
        const [all, upcoming] = await Promise.all([
          events.list({ page: 1, limit: 200 }),
          events.list({ start_after: today, page: 1, limit: 200 }),
        ]);
        const byId = new Map<string, Event>();
        for (const e of [...upcoming.items, ...all.items]) if (!byId.has(e.id)) byId.set(e.id, e);
        return [...byId.values()].sort((a, b) =>
          a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0,
        );
      },
      describe: (e) => describeEvent(e, ctx.replyClock()),
      remove: (id, w) => events.remove(id, w),
      // A recurring event (a listed occurrence says so) is always still to come.
      live: (e) =>
        ('is_recurring' in e && e.is_recurring === true) ||
        (e.end_time ?? e.start_time) >= ctx.deps.clock.now().toISOString(),
    },
    memo: {
      type: 'memo',
      noun: 'memo',
      find: findVia((id) => memos.get(id)),
      candidates: async () => (await memos.list({ page: 1, limit: 100 })).items,
      describe: (m) => describeMemo(m),
      remove: (id, w) => memos.remove(id, w),
      matchText: (m) => `${m.title} ${m.content}`,
    },
  };
}

/** The item of `id` as `Shown`, through its gateway; null when it no longer exists. */
export async function findShown<T extends CardItem>(g: ItemGateway<T>, id: string): Promise<Shown | null> {
  const item = await g.find(id);
  return item && shown(g, item);
}

export function shown<T extends CardItem>(g: ItemGateway<T>, item: T): Shown {
  return { type: g.type, item, description: g.describe(item), noun: g.noun };
}

/** A gateway with its item type erased: what the cross-type paths (card buttons, "delete it") use. */
export interface AnyGateway {
  readonly noun: string;
  find(id: string): Promise<Shown | null>;
  remove(id: string, ctx: WriteContext): Promise<CardItem>;
}

function erase<T extends CardItem>(g: ItemGateway<T>): AnyGateway {
  return { noun: g.noun, find: (id) => findShown(g, id), remove: (id, w) => g.remove(id, w) };
}

export function anyGateways(all: Gateways): Record<ItemType, AnyGateway> {
  return { todo: erase(all.todo), event: erase(all.event), memo: erase(all.memo) };
}
