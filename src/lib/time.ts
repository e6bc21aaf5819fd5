/**
 * Time rules of BEHAVIOUR.md "Time": instants are UTC; input without an offset is wall-clock
 * time in the owner's zone, DST-correct (a time in a spring-forward gap moves forward by the
 * gap; a repeated autumn time takes the earlier offset, i.e. its first occurrence).
 */
import { DateTime } from 'luxon';

export interface ParsedTime {
  date: Date;
  /** The input was a bare date (`2026-02-28`). */
  dateOnly: boolean;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  millisecond?: number;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

/** Reads API input: RFC 3339 with `Z` or an offset, a local date-time, or a bare date. */
export function parseTimeInput(value: string, zone: string): ParsedTime | null {
  const m = RFC3339.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  const wall: WallTime = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: h === undefined ? 0 : Number(h),
    minute: mi === undefined ? 0 : Number(mi),
    second: s === undefined ? 0 : Number(s),
    millisecond: frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0')),
  };
  if (!isRealWallTime(wall)) return null;
  if (h === undefined) {
    const date = localToUtc(wall, zone);
    // The whole day must be storable: a bare date also stands for its last moment (a due date).
    return fitsStorage(date) && fitsStorage(new Date(nextLocalMidnight(date, zone).getTime() - 1))
      ? { date, dateOnly: true }
      : null;
  }
  if (offset !== undefined) {
    if (!isRealOffset(offset)) return null;
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}.${String(wall.millisecond).padStart(3, '0')}${normaliseOffset(offset)}`;
    const dt = DateTime.fromISO(iso, { setZone: true });
    return dt.isValid && fitsStorage(dt.toJSDate()) ? { date: dt.toJSDate(), dateOnly: false } : null;
  }
  const date = localToUtc(wall, zone);
  return fitsStorage(date) ? { date, dateOnly: false } : null;
}

/**
 * Instants are stored as RFC 3339 text with a four-digit year: `9999-12-31T23:00:00-05:00` is
 * year 10000 in UTC, which `toISOString` writes as `+010000-...` and PostgreSQL refuses.
 */
function fitsStorage(date: Date): boolean {
  const year = date.getUTCFullYear();
  return Number.isFinite(year) && year >= 0 && year <= 9999;
}

/** RFC 3339 offsets: hours 00-23, minutes 00-59 (`+25:00` is no offset). */
function isRealOffset(offset: string): boolean {
  if (offset === 'Z' || offset === 'z') return true;
  const digits = offset.replace(':', '');
  return Number(digits.slice(1, 3)) <= 23 && Number(digits.slice(3, 5)) <= 59;
}

function normaliseOffset(offset: string): string {
  if (offset === 'Z' || offset === 'z') return 'Z';
  return offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
}

function isRealWallTime(w: WallTime): boolean {
  // Date.UTC reads years 0-99 as 1900-1999; nothing a person schedules lies before 1000.
  if (w.year < 1000) return false;
  if (w.month < 1 || w.month > 12 || w.day < 1) return false;
  if ((w.hour ?? 0) > 23 || (w.minute ?? 0) > 59 || (w.second ?? 0) > 59) return false;
  return w.day <= DateTime.utc(w.year, w.month, 1).daysInMonth!;
}

/**
 * Converts a wall-clock time in `zone` to the UTC instant, with the DST rules above. With
 * `wallMsToUtcMs` (the same rules on cached offsets, for hot loops) this is the project's one
 * wall-clock -> UTC resolver.
 */
export function localToUtc(wall: WallTime, zone: string): Date {
  const asUtc = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour ?? 0,
    wall.minute ?? 0,
    wall.second ?? 0,
    wall.millisecond ?? 0,
  );
  return new Date(resolveWall(asUtc, (instant) => DateTime.fromMillis(instant, { zone }).offset));
}

/**
 * `localToUtc` for a wall time given as milliseconds whose UTC fields are that wall time, on
 * offsets cached per zone and month: for loops over many times (recurrence expansion).
 */
export function wallMsToUtcMs(wall: number, zone: string): number {
  return resolveWall(wall, (instant) => cachedOffset(instant, zone));
}

/** The wall time of an instant in `zone`, as milliseconds whose UTC fields are that wall time. */
export function utcMsToWallMs(instant: number, zone: string): number {
  return instant + cachedOffset(instant, zone) * 60_000;
}

/**
 * The rules: the earliest instant showing that wall time (a repeated autumn time takes the
 * earlier offset); in a spring-forward gap, the offset from before the gap, which lands after it.
 */
function resolveWall(wall: number, offsetAt: (instant: number) => number): number {
  // The zone's offset a few hours either side covers both sides of any transition.
  const before = offsetAt(wall - 3 * HOUR_MS);
  const after = offsetAt(wall + 3 * HOUR_MS);
  let best: number | null = null;
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = wall - offset * 60_000;
    if (wall - offsetAt(candidate) * 60_000 === candidate && (best === null || candidate < best))
      best = candidate;
  }
  return best ?? wall - before * 60_000;
}

const HOUR_MS = 3_600_000;
/** Probes per month table: no zone changes its offset twice within this. */
const PROBE_MS = 12 * HOUR_MS;

/** A zone's UTC offsets through one UTC month: where each offset begins (ms) and its minutes. */
interface MonthOffsets {
  begin: number;
  end: number;
  at: number[];
  minutes: number[];
}
const offsetTables = new Map<string, MonthOffsets>();
/** The table each zone used last: consecutive times mostly fall in the same month. */
const lastTable = new Map<string, MonthOffsets>();

/**
 * Probes the month every 12 hours with Luxon and finds each change to the millisecond. A Luxon
 * offset costs tens of microseconds, so a month costs about a hundred of them once, then a
 * binary search per lookup.
 */
function monthOffsets(zone: string, instant: number): MonthOffsets {
  const d = new Date(instant);
  const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const key = `${zone}|${first}`;
  const cached = offsetTables.get(key);
  if (cached) return cached;
  const luxonOffset = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const table: MonthOffsets = { begin: first, end, at: [first], minutes: [luxonOffset(first)] };
  for (
    let prev = first, t = Math.min(first + PROBE_MS, end);
    prev < end;
    prev = t, t = Math.min(t + PROBE_MS, end)
  ) {
    const offset = luxonOffset(t);
    if (offset === table.minutes.at(-1)) continue;
    let lo = prev;
    let hi = t;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (luxonOffset(mid) === table.minutes.at(-1)) lo = mid;
      else hi = mid;
    }
    table.at.push(hi);
    table.minutes.push(luxonOffset(hi));
  }
  if (offsetTables.size >= 5000) offsetTables.clear();
  offsetTables.set(key, table);
  return table;
}

/** The zone's UTC offset in minutes at an instant, from the month tables. */
function cachedOffset(instant: number, zone: string): number {
  let table = lastTable.get(zone);
  if (!table || instant < table.begin || instant >= table.end) {
    table = monthOffsets(zone, instant);
    lastTable.set(zone, table);
  }
  const { at, minutes } = table;
  let lo = 0;
  let hi = at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (at[mid]! <= instant) lo = mid;
    else hi = mid - 1;
  }
  return minutes[lo]!;
}

/** Output form: RFC 3339 in UTC with `Z`. */
export function toIso(date: Date): string {
  return date.toISOString();
}

export function inZone(date: Date, zone: string): DateTime {
  return DateTime.fromJSDate(date, { zone });
}

/** The owner's local date `YYYY-MM-DD` of an instant. */
export function localDate(date: Date, zone: string): string {
  return inZone(date, zone).toISODate()!;
}

export function startOfLocalDay(date: Date, zone: string): Date {
  const d = inZone(date, zone);
  return localToUtc({ year: d.year, month: d.month, day: d.day }, zone);
}

/** The next local midnight after the instant's day (exclusive end of that day). */
export function nextLocalMidnight(date: Date, zone: string): Date {
  const d = inZone(date, zone).plus({ days: 1 });
  return localToUtc({ year: d.year, month: d.month, day: d.day }, zone);
}

/** The last millisecond of the local day: where a bare-date due date points. */
export function endOfLocalDay(date: Date, zone: string): Date {
  return new Date(nextLocalMidnight(date, zone).getTime() - 1);
}

/** Adds whole local days keeping the wall-clock time (DST-safe). */
export function addLocalDays(date: Date, days: number, zone: string): Date {
  const d = inZone(date, zone).plus({ days });
  return localToUtc(
    { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute, second: d.second },
    zone,
  );
}
