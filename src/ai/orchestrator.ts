/**
 * The orchestrator (BEHAVIOUR.md "Orchestration"): a classified message becomes calls to the
 * same services the REST API uses (same validation, same events, held by the turn), a short
 * confirmation and, for actions, a card. Free-form chat streams the LLM's answer.
 * Card buttons (`action_response`) and the pending "when?" of an event land here too.
 */
import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import type { WriteContext } from '../modules/common/items.js';
import {
  agentTaskCard,
  briefingCard,
  chooseCard,
  confirmDeleteCard,
  itemCard,
  listCard,
  searchCard,
  type ActionParams,
  type Card,
  type CardActionName,
  type CardItem,
  type ItemType,
  type StoredCard,
  ITEM_TYPES,
} from '../modules/chat/cards.js';
import { cardOf } from '../modules/chat/chat.mappers.js';
import type { Message } from '../modules/chat/chat.schemas.js';
import type { TurnHandler } from '../modules/chat/chat.service.js';
import { failureOutcome, type TurnIO, type TurnOutcome } from '../modules/chat/turns.js';
import type { Event, EventCreate, EventOccurrence, EventPatch } from '../modules/events/events.schemas.js';
import type { EventsService } from '../modules/events/events.service.js';
import type { MemosService } from '../modules/memos/memos.service.js';
import type { Memo, MemoPatch } from '../modules/memos/memos.schemas.js';
import type { SearchService } from '../modules/search/search.service.js';
import type { Today } from '../modules/today/today.service.js';
import type { TodosService } from '../modules/todos/todos.service.js';
import { OPEN_STATUSES } from '../modules/todos/todos.repository.js';
import type { Todo, TodoListQuery, TodoPatch } from '../modules/todos/todos.schemas.js';
import type { Classification, Intent, IntentParams, UnderstandContext } from './intents.js';
import {
  LIST_MAX,
  describeEvent,
  describeMemo,
  describeTodo,
  formatWhen,
  plural,
  readableList,
  type ReplyClock,
} from './replies.js';
import { readItemChange, type Shift } from './offline/item-change.js';
import { isReferential, resolveTarget, type Resolution } from './resolve-target.js';
import {
  AiUnavailableError,
  type AiProvider,
  type ChatMessage,
  type Classifier,
  type ClassifyResult,
} from './types.js';

/** Messages of chat history given to the LLM (BEHAVIOUR.md: the last 20). */
const CHAT_HISTORY = 20;
/** Recent turns the classifier sees, so "move it to Friday" resolves. */
const CLASSIFY_HISTORY = 6;
const CANDIDATES = 500;
/**
 * Items per list in the system prompt's day and the offline briefing: a glance fits a small
 * model's context, and building it stays cheap however many todos are overdue.
 */
const GLANCE_ITEMS = 20;

/** A background task as the orchestrator needs it (the agent-tasks service plugs in here). */
export interface AgentTasksPort {
  create(
    input: { task_type?: string; instruction: string; conversation_id: string },
    ctx: WriteContext,
  ): Promise<{ id: string; task_type: string; instruction: string; status: string }>;
}

/** The daily briefing (the briefing module plugs in here). */
export interface BriefingPort {
  /** `signal`: the turn's (`stop`); an abort rejects. */
  build(signal?: AbortSignal): Promise<{ text: string; date: string }>;
}

/** Reads a reply to "when is it?" (`at 4pm`) as a local start (and end), or null when it says anything else. */
export type FollowUpTimeReader = (
  text: string,
  ctx: UnderstandContext,
  day?: string,
) => { start_time: string; end_time?: string } | null;

export interface OrchestratorDeps {
  todos: Pick<TodosService, 'create' | 'update' | 'remove' | 'get' | 'list' | 'find'>;
  events: Pick<EventsService, 'create' | 'update' | 'remove' | 'get' | 'list' | 'occurrencesBetween'>;
  memos: Pick<MemosService, 'create' | 'update' | 'remove' | 'get' | 'list'>;
  search?: Pick<SearchService, 'search'>;
  today?: { get(tz?: string, maxTasks?: number): Promise<Today> };
  briefing?: BriefingPort;
  agentTasks?: AgentTasksPort;
  classifier: Classifier;
  provider: AiProvider;
  clock: Clock;
  timezone: () => string;
  ai: Pick<Config['ai'], 'shareContext' | 'systemPrompt'>;
  /** The conversation's messages before `messageId` (or up to it, inclusive), oldest first. */
  history(conversationId: string, messageId: string, limit: number, inclusive?: boolean): Promise<Message[]>;
  readFollowUpTime?: FollowUpTimeReader;
}

/** The request a `create_event` without a time keeps in the asking message's metadata. */
interface PendingEvent {
  intent: 'create_event';
  params: IntentParams;
  /** The day the first message gave (`YYYY-MM-DD`), if any. */
  day?: string;
}

