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
import type { TodosService } from '../todos/todos.service.js';
import { OPEN_STATUSES } from '../todos/todos.repository.js';
import type { Todo } from '../todos/todos.schemas.js';
import type { Greeting } from './today.schemas.js';

export interface Today {
  today_tasks: Todo[];
  overdue_tasks: Todo[];
  today_events: EventOccurrence[];
  inbox_count: number;
  greeting: Greeting;
  date: string;
  timezone: string;
}

/** What building the day reads: todos and event occurrences. */
export interface TodaySources {
  todos: Pick<TodosService, 'find' | 'count'>;
  events: { occurrencesBetween(from: Date, to: Date): Promise<EventOccurrence[]> };
}

export interface TodayDeps extends TodaySources {
  clock: Clock;
  /** The owner's configured zone. */
  timezone: () => string;
}

export type TodayService = ReturnType<typeof createTodayService>;

/** Caps on the lists (a day with more open todos than this is shown in part). */
const MAX_TASKS = 500;

export function greetingFor(localHour: number): Greeting {
  if (localHour < 12) return 'Good morning';
  if (localHour < 18) return 'Good afternoon';
  return 'Good evening';
}

/**
 * The day of `now` in `zone`: what `GET /api/today` answers and the briefing summarises.
 * `maxTasks` caps each todo list (a prompt wants a glance, not hundreds of titles).
 */
export async function buildToday(
  sources: TodaySources,
  now: Date,
  zone: string,
  maxTasks = MAX_TASKS,
): Promise<Today> {
  const nowIso = now.toISOString();
  const dayStart = startOfLocalDay(now, zone);
  const dayEnd = nextLocalMidnight(now, zone);

  const [dueToday, inProgressUndated, overdue, events, inbox] = await Promise.all([
    // Due from now to the end of the local day: a bare-date due today (end of day) is here, not overdue.
    sources.todos.find(
      { statuses: OPEN_STATUSES, dueAfter: nowIso, dueBefore: endOfLocalDay(now, zone).toISOString() },
      { column: 'due_date', direction: 'asc' },
      maxTasks,
    ),
    sources.todos.find(
      { statuses: ['in_progress'], noDueDate: true },
      { column: 'created_at', direction: 'asc' },
      maxTasks,
    ),
    sources.todos.find(
      { statuses: OPEN_STATUSES, dueStrictlyBefore: nowIso },
      { column: 'due_date', direction: 'asc' },
      maxTasks,
    ),
    sources.events.occurrencesBetween(dayStart, dayEnd),
    sources.todos.count({ statuses: ['pending'], noDueDate: true }),
  ]);

  // Each todo once (an in-progress todo could in principle match both reads).
  const todayTasks = [...new Map([...dueToday, ...inProgressUndated].map((t) => [t.id, t])).values()];
  const todayEvents = [...events].sort(
    (a, b) => a.occurrence_start.localeCompare(b.occurrence_start) || a.id.localeCompare(b.id),
  );

  return {
    today_tasks: todayTasks,
    overdue_tasks: overdue,
    today_events: todayEvents,
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
    /** Today in the configured zone, or in `tz` for this call. */
    async get(tz?: string, maxTasks = MAX_TASKS): Promise<Today> {
      if (tz !== undefined && !isUsableZone(tz))
        throw validationError('tz', 'tz must be an IANA timezone such as Asia/Seoul', tz);
      return buildToday(deps, deps.clock.now(), tz ?? deps.timezone(), maxTasks);
    },
    build: (now: Date, zone: string): Promise<Today> => buildToday(deps, now, zone),
  };
}
