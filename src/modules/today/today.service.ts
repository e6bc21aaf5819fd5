/**
 * "Today" (BEHAVIOUR.md "Today"): the owner's day in their zone, read from the injected clock.
 * `buildToday` is shared with the daily briefing.
 */
import { DateTime } from 'luxon';
import { isValidTimezone } from '../../config.js';
import type { Clock } from '../../lib/clock.js';
import { validationError } from '../../lib/errors.js';
import { endOfLocalDay, inZone, localDate, nextLocalMidnight, startOfLocalDay } from '../../lib/time.js';
import type { EventOccurrence } from '../events/events.schemas.js';
import type { EventsService } from '../events/events.service.js';
import type { TodosService } from '../todos/todos.service.js';
import { OPEN_STATUSES } from '../todos/todos.repository.js';
import type { Todo } from '../todos/todos.schemas.js';
import { DEFAULT_LIMIT, MAX_LIMIT, type Greeting } from './today.schemas.js';

export interface Today {
  today_tasks: Todo[];
  overdue_tasks: Todo[];
  today_events: EventOccurrence[];
  /** The full counts of the three (capped) lists. */
  today_tasks_total: number;
  overdue_total: number;
  today_events_total: number;
  inbox_count: number;
  greeting: Greeting;
  date: string;
  timezone: string;
}

/** What building the day reads: todos and event occurrences. */
export interface TodaySources {
  todos: Pick<TodosService, 'find' | 'count'>;
  events: Pick<EventsService, 'firstOccurrences'>;
}

export interface TodayDeps extends TodaySources {
  clock: Clock;
  /** The owner's configured zone. */
  timezone: () => string;
}

export type TodayService = ReturnType<typeof createTodayService>;

export function greetingFor(localHour: number): Greeting {
  if (localHour < 12) return 'Good morning';
  if (localHour < 18) return 'Good afternoon';
  return 'Good evening';
}

/**
 * The day of `now` in `zone`: what `GET /api/today` answers and the briefing summarises.
 * `limit` caps each list (a home screen or a prompt wants a glance); the totals count them all.
 */
export async function buildToday(
  sources: TodaySources,
  now: Date,
  zone: string,
  limit = MAX_LIMIT,
): Promise<Today> {
  const nowIso = now.toISOString();
  const dayStart = startOfLocalDay(now, zone);
  const dayEnd = nextLocalMidnight(now, zone);

  // Due from now to the end of the local day: a bare-date due today (end of day) is here, not overdue.
  const dueTodayFilter = {
    statuses: OPEN_STATUSES,
    dueAfter: nowIso,
    dueBefore: endOfLocalDay(now, zone).toISOString(),
  };
  // Disjoint from the above (no due date), so the two counts add up.
  const undatedFilter = { statuses: ['in_progress'], noDueDate: true };
  const overdueFilter = { statuses: OPEN_STATUSES, dueStrictlyBefore: nowIso };
  const byDue = { column: 'due_date', direction: 'asc' } as const;
  const [dueToday, inProgressUndated, overdue, events, counts, inbox] = await Promise.all([
    sources.todos.find(dueTodayFilter, byDue, limit),
    sources.todos.find(undatedFilter, { column: 'created_at', direction: 'asc' }, limit),
    sources.todos.find(overdueFilter, byDue, limit),
    sources.events.firstOccurrences(dayStart, dayEnd, limit),
    Promise.all([dueTodayFilter, undatedFilter, overdueFilter].map((f) => sources.todos.count(f))),
    sources.todos.count({ statuses: ['pending'], noDueDate: true }),
  ]);
  const [dueTodayTotal, undatedTotal, overdueTotal] = counts as [number, number, number];
  return {
    today_tasks: [...dueToday, ...inProgressUndated].slice(0, limit),
    overdue_tasks: overdue,
    // By start, then id (the events service's order).
    today_events: events.items,
    today_tasks_total: dueTodayTotal + undatedTotal,
    overdue_total: overdueTotal,
    today_events_total: events.total,
    inbox_count: inbox,
    greeting: greetingFor(inZone(now, zone).hour),
    date: localDate(now, zone),
    timezone: zone,
  };
}

/** An IANA zone both Intl and Luxon understand. */
function isUsableZone(zone: string): boolean {
  return isValidTimezone(zone) && DateTime.now().setZone(zone).isValid;
}

export function createTodayService(deps: TodayDeps) {
  return {
    /** Today in the configured zone, or in `tz` for this call; at most `limit` per list. */
    async get(tz?: string, limit = DEFAULT_LIMIT): Promise<Today> {
      if (tz !== undefined && !isUsableZone(tz))
        throw validationError('tz', 'tz must be an IANA timezone such as Asia/Seoul', tz);
      return buildToday(deps, deps.clock.now(), tz ?? deps.timezone(), limit);
    },
    build: (now: Date, zone: string): Promise<Today> => buildToday(deps, now, zone),
  };
}
