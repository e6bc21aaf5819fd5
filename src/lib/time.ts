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

/** Converts a wall-clock time in `zone` to the UTC instant, with the DST rules above. */
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
  // The zone's offset a few hours either side covers both sides of any transition.
  const offsets = new Set([offsetMinutes(asUtc - 3 * 3600_000, zone), offsetMinutes(asUtc + 3 * 3600_000, zone)]);
  const matches = [...offsets]
    .map((off) => asUtc - off * 60_000)
    .filter((candidate) => asUtc - offsetMinutes(candidate, zone) * 60_000 === candidate)
    .sort((a, b) => a - b);
  if (matches.length > 0) return new Date(matches[0]!);
  // In a spring-forward gap: keep the offset from before the gap, which lands after it.
  const before = offsetMinutes(asUtc - 3 * 3600_000, zone);
  return new Date(asUtc - before * 60_000);
}

function offsetMinutes(instant: number, zone: string): number {
  return DateTime.fromMillis(instant, { zone }).offset;
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
