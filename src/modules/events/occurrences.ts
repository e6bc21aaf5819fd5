/**
 * A series with its changes (COMPAT.md "Recurring events: one occurrence at a time"): its rule's
 * occurrences, cut at `recurrence_end`, without the dates in `recurrence_exceptions`, and with
 * each override (RFC 5545 RECURRENCE-ID) in place of the occurrences of its date. Occurrences
 * are named by the local date (the series' zone) they start on in the rule; an exception or an
 * override covers every occurrence of its date (rules with several a day are rare).
 */
import type { EventOverrideRow, EventRow } from '../../db/schema.js';
import { unprocessable } from '../../lib/errors.js';
import { localDate, localToUtc, nextLocalMidnight } from '../../lib/time.js';
import { bySlot, type Slot } from './events.slots.js';
import {
  expandSeries,
  MAX_OCCURRENCES_PER_SERIES,
  newMeter,
  type Meter,
  type Occurrence,
} from './recurrence.js';
import { overlapsWindow } from './recurrence.expand.js';

/** A recurring series as the caches hold it: the row and its overrides. */
export type SeriesRow = EventRow & { overrides?: EventOverrideRow[] };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a real calendar date `YYYY-MM-DD`. */
export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** The local midnight starting `date` in `zone`. */
export function dayStart(date: string, zone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return localToUtc({ year, month, day }, zone);
}

/** The local date before `date` (calendar arithmetic, no zone needed). */
export function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

export function exceptionsOf(row: EventRow): string[] {
  try {
    const parsed: unknown = JSON.parse(row.recurrence_exceptions);
    return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string').sort() : [];
  } catch {
    return [];
  }
}

const seriesOf = (row: EventRow) => ({
  rule: row.recurrence_rule!,
  start: new Date(row.start_time),
  end: row.end_time === null ? null : new Date(row.end_time),
  isAllDay: row.is_all_day === 1,
  timezone: row.timezone,
});

/** Where the series stops: the local midnight after `recurrence_end` (null: no end). */
export function seriesStop(row: EventRow): Date | null {
  return row.recurrence_end === null
    ? null
    : nextLocalMidnight(dayStart(row.recurrence_end, row.timezone), row.timezone);
}

/** The rule's own occurrences starting on local `date` (no exceptions, overrides or end applied). */
export function ruleOccurrencesOn(row: EventRow, date: string): Occurrence[] {
  const from = dayStart(date, row.timezone);
  const to = nextLocalMidnight(from, row.timezone);
  return expandSeries(seriesOf(row), from, to).filter(
    (o) => o.start >= from && localDate(o.start, row.timezone) === date,
  );
}

/** Whether `date` names an occurrence of the series as it stands (changed ones count). */
export function isOccurrenceDate(row: SeriesRow, date: string): boolean {
  if (row.recurrence_rule === null || !isDate(date)) return false;
  if (exceptionsOf(row).includes(date)) return false;
  if (row.recurrence_end !== null && date > row.recurrence_end) return false;
  if (row.overrides?.some((o) => o.occurrence_date === date)) return true;
  return ruleOccurrencesOn(row, date).length > 0;
}

/**
 * The occurrences of the series overlapping [from, to), sorted, each a slot naming its date:
 * the rule's, bounded like expandSeries, then the overrides that overlap the window.
 */
export function expandChanged(
  row: SeriesRow,
  from: Date,
  to: Date,
  cap = MAX_OCCURRENCES_PER_SERIES,
  meter: Meter = newMeter(),
): Slot[] {
  const zone = row.timezone;
  const stop = seriesStop(row);
  // Cutting the window at the stop is exact: overlap only asks that an occurrence start before it.
  const until = stop !== null && stop < to ? stop : to;
  const removed = new Set(exceptionsOf(row));
  const overrides = row.overrides ?? [];
  for (const o of overrides) removed.add(o.occurrence_date);
  const out: Slot[] = [];
  for (const occurrence of expandSeries(seriesOf(row), from, until, cap, meter)) {
    const date = localDate(occurrence.start, zone);
    if (!removed.has(date)) out.push({ at: occurrence.start.getTime(), row, occurrence, date });
  }
  for (const o of overrides) {
    if (row.recurrence_end !== null && o.occurrence_date > row.recurrence_end) continue;
    const start = new Date(o.start_time);
    const end = o.end_time === null ? null : new Date(o.end_time);
    if (overlapsWindow(start, end, from, to))
      out.push({
        at: start.getTime(),
        row,
        occurrence: { start, end },
        date: o.occurrence_date,
        override: o,
      });
  }
  return out.sort(bySlot);
}

/**
 * A series' end and removed dates as stored: only with a rule (a one-off has none), the end not
 * before the first occurrence's local day.
 */
export function seriesChanges(
  times: Pick<EventRow, 'start_time' | 'timezone' | 'recurrence_rule'>,
  end: string | null | undefined,
  exceptions: readonly string[] | undefined,
): Pick<EventRow, 'recurrence_end' | 'recurrence_exceptions'> {
  if (times.recurrence_rule === null) return { recurrence_end: null, recurrence_exceptions: '[]' };
  const first = localDate(new Date(times.start_time), times.timezone);
  if (end != null && end < first)
    throw unprocessable('recurrence_end', 'recurrence_end must not be before the first occurrence');
  return {
    recurrence_end: end ?? null,
    recurrence_exceptions: JSON.stringify([...new Set(exceptions ?? [])].sort()),
  };
}
