/**
 * Events: the rules behind `/api/events`, the calendar exports, and the occurrences "today" and
 * the scheduler read. Times are UTC instants; an event also keeps the zone it was written in,
 * which is the wall clock its recurrences and its all-day days follow.
 */
import type { EventRow, EventUpdate } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { notFound, orNotFound, unprocessable, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import {
  addLocalDays,
  nextLocalMidnight,
  parseTimeInput,
  startOfLocalDay,
  type ParsedTime,
} from '../../lib/time.js';
import type { EventSink } from '../../realtime/events.js';
import { newItemColumns, normaliseTags, publishChange, type WriteContext } from '../common/items.js';
import type { EventFilter, EventsRepository, EventWindow } from './events.repository.js';
import type { Event, EventCreate, EventListQuery, EventOccurrence, EventPatch } from './events.schemas.js';
import type { SearchTerms } from '../search/query.js';
import { createFeedKey, isFeedKey } from './feed-key.js';
import { searchOverrides } from './occurrence-search.js';
import { buildCalendar } from './ics.js';
import { expandChanged, seriesChanges, type SeriesRow } from './occurrences.js';
import { createOccurrencesService } from './occurrences.service.js';
import {
  fromFloating,
  MAX_OCCURRENCES_PER_SERIES,
  newMeter,
  RecurrenceError,
  toFloating,
  validateSeries,
  type Meter,
} from './recurrence.js';
import { createReminderHorizon } from './reminder-horizon.js';
import {
  bySlot,
  mergeSorted,
  rowSlot,
  toEvent,
  toOccurrence,
  type Slot,
  type StoredEvent,
} from './events.slots.js';
import { createSeriesCache } from './series-cache.js';

/** The longest window GET /api/events expands recurrences over. */
const MAX_WINDOW_DAYS = 366;

export interface EventsServiceDeps {
  repo: EventsRepository;
  clock: Clock;
  timezone: () => string;
  publish: EventSink;
}

export type EventsService = ReturnType<typeof createEventsService>;

export interface UpdateOptions {
  /** A new `start_time` without an `end_time` moves the end along (keeps the length). */
  keepDuration?: boolean;
}

export interface EventPage {
  items: EventOccurrence[];
  total: number;
  page: number;
  limit: number;
}

const isLocalMidnight = (d: Date, zone: string) => startOfLocalDay(d, zone).getTime() === d.getTime();

/** The stored times of an event, settled together (they constrain one another). */
interface Times {
  start_time: string;
  end_time: string | null;
  is_all_day: number;
  recurrence_rule: string | null;
  timezone: string;
}

export function createEventsService(deps: EventsServiceDeps) {
  const { repo, clock } = deps;

  function readTime(value: string, field: string): ParsedTime {
    const parsed = parseTimeInput(value, deps.timezone());
    if (!parsed)
      throw validationError(field, `${field} must be an RFC 3339 date-time or a YYYY-MM-DD date`, value);
    // Years before 1000 are typos in a calendar, and Date.UTC reads years 0-99 as 1900-1999.
    if (Number(value.trim().slice(0, 4)) < 1000)
      throw validationError(field, `${field} must be in the year 1000 or later`, value);
    return parsed;
  }

  /**
   * An end as the client wrote it. A bare date is the last day, inclusive: the event ends at the
   * local midnight after it (for all-day and timed events alike). For an all-day event a
   * date-time end names its last day unless it is itself a local midnight after the start.
   */
  function readEnd(value: string, start: Date, allDay: boolean, zone: string): Date {
    const parsed = readTime(value, 'end_time');
    if (parsed.dateOnly) return nextLocalMidnight(parsed.date, zone);
    return allDay ? snapAllDayEnd(parsed.date, start, zone) : parsed.date;
  }

  function snapAllDayEnd(end: Date, start: Date, zone: string): Date {
    return end > start && isLocalMidnight(end, zone) ? end : nextLocalMidnight(end, zone);
  }

  /**
   * Final checks shared by create and update: an all-day event always stores its exclusive end
   * (null = one day), so overlap queries need no zone arithmetic; end >= start; the rule is
   * valid for this start (stored in canonical form).
   */
  function settle(start: Date, end: Date | null, allDay: boolean, rule: string | null, zone: string): Times {
    if (allDay && end === null) end = nextLocalMidnight(start, zone);
    // An all-day event lasts at least its first day (a bare end date before it is backwards).
    if (end !== null && (end < start || (allDay && end.getTime() === start.getTime())))
      throw unprocessable('end_time', 'end_time must not be before start_time');
    let canonical: string | null = null;
    if (rule !== null && rule.trim() !== '') {
      try {
        canonical = validateSeries({ rule, start, end, isAllDay: allDay, timezone: zone });
      } catch (err) {
        if (err instanceof RecurrenceError)
          throw unprocessable('recurrence_rule', `Invalid recurrence_rule: ${err.message}`);
        throw err;
      }
    }
    return {
      start_time: start.toISOString(),
      end_time: end?.toISOString() ?? null,
      is_all_day: allDay ? 1 : 0,
      recurrence_rule: canonical,
      timezone: zone,
    };
  }

  /** A list bound: a bare date as `start_after` is the start of that local day, as `start_before` its end. */
  function readBound(value: string, field: 'start_after' | 'start_before'): Date {
    const parsed = readTime(value, field);
    if (!parsed.dateOnly) return parsed.date;
    const tz = deps.timezone();
    return field === 'start_after' ? startOfLocalDay(parsed.date, tz) : nextLocalMidnight(parsed.date, tz);
  }

  /** A series' occurrences with its exceptions, end and overrides applied (occurrences.ts). */
  const slotsOf = (row: SeriesRow, from: Date, to: Date, meter?: Meter): Slot[] =>
    expandChanged(row, from, to, MAX_OCCURRENCES_PER_SERIES, meter);

  const allSeries = createSeriesCache<Slot>({
    generation: () => repo.seriesGeneration(),
    load: () => repo.recurringBefore({}),
    expand: slotsOf,
    order: bySlot,
    startsEarly: (row: SeriesRow) => row.overrides?.some((o) => o.start_time < row.start_time) ?? false,
  });

  const reminderHorizon = createReminderHorizon<Slot>({
    generation: () => repo.seriesGeneration(),
    load: () => repo.recurringWithReminders(),
    expand(row: SeriesRow, from, to) {
      const meter = newMeter();
      const slots = slotsOf(row, from, to, meter);
      return { slots, complete: !meter.exhausted && slots.length < MAX_OCCURRENCES_PER_SERIES };
    },
    version: (row: SeriesRow) =>
      `${row.recurrence_end}|${row.recurrence_exceptions}|${JSON.stringify(row.overrides ?? [])}`,
    startOf: (slot) => slot.at,
  });

  /** The recurring series' occurrences overlapping [from, to), sorted. */
  async function recurringBetween(filter: EventFilter, from: Date, to: Date): Promise<readonly Slot[]> {
    if (filter.tag === undefined && filter.q === undefined) return allSeries.between(from, to);
    const series = await repo.recurringBefore(filter, to.toISOString());
    return series.flatMap((row) => slotsOf(row, from, to)).sort(bySlot);
  }

  async function findRow(id: string): Promise<EventRow> {
    return orNotFound(await repo.find(id), 'Event', id);
  }

  const occurrences = createOccurrencesService({
    repo,
    clock,
    publish: deps.publish,
    readTime,
    readEnd,
    removeSeries: (id, ctx) => service.remove(id, ctx),
  });

  const service = {
    get: async (id: string): Promise<Event> => toEvent(await findRow(id)),

    async create(input: EventCreate, ctx: WriteContext = {}): Promise<Event> {
      const zone = deps.timezone();
      const parsed = readTime(input.start_time, 'start_time');
      // A bare date makes an all-day event unless the client says otherwise.
      const allDay = input.is_all_day ?? parsed.dateOnly;
      const start = allDay ? startOfLocalDay(parsed.date, zone) : parsed.date;
      const end = input.end_time == null ? null : readEnd(input.end_time, start, allDay, zone);
      const times = settle(start, end, allDay, input.recurrence_rule ?? null, zone);
      const now = clock.now().toISOString();
      const row: StoredEvent = {
        id: newId('evt'),
        title: input.title.trim() || input.title,
        description: input.description ?? null,
        location: input.location ?? null,
        reminder_minutes: input.reminder_minutes ?? null,
        ...times,
        ...seriesChanges(times, input.recurrence_end, input.recurrence_exceptions),
        ...newItemColumns(input.tags, ctx, now),
      };
      await repo.insert(row);
      publishChange(ctx, deps.publish, { module: 'events', action: 'created', id: row.id });
      return toEvent(row);
    },

    /**
     * Applies only the fields given (API.md: a new `start_time` alone does not move `end_time`).
     * `keepDuration` is for callers that mean "move it" (the chat's "move X to 4pm"): a new start
     * without an end then keeps the event's length on the wall clock.
     */
    async update(
      id: string,
      patch: EventPatch,
      ctx: WriteContext = {},
      opts: UpdateOptions = {},
    ): Promise<Event> {
      const current = await findRow(id);
      const set: EventUpdate = {};
      if (patch.title !== undefined) set.title = patch.title.trim() || patch.title;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.location !== undefined) set.location = patch.location;
      if (patch.reminder_minutes !== undefined) set.reminder_minutes = patch.reminder_minutes;
      if (patch.tags !== undefined) set.tags = JSON.stringify(normaliseTags(patch.tags));

      const timing =
        patch.start_time !== undefined ||
        patch.end_time !== undefined ||
        patch.is_all_day !== undefined ||
        patch.recurrence_rule !== undefined;
      if (timing) {
        // The series takes the owner's current zone when what depends on it is rewritten.
        const rezone =
          patch.start_time !== undefined ||
          patch.recurrence_rule !== undefined ||
          patch.is_all_day !== undefined;
        const zone = rezone ? deps.timezone() : current.timezone;
        const oldStart = new Date(current.start_time);
        const oldEnd = current.end_time === null ? null : new Date(current.end_time);
        let start = oldStart;
        let allDay = patch.is_all_day ?? current.is_all_day === 1;
        if (patch.start_time !== undefined) {
          const parsed = readTime(patch.start_time, 'start_time');
          start = parsed.date;
          allDay = patch.is_all_day ?? parsed.dateOnly;
        }
        if (allDay) start = startOfLocalDay(start, zone);

        let end: Date | null;
        if (patch.end_time !== undefined)
          end = patch.end_time === null ? null : readEnd(patch.end_time, start, allDay, zone);
        else if (oldEnd === null) end = null;
        else if (patch.start_time !== undefined && opts.keepDuration) {
          // The length is kept on the wall clock (an all-day event keeps its number of days).
          const length =
            toFloating(oldEnd, current.timezone).getTime() - toFloating(oldStart, current.timezone).getTime();
          end = fromFloating(new Date(toFloating(start, zone).getTime() + length), zone);
        } else end = oldEnd;
        if (allDay && end !== null && patch.end_time === undefined) end = snapAllDayEnd(end, start, zone);
        // Turning an all-day event into a timed one: its stored one-day end stays as it was.

        const rule = patch.recurrence_rule !== undefined ? patch.recurrence_rule : current.recurrence_rule;
        Object.assign(set, settle(start, end, allDay, rule, zone));
      }
      // A new start, rule or kind renames every occurrence: its old exceptions and overrides go.
      const renamed =
        patch.start_time !== undefined ||
        patch.recurrence_rule !== undefined ||
        patch.is_all_day !== undefined;
      if (renamed || patch.recurrence_end !== undefined || patch.recurrence_exceptions !== undefined) {
        const times = { ...current, ...set } as Times;
        Object.assign(
          set,
          seriesChanges(
            times,
            patch.recurrence_end !== undefined
              ? patch.recurrence_end
              : renamed
                ? null
                : current.recurrence_end,
            patch.recurrence_exceptions ??
              (renamed ? [] : (JSON.parse(current.recurrence_exceptions) as string[])),
          ),
        );
      }
      if (renamed) await repo.deleteOverrides(id);

      if (Object.keys(set).length === 0) return toEvent(current);
      set.updated_at = clock.now().toISOString();
      await repo.update(id, set);
      publishChange(ctx, deps.publish, { module: 'events', action: 'updated', id });
      return toEvent({ ...current, ...set });
    },

    removeOccurrence: occurrences.removeOccurrence,
    changeOccurrence: occurrences.changeOccurrence,

    async remove(id: string, ctx: WriteContext = {}): Promise<Event> {
      const current = await repo.find(id);
      if (!current || !(await repo.delete(id))) throw notFound('Event', id);
      publishChange(ctx, deps.publish, { module: 'events', action: 'deleted', id });
      return toEvent(current);
    },

    /**
     * A page of occurrences. With both bounds recurring series are expanded over the window
     * (one-off events are filtered and counted in SQL, series expanded in memory, then merged);
     * with one bound or none each series appears once, filtered on its first occurrence.
     */
    async list(query: EventListQuery): Promise<EventPage> {
      const page = query.page ?? 1;
      const limit = query.limit ?? 50;
      const filter: EventFilter = { tag: query.tag, q: query.q?.trim() ? query.q : undefined };
      const from = query.start_after === undefined ? undefined : readBound(query.start_after, 'start_after');
      const to = query.start_before === undefined ? undefined : readBound(query.start_before, 'start_before');

      if (from === undefined || to === undefined) {
        const window: EventWindow = { from: from?.toISOString(), to: to?.toISOString() };
        const { rows, total } = await repo.listSeries(filter, window, page, limit);
        return { items: rows.map((r) => toOccurrence(rowSlot(r))), total, page, limit };
      }

      if (to < from)
        throw validationError(
          'start_before',
          'start_before must not be before start_after',
          query.start_before,
        );
      if (to > addLocalDays(from, MAX_WINDOW_DAYS, deps.timezone()))
        throw validationError(
          'start_before',
          `The window may span at most ${MAX_WINDOW_DAYS} days`,
          query.start_before,
        );
      const offset = (page - 1) * limit;
      const [single, recurring] = await Promise.all([
        repo.oneOffs(filter, { from: from.toISOString(), to: to.toISOString() }, offset + limit),
        recurringBetween(filter, from, to),
      ]);
      const merged = mergeSorted(single.rows.map(rowSlot), recurring, offset + limit);
      return {
        items: merged.slice(offset).map(toOccurrence),
        total: single.total + recurring.length,
        page,
        limit,
      };
    },

    /**
     * Every occurrence overlapping [from, to), recurring series expanded (each bounded), by start:
     * for "today" and the reminder scheduler.
     */
    async occurrencesBetween(from: Date, to: Date): Promise<EventOccurrence[]> {
      const window = { from: from.toISOString(), to: to.toISOString() };
      const [single, recurring] = await Promise.all([
        repo.oneOffsAll({}, window),
        recurringBetween({}, from, to),
      ]);
      return mergeSorted(single.map(rowSlot), recurring, Infinity).map(toOccurrence);
    },

    /**
     * The first `limit` occurrences overlapping [from, to) by start, and how many there are:
     * for "today", which shows a glance however dense the day.
     */
    async firstOccurrences(
      from: Date,
      to: Date,
      limit: number,
    ): Promise<{ items: EventOccurrence[]; total: number }> {
      const [single, recurring] = await Promise.all([
        repo.oneOffs({}, { from: from.toISOString(), to: to.toISOString() }, limit),
        recurringBetween({}, from, to),
      ]);
      const merged = mergeSorted(single.rows.map(rowSlot), recurring, limit);
      return { items: merged.map(toOccurrence), total: single.total + recurring.length };
    },

    /**
     * The occurrences starting in [from, to) whose reminder moment has come by `now`, by start:
     * for the reminder scheduler. Recurring series are expanded only when they changed or the
     * tick passed what was expanded before (reminder-horizon.ts).
     */
    async reminderCandidates(from: Date, to: Date, now: Date): Promise<EventOccurrence[]> {
      const [single, recurring] = await Promise.all([
        repo.oneOffsAll({}, { from: from.toISOString(), to: to.toISOString() }),
        reminderHorizon.due(from, to, now),
      ]);
      const due = ({ at, row }: Slot) =>
        row.reminder_minutes !== null &&
        at >= from.getTime() &&
        at - row.reminder_minutes * 60_000 <= now.getTime();
      const oneOffs = single.map(rowSlot).filter(due);
      return mergeSorted(oneOffs, [...recurring].sort(bySlot), Infinity).map(toOccurrence);
    },

    /** One event (the whole series) as iCalendar text. */
    async eventIcs(id: string): Promise<string> {
      const row = await findRow(id);
      const [series] = await repo.withOverrides([row]);
      return buildCalendar([occurrences.toIcs(series!)], { now: clock.now(), name: 'ClawChat' });
    },

    /** Every event as one iCalendar feed. */
    async calendarIcs(): Promise<string> {
      const rows = await repo.all();
      return buildCalendar(
        rows.map((r) => occurrences.toIcs(r)),
        { now: clock.now(), name: 'ClawChat' },
      );
    },

    /** Creates (or replaces, revoking the old one) the calendar feed secret; returns it once. */
    createFeedKey: () => createFeedKey(repo),
    /** Changed occurrences matching search terms, as search hits on their series. */
    searchOverrides: (terms: SearchTerms) => searchOverrides(repo, terms),
    /** Whether `key` is the current feed secret. */
    isFeedKey: (key: string) => isFeedKey(repo, key),
  };
  return service;
}
