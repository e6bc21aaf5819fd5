/**
 * Events as the API shows them: a stored row as an Event, and occurrences ("slots") kept light
 * until a page of them is shown.
 */
import type { EventOverrideRow, EventRow } from '../../db/schema.js';
import { itemFields } from '../common/items.js';
import type { Event, EventOccurrence } from './events.schemas.js';
import type { Occurrence } from './recurrence.js';

/** A row as the service writes it: `span_ms` is the database's own. */
export type StoredEvent = Omit<EventRow, 'span_ms' | 'recurrence_end' | 'recurrence_exceptions'> &
  Partial<Pick<EventRow, 'recurrence_end' | 'recurrence_exceptions'>>;

function exceptionDates(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string').sort() : [];
  } catch {
    return [];
  }
}

export function toEvent(row: StoredEvent): Event {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    start_time: row.start_time,
    end_time: row.end_time,
    location: row.location,
    is_all_day: row.is_all_day === 1,
    reminder_minutes: row.reminder_minutes,
    recurrence_rule: row.recurrence_rule,
    recurrence_end: row.recurrence_end ?? null,
    recurrence_exceptions: exceptionDates(row.recurrence_exceptions ?? '[]'),
    ...itemFields(row),
  };
}

/**
 * One occurrence before it becomes an API object: a window can hold tens of thousands, of which
 * a page shows fifty, so only the page is materialised.
 */
export interface Slot {
  /** Start in ms: orders like the ISO text. */
  at: number;
  row: EventRow;
  /** Absent for a row listed as it is (a one-off event, or a series not expanded). */
  occurrence?: Occurrence;
  /** The local date (the series' zone) naming an expanded occurrence. */
  date?: string;
  /** The occurrence's own content when it was changed alone (RECURRENCE-ID). */
  override?: EventOverrideRow;
}

export const rowSlot = (row: EventRow): Slot => ({ at: Date.parse(row.start_time), row });

/** By occurrence start, then id: a total order, so pages never repeat or skip. */
export function bySlot(a: Slot, b: Slot): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0;
}

/** The first `n` slots of two sorted lists, merged. */
export function mergeSorted(a: readonly Slot[], b: readonly Slot[], n: number): Slot[] {
  const out: Slot[] = [];
  let i = 0;
  let j = 0;
  while (out.length < n && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && bySlot(a[i]!, b[j]!) <= 0)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

export function toOccurrence({ row, occurrence, date, override }: Slot): EventOccurrence {
  const event = toEvent(row);
  const is_recurring = row.recurrence_rule !== null;
  if (!occurrence)
    return {
      ...event,
      occurrence_start: row.start_time,
      is_recurring,
      is_occurrence: false,
      occurrence_date: null,
      recurring_event_id: null,
    };
  const start = occurrence.start.toISOString();
  return {
    ...event,
    ...(override && {
      title: override.title,
      description: override.description,
      location: override.location,
    }),
    start_time: start,
    end_time: occurrence.end?.toISOString() ?? null,
    occurrence_start: start,
    is_recurring,
    is_occurrence: true,
    occurrence_date: date ?? null,
    recurring_event_id: row.id,
  };
}