type AnyItem = Todo | Event | Memo;

const NOUN: Record<ItemType, string> = { todo: 'todo', event: 'event', memo: 'memo' };
/** A target that says which kind of item it means ("the last todo", "that event"). */
const NAMES_A_TYPE =
  /\b(?:todos?|to-dos?|tasks?|reminders?|events?|appointments?|meetings?|memos?|notes?)\b/i;

const isNotFound = (err: unknown) => err instanceof AppError && err.code === 'NOT_FOUND';

function defined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The user/assistant text of a conversation, as LLM messages (failures and empty rows left out). */
function asChat(messages: readonly Message[]): ChatMessage[] {
  return messages
    .filter(
      (m) =>
        m.content.trim() !== '' &&
        m.message_type !== 'system' &&
        m.role !== 'system' &&
        m.status !== 'streaming',
    )
    .map((m) => ({ role: m.role === 'user' ? 'user' : 'assistant', content: m.content }));
}

function text(content: string, intent: Intent | null, extra: Partial<TurnOutcome> = {}): TurnOutcome {
  return { content, intent, ...extra };
}

function withCard(content: string, intent: Intent | null, card: Card): TurnOutcome {
  return { content, intent, card };
}

/** What the message says about the item beyond the params (offline/item-change.ts). */
interface ChangeOptions {
  /** The message named a time of day but no day ("push the standup to 11"): keep the item's day. */
  keepDay?: boolean;
  /** "delay the team lunch by an hour": applied when no new time was given. */
  shift?: Shift;
  /** "extend the planning meeting to 2 hours": the new length of a timed event. */
  lengthMinutes?: number;
  /** "add bread to my grocery note": the new text goes after the memo's, not instead of it. */
  appends?: boolean;
}

/** A memo's text with `addition` after it: on the same line for a short list ("milk, eggs"). */
function appendText(content: string, addition: string): string {
  const lines = content.replace(/\s+$/, '').split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (!content.trim()) return addition;
  if (/,\s*\S/.test(last) && !addition.includes('\n') && addition.split(/\s+/).length <= 6)
    return `${content.replace(/\s+$/, '')}, ${addition}`;
  return `${content.replace(/\s+$/, '')}\n${addition}`;
}

/** An instant moved by a shift on the owner's wall clock: UTC ISO, or a bare local date. */
function shifted(iso: string, shift: Shift, zone: string, bare = false): string {
  const moved = DateTime.fromISO(iso, { zone }).plus(shift);
  return bare ? moved.toISODate()! : moved.toUTC().toISO()!;
}

const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2})?)$/;

/**
 * Local date-times the classifier dated by itself (`start`, then `end`), moved by the same number
 * of days so that `start` falls on the local day of `itemIso`. Bare dates and absolute instants
 * stay as they are.
 */
function onItemDay(
  itemIso: string | null | undefined,
  zone: string,
  start: string | undefined,
  end?: string,
): [string | undefined, string | undefined] {
  const m = start ? LOCAL_DATE_TIME.exec(start) : null;
  if (!m || !itemIso) return [start, end];
  const day = DateTime.fromISO(itemIso, { zone }).startOf('day');
  const days = Math.round(day.diff(DateTime.fromISO(m[1]!, { zone }), 'days').days);
  const shift = (value: string | undefined) => {
    const v = value ? LOCAL_DATE_TIME.exec(value) : null;
    if (!v) return value;
    return `${DateTime.fromISO(v[1]!, { zone }).plus({ days }).toISODate()}${v[2]}`;
  };
  return [shift(start), shift(end)];
}

