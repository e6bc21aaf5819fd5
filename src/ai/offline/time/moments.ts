/** Turning what was read into the dates and times the services store, relative to "now". */
import type { UnderstandContext } from '../../intents.js';
import { firstOccurrence } from './calendar.js';
import {
  type ClockTime,
  type LocalDate,
  addDays,
  dateOf,
  formatDate,
  formatDateTime,
  formatLocal,
  isValidDate,
  localNow,
  minutesOfDay,
  timeOf,
  weekdayOf,
  zoned,
} from './local-time.js';
import type { Moment, PartOfDay, Temporal } from './temporal.js';

const PART_OF_DAY_TIME: Record<PartOfDay, ClockTime | undefined> = {
  morning: { hour: 9, minute: 0 },
  afternoon: { hour: 15, minute: 0 },
  evening: { hour: 19, minute: 0 },
  tonight: { hour: 20, minute: 0 },
  night: { hour: 21, minute: 0 },
  end_of_day: undefined,
};

// The last minute a part of the day still covers, for "tonight" said after 20:00.
const PART_OF_DAY_END: Partial<Record<PartOfDay, number>> = {
  morning: 12 * 60,
  afternoon: 18 * 60,
  evening: 24 * 60,
  tonight: 24 * 60,
  night: 24 * 60,
};

/** When the message says something starts or is due; undefined when it names no time at all. */
export function resolveMoment(
  t: Temporal,
  ctx: UnderstandContext,
  defaultDay?: LocalDate,
): Moment | undefined {
  if (t.instant) return { date: dateOf(t.instant), time: timeOf(t.instant) };
  const now = localNow(ctx);
  const today = dateOf(now);
  const nowMinutes = minutesOfDay(timeOf(now));
  let time = t.time ?? (t.partOfDay ? PART_OF_DAY_TIME[t.partOfDay] : undefined);

  let date = t.date ?? (t.today ? today : undefined) ?? defaultDay ?? t.period?.due;
  if (t.dayOfMonth !== undefined && t.period) {
    const inPeriod = { ...t.period.from, day: t.dayOfMonth };
    if (isValidDate(inPeriod)) date = inPeriod;
  }
  if (t.recurrence && (!t.date || t.dateFromWeekday) && !t.period) {
    date = firstOccurrence(t.recurrence, t.today ? today : (t.date ?? today), time, nowMinutes);
    if (t.date && t.dateFromWeekday && t.recurrence.byDay?.includes(weekdayOf(t.date))) date = t.date;
  }
  // "Tonight" said at 22:30 still means tonight: take the next hour, not a time already past.
  if (!t.time && t.partOfDay && time && date && t.today) {
    const end = PART_OF_DAY_END[t.partOfDay] ?? 24 * 60;
    if (minutesOfDay(time) <= nowMinutes && nowMinutes < end) {
      const next = Math.min((Math.floor(nowMinutes / 60) + 1) * 60, end - 1);
      time = { hour: Math.floor(next / 60), minute: next % 60 };
    }
  }
  if (!date && time) date = minutesOfDay(time) > nowMinutes ? today : addDays(today, 1);
  if (!date && t.partOfDay === 'end_of_day') date = today;
  if (!date) return undefined;
  return { date, time };
}

export function formatMoment(m: Moment): string {
  return m.time ? formatDateTime(m.date, m.time) : formatDate(m.date);
}

/** The end of an event that starts at `start`, from a range ("2 to 4pm") or a duration ("for an hour"). */
export function resolveEnd(t: Temporal, start: Moment, ctx: UnderstandContext): string | undefined {
  if (!start.time) return undefined;
  if (t.end) {
    let date = t.end.date ?? start.date;
    if (!t.end.date && minutesOfDay(t.end.time) <= minutesOfDay(start.time)) date = addDays(date, 1);
    return formatDateTime(date, t.end.time);
  }
  if (t.durationMinutes === undefined || t.durationMinutes <= 0) return undefined;
  return formatLocal(
    zoned(start.date, start.time, localNow(ctx).zoneName ?? 'UTC').plus({ minutes: t.durationMinutes }),
  );
}

/** The days a query covers: a period, or the one day named. */
export function resolveRange(
  t: Temporal,
  ctx: UnderstandContext,
): { from: LocalDate; to: LocalDate } | undefined {
  if (t.period) return { from: t.period.from, to: t.period.to };
  const m = t.date || t.today || t.instant ? resolveMoment(t, ctx) : undefined;
  return m ? { from: m.date, to: m.date } : undefined;
}
