/**
 * Date math in the owner's zone with Intl only (no date library): a day is a `YYYY-MM-DD`
 * string, a moment is an epoch millisecond, and the zone's offset is read from Intl at the
 * moment in question (so DST changes land on the right hour).
 */
const partsFmt = new Map<string, Intl.DateTimeFormat>();

function fmt(tz: string): Intl.DateTimeFormat {
  let f = partsFmt.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFmt.set(tz, f);
  }
  return f;
}

export interface Wall {
  y: number;
  m: number; // 1-12
  d: number;
  h: number;
  min: number;
}

/** The wall clock in `tz` at `ms`. */
export function wall(ms: number, tz: string): Wall {
  const p: Record<string, number> = {};
  for (const part of fmt(tz).formatToParts(ms))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour! % 24, min: p.minute! };
}

function offset(ms: number, tz: string): number {
  const w = wall(ms, tz);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.min);
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/** The moment when the wall clock in `tz` shows this day and minute of day. */
export function zonedToMs(day: string, minutes: number, tz: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  const first = guess - offset(guess, tz);
  return guess - offset(first, tz);
}

export const pad = (n: number) => String(n).padStart(2, '0');
export const dayOf = (ms: number, tz: string): string => {
  const w = wall(ms, tz);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}`;
};
export const minuteOfDay = (ms: number, tz: string): number => {
  const w = wall(ms, tz);
  return w.h * 60 + w.min;
};

const toUtc = (day: string) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
};
const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (day: string, n: number): string => fromUtc(toUtc(day) + n * 86_400_000);
/** 0 = Monday .. 6 = Sunday (ISO weeks: the calendar starts its weeks on Monday). */
export const weekday = (day: string): number => (new Date(toUtc(day)).getUTCDay() + 6) % 7;
export const startOfWeek = (day: string): string => addDays(day, -weekday(day));
export const addMonths = (day: string, n: number): string => {
  const d = new Date(toUtc(day.slice(0, 8) + '01'));
  d.setUTCMonth(d.getUTCMonth() + n);
  return fromUtc(d.getTime());
};
export const daysBetween = (a: string, b: string): number => Math.round((toUtc(b) - toUtc(a)) / 86_400_000);

/** The 6 x 7 grid of days shown for the month containing `day`. */
export function monthGrid(day: string): string[] {
  const first = startOfWeek(day.slice(0, 8) + '01');
  return Array.from({ length: 42 }, (_, i) => addDays(first, i));
}

const labelFmt = new Map<string, Intl.DateTimeFormat>();
/** A day written for people (`opts` as Intl's), computed at noon UTC so no zone shifts it. */
export function dayLabel(day: string, opts: Intl.DateTimeFormatOptions): string {
  const key = JSON.stringify(opts);
  let f = labelFmt.get(key);
  if (!f) labelFmt.set(key, (f = new Intl.DateTimeFormat(undefined, { ...opts, timeZone: 'UTC' })));
  return f.format(toUtc(day) + 12 * 3_600_000);
}

export const hhmm = (minutes: number) => `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;
