import { DateTime } from 'luxon';

import type { UnderstandContext } from '../../intents.js';

/** A calendar day on the owner's wall clock. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A time of day on the owner's wall clock. */
export interface ClockTime {
  hour: number;
  minute: number;
}

// One message asks for "now" several times; zone lookups through Intl are the costly part.
let lastNow: { at: number; zone: string; dt: DateTime } | undefined;

/** "Now" in the owner's zone; an unknown zone falls back to UTC rather than producing Invalid DateTime. */
export function localNow(ctx: UnderstandContext): DateTime {
  const at = ctx.now.getTime();
  if (lastNow?.at === at && lastNow.zone === ctx.timezone) return lastNow.dt;
  let dt = DateTime.fromJSDate(ctx.now, { zone: ctx.timezone });
  if (!dt.isValid) dt = DateTime.fromJSDate(ctx.now, { zone: 'UTC' });
  lastNow = { at, zone: ctx.timezone, dt };
  return dt;
}

export function dateOf(dt: DateTime): LocalDate {
  return { year: dt.year, month: dt.month, day: dt.day };
}

export function timeOf(dt: DateTime): ClockTime {
  return { hour: dt.hour, minute: dt.minute };
}

// Calendar arithmetic on plain UTC dates: no zone can shift the day, and it is far cheaper than Luxon.
const DAY_MS = 86_400_000;
const utcMs = (d: LocalDate): number => Date.UTC(d.year, d.month - 1, d.day);
function fromUtcMs(ms: number): LocalDate {
  const dt = new Date(ms);
  return { year: dt.getUTCFullYear(), month: dt.getUTCMonth() + 1, day: dt.getUTCDate() };
}

export function addDays(d: LocalDate, days: number): LocalDate {
  return fromUtcMs(utcMs(d) + days * DAY_MS);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds calendar months, keeping the day where the month has it (Jan 31 + 1 month = Feb 28). */
export function addMonths(d: LocalDate, months: number): LocalDate {
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

/** ISO weekday: Monday = 1 ... Sunday = 7. */
export function weekdayOf(d: LocalDate): number {
  return new Date(utcMs(d)).getUTCDay() || 7;
}

export function isValidDate(d: LocalDate): boolean {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= daysInMonth(d.year, d.month);
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

export function minutesOfDay(t: ClockTime): number {
  return t.hour * 60 + t.minute;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function formatDate(d: LocalDate): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

export function formatDateTime(d: LocalDate, t: ClockTime): string {
  return `${formatDate(d)}T${pad(t.hour)}:${pad(t.minute)}:00`;
}

/** The instant a local wall time denotes; Luxon shifts times in a spring-forward gap forward. */
export function zoned(d: LocalDate, t: ClockTime, zone: string): DateTime {
  return DateTime.fromObject({ ...d, hour: t.hour, minute: t.minute }, { zone });
}

export function formatLocal(dt: DateTime): string {
  return formatDateTime(dateOf(dt), timeOf(dt));
}