export function createOrchestrator(deps: OrchestratorDeps): TurnHandler {
  const understandCtx = (): UnderstandContext => ({ now: deps.clock.now(), timezone: deps.timezone() });
  const replyClock = (): ReplyClock => ({ now: deps.clock.now(), timezone: deps.timezone() });
  const writeCtx = (io: TurnIO): WriteContext => ({
    conversationId: io.conversationId,
    messageId: io.userMessageId,
    publish: io.publish,
  });

  // ---- items by type ------------------------------------------------------------------------

  async function getItem(type: ItemType, id: string): Promise<AnyItem> {
    switch (type) {
      case 'todo':
        return deps.todos.get(id);
      case 'event':
        return deps.events.get(id);
      case 'memo':
        return deps.memos.get(id);
    }
  }

  async function findItem(type: ItemType, id: string): Promise<AnyItem | null> {
    try {
      return await getItem(type, id);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  function describe(type: ItemType, item: AnyItem): string {
    switch (type) {
      case 'todo':
        return describeTodo(item as Todo, replyClock());
      case 'event':
        return describeEvent(item as Event, replyClock());
      case 'memo':
        return describeMemo(item);
    }
  }

  /** The user's items of a type, newest first: what a target is resolved against. */
  async function candidates(type: ItemType): Promise<AnyItem[]> {
    switch (type) {
      case 'todo':
        return deps.todos.find({}, { column: 'created_at', direction: 'desc' }, CANDIDATES);
      case 'memo':
        return (await deps.memos.list({ page: 1, limit: 100 })).items;
      case 'event': {
        const today = DateTime.fromJSDate(deps.clock.now(), { zone: deps.timezone() }).toISODate()!;
        const [all, upcoming] = await Promise.all([
          deps.events.list({ page: 1, limit: 200 }),
          deps.events.list({ start_after: today, page: 1, limit: 200 }),
        ]);
        const byId = new Map<string, EventOccurrence>();
        for (const e of [...upcoming.items, ...all.items]) if (!byId.has(e.id)) byId.set(e.id, e);
        return [...byId.values()].sort((a, b) =>
          a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0,
        );
      }
    }
  }

  /** The item of this type the conversation showed last ("it", "the last one"). */
  /** The item (of `type`, or of any type) the conversation showed last: "it", "the last one". */
  async function lastShown(
    type: ItemType | null,
    history: readonly Message[],
  ): Promise<{ type: ItemType; item: AnyItem } | null> {
    let tries = 0;
    for (let i = history.length - 1; i >= 0 && tries < 5; i--) {
      const card = cardOf(history[i]!);
      if (!card) continue;
      let shown: { type: ItemType; id: string | undefined } | null = null;
      const [prefix] = card.card_type.split('_');
      const single = !card.card_type.endsWith('_list') && !card.card_type.endsWith('_deleted');
      if ((ITEM_TYPES as readonly string[]).includes(prefix!) && single)
        shown = { type: prefix as ItemType, id: (card.payload as CardItem | null)?.id };
      else if (card.card_type === 'confirm' && card.actions[0])
        shown = {
          type: card.actions[0].params.type,
          id: (card.payload as { item?: CardItem } | null)?.item?.id,
        };
      if (!shown?.id || (type !== null && shown.type !== type)) continue;
      tries++;
      const item = await findItem(shown.type, shown.id);
      if (item) return { type: shown.type, item };
    }
    return null;
  }

  async function lastReferenced(type: ItemType, history: readonly Message[]): Promise<AnyItem | null> {
    return (await lastShown(type, history))?.item ?? null;
  }

  async function resolve(
    type: ItemType,
    p: IntentParams,
    history: readonly Message[],
    prefer?: (item: AnyItem) => boolean,
  ) {
    const target = p.target ?? p.title;
    const [items, last] = await Promise.all([candidates(type), lastReferenced(type, history)]);
    return resolveTarget<AnyItem>(target, items, {
      lastReferenced: last,
      prefer,
      text: type === 'memo' ? (m) => `${m.title} ${(m as Memo).content}` : undefined,
    });
  }

  // ---- acting on one resolved item ----------------------------------------------------------

  async function completeTodo(io: TurnIO, todo: Todo): Promise<TurnOutcome> {
    if (todo.status === 'completed') return text(`"${todo.title}" is already done.`, 'complete_todo');
    const done = await deps.todos.update(todo.id, { status: 'completed' }, writeCtx(io));
    return withCard(`Marked "${done.title}" as done.`, 'complete_todo', itemCard('todo', 'completed', done));
  }

  function confirmDelete(type: ItemType, item: AnyItem, intent: Intent): TurnOutcome {
    return withCard(
      `Delete the ${NOUN[type]} ${describe(type, item)}? Please confirm.`,
      intent,
      confirmDeleteCard(type, item),
    );
  }

  async function updateTodo(
    io: TurnIO,
    todo: Todo,
    p: IntentParams,
    opts: ChangeOptions = {},
  ): Promise<TurnOutcome> {
    let [due] = opts.keepDay ? onItemDay(todo.due_date, deps.timezone(), p.due_date) : [p.due_date];
    if (due === undefined && opts.shift && todo.due_date) {
      const bare = !todo.due_has_time;
      if (!bare || opts.shift.days) due = shifted(todo.due_date, opts.shift, deps.timezone(), bare);
    }
    const patch: TodoPatch = defined({
      title: p.new_title,
      description: p.description,
      priority: p.priority,
      due_date: due,
      tags: p.tags,
      status: p.status,
    });
    if (Object.keys(patch).length === 0)
      return text(`What should I change about "${todo.title}"?`, 'update_todo');
    const updated = await deps.todos.update(todo.id, patch, writeCtx(io));
    return withCard(
      `Updated ${describeTodo(updated, replyClock())}.`,
      'update_todo',
      itemCard('todo', 'updated', updated),
    );
  }

  async function updateEvent(
    io: TurnIO,
    event: Event,
    p: IntentParams,
    opts: ChangeOptions = {},
  ): Promise<TurnOutcome> {
    const zone = deps.timezone();
    if (opts.keepDay) {
      const [start_time, end_time] = onItemDay(event.start_time, zone, p.start_time, p.end_time);
      p = { ...p, ...defined({ start_time, end_time }) };
    }
    if (p.start_time === undefined && p.end_time === undefined) {
      const bare = event.is_all_day;
      if (opts.shift && (!bare || opts.shift.days)) {
        p = {
          ...p,
          start_time: shifted(event.start_time, opts.shift, zone, bare),
          ...(event.end_time ? { end_time: shifted(event.end_time, opts.shift, zone, bare) } : {}),
        };
      } else if (opts.lengthMinutes && !bare) {
        const end = DateTime.fromISO(event.start_time).plus({ minutes: opts.lengthMinutes });
        p = { ...p, end_time: end.toUTC().toISO()! };
      }
    }
    const patch: EventPatch = defined({
      title: p.new_title,
      start_time: p.start_time,
      end_time: p.end_time,
      description: p.description,
      location: p.location,
      is_all_day: p.is_all_day,
      reminder_minutes: p.reminder_minutes,
      recurrence_rule: p.recurrence_rule,
      tags: p.tags,
    });
    if (Object.keys(patch).length === 0)
      return text(`What should I change about "${event.title}"?`, 'update_event');
    const updated = await deps.events.update(event.id, patch, writeCtx(io));
    return withCard(
      `Updated ${describeEvent(updated, replyClock())}.`,
      'update_event',
      itemCard('event', 'updated', updated),
    );
  }

  async function updateMemo(
    io: TurnIO,
    memo: Memo,
    p: IntentParams,
    opts: ChangeOptions = {},
  ): Promise<TurnOutcome> {
    const content = p.content !== undefined && opts.appends ? appendText(memo.content, p.content) : p.content;
    const patch: MemoPatch = defined({ content, title: p.new_title, tags: p.tags });
    if (Object.keys(patch).length === 0)
      return text(`What should I change in the memo "${memo.title}"?`, 'update_memo');
    const updated = await deps.memos.update(memo.id, patch, writeCtx(io));
    return withCard(
      `Updated the memo "${updated.title}".`,
      'update_memo',
      itemCard('memo', 'updated', updated),
    );
  }

  /** What a target intent does once its item is known (from text, or from a `choose` card). */
  async function actOn(
    io: TurnIO,
    intent: Intent,
    type: ItemType,
    item: AnyItem,
    p: IntentParams,
    opts: ChangeOptions = {},
  ): Promise<TurnOutcome> {
    switch (intent) {
      case 'complete_todo':
        return completeTodo(io, item as Todo);
      case 'update_todo':
        return updateTodo(io, item as Todo, p, opts);
      case 'update_event':
        return updateEvent(io, item as Event, p, opts);
      case 'update_memo':
        return updateMemo(io, item as Memo, p, opts);
      case 'delete_todo':
      case 'delete_event':
      case 'delete_memo':
        return confirmDelete(type, item, intent);
      case 'general_chat':
      case 'create_todo':
      case 'query_todos':
      case 'create_event':
      case 'query_events':
      case 'create_memo':
      case 'query_memos':
      case 'search':
      case 'delegate_task':
      case 'daily_briefing':
        // Not a request about one item: just show the one that was picked.
        return text(`Here it is: ${describe(type, item)}.`, intent);
    }
  }

  async function targeted(
    io: TurnIO,
    intent: Intent,
    type: ItemType,
    p: IntentParams,
    history: readonly Message[],
    prefer?: (item: AnyItem) => boolean,
    opts: ChangeOptions = {},
  ): Promise<TurnOutcome> {
    const found: Resolution<AnyItem> = await resolve(type, p, history, prefer);
    switch (found.kind) {
      case 'one':
        return actOn(io, intent, type, found.item, p, opts);
      case 'many':
        return withCard(
          `I found ${plural(found.items.length, NOUN[type])} that could match. Which one do you mean?`,
          intent,
          chooseCard(type, found.items, intent, p),
        );
      case 'none': {
        const what = p.target ?? p.title;
        return text(
          what ? `I couldn't find a ${NOUN[type]} matching "${what}".` : `Which ${NOUN[type]} do you mean?`,
          intent,
        );
      }
    }
  }

  /**
   * "Delete the last one" / "delete it": the item the conversation showed last, whatever its
   * type (the understander can only guess the type from such words). Otherwise by text.
   */
  async function deleteTarget(
    io: TurnIO,
    intent: Intent,
    type: ItemType,
    p: IntentParams,
    history: readonly Message[],
    prefer?: (item: AnyItem) => boolean,
  ): Promise<TurnOutcome> {
    const target = p.target ?? p.title;
    if (isReferential(target) && !NAMES_A_TYPE.test(target ?? '')) {
      const shown = await lastShown(null, history);
      if (shown) return confirmDelete(shown.type, shown.item, `delete_${shown.type}`);
    }
    return targeted(io, intent, type, p, history, prefer);
  }

  // ---- intents ------------------------------------------------------------------------------

  async function createTodo(io: TurnIO, p: IntentParams, message: string): Promise<TurnOutcome> {
    const todo = await deps.todos.create(
      {
        title: (p.title ?? message).trim().slice(0, 500),
        ...defined({
          description: p.description,
          priority: p.priority,
          due_date: p.due_date,
          tags: p.tags,
          status: p.status,
        }),
      },
      writeCtx(io),
    );
    return withCard(
      `Added ${describeTodo(todo, replyClock())} to your todos.`,
      'create_todo',
      itemCard('todo', 'created', todo),
    );
  }

  async function queryTodos(p: IntentParams): Promise<TurnOutcome> {
    const query: TodoListQuery = {
      status: p.status ?? OPEN_STATUSES.join(','),
      sort: 'due_date',
      page: 1,
      limit: LIST_MAX,
      ...defined({
        priority: p.priority,
        due_after: p.date_from ?? p.due_date,
        due_before: p.date_to ?? p.due_date,
        q: p.query,
        tag: p.tags?.[0],
      }),
    };
    const { items, total } = await deps.todos.list(query);
    const kind = p.status ? p.status.replace('_', ' ') : 'open';
    const c = replyClock();
    const content =
      total === 0
        ? `You have no ${kind} todos${query.q || query.tag || query.due_after || query.priority ? ' matching that' : ''}.`
        : `You have ${plural(total, `${kind} todo`)}:\n${readableList(
            items.map((t) => describeTodo(t, c)),
            total,
          )}`;
    return withCard(content, 'query_todos', listCard('todo', items, total));
  }

  async function createEvent(io: TurnIO, p: IntentParams, message: string): Promise<TurnOutcome> {
    const title = (p.title ?? message).trim().slice(0, 500);
    // No start, or a day with `is_all_day: false` (a day without its time): ask for the time.
    const dayOnly =
      p.start_time !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(p.start_time) && p.is_all_day === false;
    if (!p.start_time || dayOnly) {
      const { start_time: day, ...rest } = p;
      const pending: PendingEvent = {
        intent: 'create_event',
        params: { ...rest, title },
        ...(dayOnly ? { day } : {}),
      };
      const on = dayOnly ? ` on ${formatWhen(day!, false, replyClock())}` : '';
      return text(`What time is "${title}"${on}? Tell me a time, like "3pm".`, 'create_event', {
        metadata: { pending },
      });
    }
    const input: EventCreate = {
      title,
      start_time: p.start_time,
      ...defined({
        end_time: p.end_time,
        description: p.description,
        location: p.location,
        is_all_day: p.is_all_day,
        reminder_minutes: p.reminder_minutes,
        recurrence_rule: p.recurrence_rule,
        tags: p.tags,
      }),
    };
    const event = await deps.events.create(input, writeCtx(io));
    return withCard(
      `Scheduled ${describeEvent(event, replyClock())}.`,
      'create_event',
      itemCard('event', 'created', event),
    );
  }

  async function queryEvents(p: IntentParams): Promise<TurnOutcome> {
    const zone = deps.timezone();
    const today = DateTime.fromJSDate(deps.clock.now(), { zone });
    const from = p.date_from ?? today.toISODate()!;
    // One day asked about ("what's on Friday") is that day; nothing asked is the coming week.
    const to = p.date_to ?? (p.date_from ? p.date_from : today.plus({ days: 6 }).toISODate()!);
    const { items, total } = await deps.events.list({
      start_after: from,
      start_before: to,
      page: 1,
      limit: LIST_MAX,
      ...defined({ q: p.query, tag: p.tags?.[0] }),
    });
    const c = replyClock();
    const content =
      total === 0
        ? `Nothing on your calendar${p.query ? ` matching "${p.query}"` : ''} for that time.`
        : `You have ${plural(total, 'event')}:\n${readableList(
            items.map((e) => describeEvent(e, c)),
            total,
          )}`;
    return withCard(content, 'query_events', listCard('event', items, total));
  }

  async function createMemo(io: TurnIO, p: IntentParams, message: string): Promise<TurnOutcome> {
    const content = (p.content ?? p.description ?? message).trim() || message;
    const memo = await deps.memos.create(
      { content, ...defined({ title: p.title, tags: p.tags }) },
      writeCtx(io),
    );
    return withCard(`Saved a memo: "${memo.title}".`, 'create_memo', itemCard('memo', 'created', memo));
  }

  async function queryMemos(p: IntentParams): Promise<TurnOutcome> {
    const { items, total } = await deps.memos.list({
      page: 1,
      limit: LIST_MAX,
      ...defined({ q: p.query, tag: p.tags?.[0] }),
    });
    const content =
      total === 0
        ? `You have no memos${p.query ? ` matching "${p.query}"` : ''}.`
        : `You have ${plural(total, 'memo')}${p.query ? ` matching "${p.query}"` : ''}:\n${readableList(
            items.map((m) => describeMemo(m)),
            total,
          )}`;
    return withCard(content, 'query_memos', listCard('memo', items, total));
  }

  async function search(p: IntentParams, message: string): Promise<TurnOutcome> {
    const q = (p.query ?? message).trim();
    if (!deps.search) return text('Search is not available on this server.', 'search');
    const { items, total } = await deps.search.search({ q, page: 1, limit: LIST_MAX });
    const content =
      total === 0
        ? `I found nothing for "${q}".`
        : `I found ${plural(total, 'result')} for "${q}":\n${readableList(
            // A message in an untitled conversation has no title: its excerpt says what it is.
            items.map((h) => `${h.title.trim() || h.snippet.replace(/\*\*/g, '').slice(0, 80)} (${h.type})`),
            total,
          )}`;
    return withCard(content, 'search', searchCard(items, total));
  }

  async function delegate(io: TurnIO, p: IntentParams, message: string): Promise<TurnOutcome> {
    if (!deps.agentTasks)
      return text(
        "Background tasks aren't available on this server yet, so I can't run that for you in the background.",
        'delegate_task',
      );
    const task = await deps.agentTasks.create(
      {
        ...defined({ task_type: p.task_type }),
        instruction: (p.instruction ?? message).trim(),
        conversation_id: io.conversationId,
      },
      writeCtx(io),
    );
    return withCard(
      `I've queued a background ${task.task_type} task (${task.id}). I'll post the result here when it's done.`,
      'delegate_task',
      agentTaskCard(task),
    );
  }

  /** A compact list of today's tasks and events, for prompts and the offline briefing. */
  async function dayItems(): Promise<{
    tasks: Todo[];
    overdue: Todo[];
    events: EventOccurrence[];
    date: string;
    greeting: string;
  }> {
    const zone = deps.timezone();
    const now = deps.clock.now();
    const local = DateTime.fromJSDate(now, { zone });
    // One more than shown, so a list can say that it goes on.
    const today = deps.today ? await deps.today.get(undefined, GLANCE_ITEMS + 1) : null;
    if (today)
      return {
        tasks: today.today_tasks,
        overdue: today.overdue_tasks,
        events: today.today_events,
        date: today.date,
        greeting: today.greeting,
      };
    const start = local.startOf('day');
    const end = start.plus({ days: 1 });
    const [tasks, overdue, events] = await Promise.all([
      deps.todos.find(
        { statuses: OPEN_STATUSES, dueAfter: now.toISOString(), dueBefore: end.toJSDate().toISOString() },
        { column: 'due_date', direction: 'asc' },
        GLANCE_ITEMS + 1,
      ),
      deps.todos.find(
        { statuses: OPEN_STATUSES, dueStrictlyBefore: now.toISOString() },
        { column: 'due_date', direction: 'asc' },
        GLANCE_ITEMS + 1,
      ),
      deps.events.occurrencesBetween(start.toJSDate(), end.toJSDate()),
    ]);
    const hour = local.hour;
    return {
      tasks,
      overdue,
      events,
      date: local.toISODate()!,
      greeting: hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening',
    };
  }

  /** At most GLANCE_ITEMS of a list, and a word that it goes on. */
  function glance<T>(items: readonly T[], line: (item: T) => string): string {
    const shown = items.slice(0, GLANCE_ITEMS).map(line).join('; ');
    return items.length > GLANCE_ITEMS ? `${shown}; and more` : shown;
  }

  function timeOfDay(iso: string): string {
    return DateTime.fromISO(iso, { zone: deps.timezone() }).toFormat('h:mm a');
  }

  function eventLine(e: EventOccurrence): string {
    if (e.is_all_day) return `${e.title} (all day)`;
    return `${timeOfDay(e.start_time)}${e.end_time ? `–${timeOfDay(e.end_time)}` : ''} ${e.title}`;
  }

  function taskLine(t: Todo): string {
    return t.due_date && t.due_has_time ? `${t.title} (due ${timeOfDay(t.due_date)})` : t.title;
  }

  async function briefing(io: TurnIO): Promise<TurnOutcome> {
    if (deps.briefing) {
      let b: { text: string; date: string };
      try {
        b = await deps.briefing.build(io.signal);
      } catch (err) {
        if (io.signal.aborted) return text('', 'daily_briefing', { status: 'stopped' });
        throw err;
      }
      return withCard(b.text, 'daily_briefing', briefingCard(b.text, b.date));
    }
    const day = await dayItems();
    const when = DateTime.fromISO(day.date).toFormat('cccc, LLLL d');
    const lines = [`${day.greeting}! Here's your ${when}.`];
    lines.push(day.events.length ? `Events: ${glance(day.events, eventLine)}.` : 'No events today.');
    lines.push(day.tasks.length ? `Due today: ${glance(day.tasks, taskLine)}.` : 'Nothing due today.');
    if (day.overdue.length) lines.push(`Overdue: ${glance(day.overdue, (t) => t.title)}.`);
    const summary = lines.join('\n');
    return withCard(summary, 'daily_briefing', briefingCard(summary, day.date));
  }

  async function systemPrompt(): Promise<string> {
    const zone = deps.timezone();
    const now = DateTime.fromJSDate(deps.clock.now(), { zone });
    const parts = [
      'You are ClawChat, a concise and friendly personal assistant. The user manages todos, calendar events and memos with you.',
      `Now: ${now.toISO({ suppressMilliseconds: true })} (${now.toFormat('cccc')}), time zone ${zone}.`,
    ];
    if (deps.ai.shareContext) {
      const day = await dayItems();
      parts.push(`Today's tasks: ${day.tasks.length ? glance(day.tasks, taskLine) : 'none'}.`);
      if (day.overdue.length) parts.push(`Overdue tasks: ${glance(day.overdue, (t) => t.title)}.`);
      parts.push(`Today's events: ${day.events.length ? glance(day.events, eventLine) : 'none'}.`);
    }
    if (deps.ai.systemPrompt) parts.push(deps.ai.systemPrompt);
    return parts.join('\n');
  }

  async function streamAnswer(io: TurnIO, conversation: ChatMessage[]): Promise<TurnOutcome> {
    if (!deps.provider.enabled)
      return failureOutcome(new AiUnavailableError('No AI provider is configured'), 'general_chat');
    const messages: ChatMessage[] = [{ role: 'system', content: await systemPrompt() }, ...conversation];
    let result;
    try {
      result = await deps.provider.streamChat(messages, {
        signal: io.signal,
        onDelta: (delta) => io.emit(delta),
      });
    } catch (err) {
      if (io.signal.aborted) return text('', 'general_chat', { status: 'stopped' });
      return failureOutcome(err, 'general_chat');
    }
    return {
      content: result.content || (result.aborted ? '' : "I don't have an answer to that."),
      intent: 'general_chat',
      usage: result.usage,
      status: result.aborted ? 'stopped' : 'complete',
      metadata: result.truncated ? { truncated: true } : undefined,
      llmAvailable: true,
    };
  }

  async function dispatch(
    io: TurnIO,
    c: Classification,
    message: string,
    history: readonly Message[],
  ): Promise<TurnOutcome> {
    const p = c.params;
    switch (c.intent) {
      case 'general_chat':
        return streamAnswer(io, [
          ...asChat(history).slice(-(CHAT_HISTORY - 1)),
          { role: 'user', content: message },
        ]);
      case 'create_todo':
        return createTodo(io, p, message);
      case 'query_todos':
        return queryTodos(p);
      case 'update_todo':
        return targeted(
          io,
          'update_todo',
          'todo',
          p,
          history,
          (t) => OPEN_STATUSES.includes((t as Todo).status),
          changeOptions(p.due_date, message),
        );
      case 'complete_todo':
        return targeted(io, 'complete_todo', 'todo', p, history, (t) =>
          OPEN_STATUSES.includes((t as Todo).status),
        );
      case 'delete_todo':
        return deleteTarget(io, 'delete_todo', 'todo', p, history);
      case 'create_event':
        return createEvent(io, p, message);
      case 'query_events':
        return queryEvents(p);
      case 'update_event':
        return targeted(
          io,
          'update_event',
          'event',
          p,
          history,
          upcoming,
          changeOptions(p.start_time, message),
        );
      case 'delete_event':
        return deleteTarget(io, 'delete_event', 'event', p, history, upcoming);
      case 'create_memo':
        return createMemo(io, p, message);
      case 'query_memos':
        return queryMemos(p);
      case 'update_memo':
        return targeted(io, 'update_memo', 'memo', p, history, undefined, changeOptions(undefined, message));
      case 'delete_memo':
        return deleteTarget(io, 'delete_memo', 'memo', p, history);
      case 'search':
        return search(p, message);
      case 'delegate_task':
        return delegate(io, p, message);
      case 'daily_briefing':
        return briefing(io);
    }
  }

  /** What the words say about the item's time that the params cannot: see ChangeOptions. */
  function changeOptions(when: string | undefined, message: string): ChangeOptions {
    const change = readItemChange(message, understandCtx());
    return {
      keepDay: when !== undefined && change.namesNoDay,
      appends: change.appends,
      ...defined({ shift: change.shift, lengthMinutes: change.lengthMinutes }),
    };
  }

  function upcoming(item: AnyItem): boolean {
    const e = item as EventOccurrence;
    return e.is_recurring || (e.end_time ?? e.start_time) >= deps.clock.now().toISOString();
  }

  /** "at 4pm" right after "When is it?": completes the pending event; anything else drops it. */
  async function completePending(
    io: TurnIO,
    message: string,
    history: readonly Message[],
  ): Promise<TurnOutcome | null> {
    const previous = history[history.length - 1];
    const pending =
      previous?.role === 'assistant' ? (previous.metadata?.pending as PendingEvent | undefined) : undefined;
    if (!pending || pending.intent !== 'create_event' || !deps.readFollowUpTime) return null;
    const when = deps.readFollowUpTime(message, understandCtx(), pending.day);
    if (!when) return null;
    const { is_all_day: allDay, ...params } = pending.params;
    // A day without a time ("tomorrow"), unless all day was asked for: ask again for the time,
    // keeping the new day in the pending request.
    const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(when.start_time) && when.end_time === undefined;
    if (dayOnly && allDay !== true && !/\ball[\s-]?day\b/i.test(message))
      return createEvent(
        io,
        { ...params, start_time: when.start_time, is_all_day: false },
        params.title ?? message,
      );
    return createEvent(io, { ...params, ...when }, params.title ?? message);
  }

  async function classify(io: TurnIO, message: string, history: readonly Message[]): Promise<ClassifyResult> {
    return deps.classifier.classify(
      { text: message, history: asChat(history).slice(-CLASSIFY_HISTORY), ...understandCtx() },
      io.signal,
    );
  }

  return {
    async handleMessage(io, { text: message }) {
      const history = io.userMessageId
        ? await deps.history(io.conversationId, io.userMessageId, CHAT_HISTORY)
        : [];
      const followUp = await completePending(io, message, history);
      if (followUp) return followUp;
      let classification: ClassifyResult;
      try {
        classification = await classify(io, message, history);
      } catch (err) {
        if (io.signal.aborted) return text('', null, { status: 'stopped' });
        throw err;
      }
      const outcome = await dispatch(io, classification, message, history);
      return classification.source === 'llm' ? { llmAvailable: true, ...outcome } : outcome;
    },

    async regenerate(io) {
      if (!io.userMessageId) return text('There is nothing to answer.', null);
      const history = await deps.history(io.conversationId, io.userMessageId, CHAT_HISTORY, true);
      return streamAnswer(io, asChat(history));
    },

    async handleAction(io, { card, action, params }) {
      return runAction(io, card, action, params);
    },
  };

  async function runAction(
    io: TurnIO,
    card: StoredCard,
    action: CardActionName,
    params: ActionParams,
  ): Promise<TurnOutcome> {
    const type = params.type;
    const gone = () => text(`That ${NOUN[type]} no longer exists.`, null);
    switch (action) {
      case 'cancel':
        return text(card.card_type === 'confirm' ? "Okay, I won't delete it." : 'Okay, cancelled.', null);
      case 'complete_todo': {
        const todo = await findItem('todo', params.id);
        return todo ? completeTodo(io, todo as Todo) : gone();
      }
      case 'delete_todo':
      case 'delete_event':
      case 'delete_memo': {
        const item = await findItem(type, params.id);
        return item ? confirmDelete(type, item, `delete_${type}`) : gone();
      }
      case 'confirm_delete': {
        let removed: AnyItem;
        try {
          removed =
            type === 'todo'
              ? await deps.todos.remove(params.id, writeCtx(io))
              : type === 'event'
                ? await deps.events.remove(params.id, writeCtx(io))
                : await deps.memos.remove(params.id, writeCtx(io));
        } catch (err) {
          if (isNotFound(err)) return gone();
          throw err;
        }
        return withCard(
          `Deleted the ${NOUN[type]} "${removed.title}".`,
          `delete_${type}`,
          itemCard(type, 'deleted', removed),
        );
      }
      case 'choose': {
        const item = await findItem(type, params.id);
        if (!item) return gone();
        const intent = params.intent ?? `update_${type}`;
        return actOn(io, intent, type, item, params.pending ?? {});
      }
      case 'edit_todo':
      case 'edit_event':
      case 'edit_memo':
        return text('Edits are made in the app.', null);
    }
  }
}
