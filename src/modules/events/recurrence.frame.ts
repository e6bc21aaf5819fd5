/**
 * The floating wall-clock frame rrule runs in: a Date whose UTC fields are the series' local wall
 * time (no `tzid`), so a Monday-08:00 rule stays Monday 08:00 local across DST and UTC day
 * boundaries. Instants go in and out through lib/time.ts, the project's one wall-clock <-> UTC
 * resolver (a time in a spring-forward gap moves forward by the gap).
 */
import { utcMsToWallMs, wallMsToUtcMs } from '../../lib/time.js';
import { formatRule, formatUtc, pad, parseRule, type Rule } from './recurrence.parse.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** What expansion needs of an event: its rule, first occurrence and the zone it repeats in. */
export interface Series {
  rule: string;
  start: Date;
  end: Date | null;
  isAllDay: boolean;
  timezone: string;
}

export interface Occurrence {
  start: Date;
  end: Date | null;
}

/** The wall time of an instant in a zone, as a Date whose UTC fields are that wall time. */
export function toFloating(instant: Date, zone: string): Date {
  return new Date(utcMsToWallMs(instant.getTime(), zone));
}

export function floatingOf(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0,
): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d;
}

/** The real instant of a floating wall time in the zone (DST rules of lib/time.ts). */
export function fromFloating(f: Date, zone: string): Date {
  return new Date(wallMsToUtcMs(f.getTime(), zone));
}

/** rrule's DTSTART: the start's wall time without milliseconds (rrule mishandles them). */
export function floatingStart(series: Series): Date {
  const f = toFloating(series.start, series.timezone);
  f.setUTCMilliseconds(0);
  return f;
}

export function plusYears(f: Date, years: number): Date {
  const d = new Date(f.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

export function untilFloating(rule: Rule, zone: string): Date | null {
  const u = rule.until;
  if (u === null) return null;
  switch (u.kind) {
    case 'date': // inclusive: the whole local day
      return floatingOf(u.year, u.month, u.day, 23, 59, 59, 999);
    case 'local':
      return floatingOf(u.year, u.month, u.day, u.hour, u.minute, u.second);
    case 'utc':
      return toFloating(u.instant, zone);
  }
}

export function plusDays(f: Date, days: number): Date {
  return new Date(f.getTime() + days * DAY_MS);
}

/**
 * The rule as iCalendar needs it beside a DTSTART of the given kind: with a DATE start UNTIL
 * must be a DATE; with a date-time start it must be UTC. Null when the stored rule is unusable.
 */
export function ruleForIcs(text: string, zone: string, startKind: 'date' | 'date-time'): string | null {
  let rule: Rule;
  try {
    rule = parseRule(text);
  } catch {
    return null;
  }
  const u = rule.until;
  if (u === null) return formatRule(rule);
  if (startKind === 'date') {
    const f = untilFloating(rule, zone)!;
    return formatRule(rule, `${pad(f.getUTCFullYear(), 4)}${pad(f.getUTCMonth() + 1)}${pad(f.getUTCDate())}`);
  }
  if (u.kind === 'utc') return formatRule(rule, formatUtc(u.instant));
  const f = untilFloating(rule, zone)!;
  f.setUTCMilliseconds(0);
  return formatRule(rule, formatUtc(fromFloating(f, zone)));
}
