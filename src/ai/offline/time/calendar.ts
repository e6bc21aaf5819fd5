/** Calendar reasoning on local dates: weeks, months, weekdays, recurrences. No zones here. */
import {
  type ClockTime,
  type LocalDate,
  addDays,
  addMonths,
  daysInMonth,
  isValidDate,
  minutesOfDay,
  weekdayOf,
} from './local-time.js';
import { parseQuantity } from './numbers.js';
import type { Period, Recurrence } from './temporal.js';

const ISO_WEEKDAY: Record<string, number> = { mo: 1, tu: 2, we: 3, th: 4, fr: 5, sa: 6, su: 7 };

function weekdayNumber(name: string): number | undefined {
  return ISO_WEEKDAY[name.toLowerCase().slice(0, 2)];
}

/** Adds days/weeks/months/years to a local date; undefined for sub-day units. */
export function addCalendar(today: LocalDate, amount: number, unit: string): LocalDate | undefined {
  const u = unit.toLowerCase();
  const whole = Math.round(amount);
  if (/^d(?:ays?)?$/.test(u)) return addDays(today, whole);
  if (/^(?:w|wks?|weeks?)$/.test(u)) return addDays(today, Math.round(amount * 7));
  if (/^fortnights?$/.test(u)) return addDays(today, Math.round(amount * 14));
  if (/^(?:mos?|months?)$/.test(u)) return addMonths(today, whole);
  if (/^(?:y|yrs?|years?)$/.test(u)) return addMonths(today, whole * 12);
  return undefined;
}

function mondayOf(d: LocalDate): LocalDate {
  return addDays(d, 1 - weekdayOf(d));
}

/** "this/next/last week|weekend|month|year" as a span of days and the day it means as a deadline. */
export function periodFor(kind: string, which: string, today: LocalDate): Period {
  const offset = /next|following/.test(which) ? 1 : /last|past|previous/.test(which) ? -1 : 0;
  if (kind === 'week') {
    const from = addDays(mondayOf(today), 7 * offset);
    const to = addDays(from, 6);
    // A deadline "this week" is the working week's end; "next week" is when it starts.
    const friday = addDays(from, 4);
    const due = offset === 0 ? (weekdayOf(today) <= 5 ? friday : to) : from;
    return { from, to, due };
  }
  if (kind === 'weekend') {
    const wd = weekdayOf(today);
    let saturday = wd === 7 ? addDays(today, -1) : addDays(today, 6 - wd);
    if (offset === 1) saturday = addDays(saturday, 7);
    if (offset === -1) saturday = addDays(saturday, -7);
    const from = offset === 0 && wd >= 6 ? today : saturday;
    return { from, to: addDays(saturday, 1), due: from };
  }
  if (kind === 'month') {
    const first = addMonths({ ...today, day: 1 }, offset);
    const last = { ...first, day: daysInMonth(first.year, first.month) };
    return { from: first, to: last, due: offset === 0 ? last : first };
  }
  const year = today.year + offset;
  const from = { year, month: 1, day: 1 };
  const to = { year, month: 12, day: 31 };
  return { from, to, due: offset === 0 ? to : from };
}

/** "end of the week/month/year": a deadline on its last (working) day. */
export function endOfPeriod(kind: string, next: boolean, today: LocalDate): Period {
  if (kind === 'week') {
    const monday = addDays(mondayOf(today), next ? 7 : 0);
    let friday = addDays(monday, 4);
    if (!next && weekdayOf(today) > 5) friday = addDays(monday, 6);
    return { from: friday, to: friday, due: friday };
  }
  const p = periodFor(kind, next ? 'next' : 'this', today);
  return { from: p.to, to: p.to, due: p.to };
}

// Fixed-date holidays; eves come first so that "christmas eve" is not read as Christmas.
const HOLIDAYS: Array<[RegExp, number, number]> = [
  [/new\s+year'?s\s+eve/i, 12, 31],
  [/new\s+year/i, 1, 1],
  [/(?:christmas|xmas)\s+eve/i, 12, 24],
  [/christmas|xmas/i, 12, 25],
  [/valentine/i, 2, 14],
  [/halloween/i, 10, 31],
];

/** The next date (today included) of a fixed-date holiday named in English. */
export function holidayDate(name: string, today: LocalDate): LocalDate | undefined {
  const found = HOLIDAYS.find(([re]) => re.test(name));
  if (!found) return undefined;
  const [, month, day] = found;
  const past = month < today.month || (month === today.month && day < today.day);
  return { year: past ? today.year + 1 : today.year, month, day };
}

/** "the 15th": this month's if it is still ahead (or today), else the next month that has it. */
export function dayOfMonth(day: number, nextMonth: boolean, today: LocalDate): LocalDate | undefined {
  if (day < 1 || day > 31) return undefined;
  let candidate: LocalDate = { ...today, day };
  if (nextMonth || day < today.day || !isValidDate(candidate)) {
    for (let k = 1; k <= 3; k += 1) {
      candidate = { ...addMonths({ ...today, day: 1 }, k), day };
      if (isValidDate(candidate)) return candidate;
    }
    return undefined;
  }
  return candidate;
}

/** The rule for "every <what>": "every other week", "every 3 days", "every monday and thursday". */
export function recurrenceFromEvery(what: string, other: boolean, count?: string): Recurrence | undefined {
  const n = count ? parseQuantity(count) : 1;
  const interval = other ? 2 : Number.isFinite(n) && n >= 1 ? Math.round(n) : 1;
  what = what.toLowerCase().replace(/\s+/g, ' ');
  if (/^(?:day|morning|afternoon|evening|night)$/.test(what)) return { freq: 'DAILY', interval };
  if (/^(?:weekday|work ?day|business day)$/.test(what))
    return { freq: 'WEEKLY', interval, byDay: [1, 2, 3, 4, 5] };
  if (what === 'weekend') return { freq: 'WEEKLY', interval, byDay: [6, 7] };
  if (what === 'week') return { freq: 'WEEKLY', interval };
  if (what === 'fortnight') return { freq: 'WEEKLY', interval: 2 * interval };
  if (what === 'month') return { freq: 'MONTHLY', interval };
  if (what === 'year') return { freq: 'YEARLY', interval };
  const byDay = weekdayList(what);
  return byDay.length ? { freq: 'WEEKLY', interval, byDay } : undefined;
}

/** ISO weekdays named in "monday, wed and fridays", in order, once each. */
export function weekdayList(text: string): number[] {
  const days = text.split(/\s*(?:,|and|&|\/|or)\s*/).map(weekdayNumber);
  return [...new Set(days.filter((d): d is number => d !== undefined))].sort((a, b) => a - b);
}

export function recurrenceFromWord(word: string): Recurrence {
  const w = word.toLowerCase().replace('-', '');
  if (w === 'daily' || w === 'nightly') return { freq: 'DAILY', interval: 1 };
  if (w === 'weekly') return { freq: 'WEEKLY', interval: 1 };
  if (w === 'biweekly' || w === 'fortnightly') return { freq: 'WEEKLY', interval: 2 };
  if (w === 'monthly') return { freq: 'MONTHLY', interval: 1 };
  return { freq: 'YEARLY', interval: 1 };
}

/**
 * The day an ISO weekday (Monday = 1) means. chrono's answer for "friday" said on a Friday
 * depends on the server's own zone, so we decide: today unless the time given has passed;
 * "next friday" is the Friday of next week; "last friday" the one before today.
 */
export function weekdayDate(
  wanted: number,
  said: string,
  today: LocalDate,
  time: ClockTime | undefined,
  nowMinutes: number,
): LocalDate {
  if (/\bnext\b/i.test(said)) return addDays(mondayOf(today), 7 + wanted - 1);
  const delta = (wanted - weekdayOf(today) + 7) % 7;
  if (/\b(?:last|past|previous)\b/i.test(said)) return addDays(today, delta === 0 ? -7 : delta - 7);
  if (delta > 0) return addDays(today, delta);
  const passed = time !== undefined && minutesOfDay(time) <= nowMinutes;
  return passed ? addDays(today, 7) : today;
}

/** The first day a recurrence falls on, from today (today only if its time has not passed). */
export function firstOccurrence(
  rec: Recurrence,
  today: LocalDate,
  time: ClockTime | undefined,
  nowMinutes: number,
): LocalDate {
  const todayFree = !time || minutesOfDay(time) > nowMinutes;
  if (rec.byDay?.length) {
    for (let k = 0; k < 14; k += 1) {
      const d = addDays(today, k);
      if (rec.byDay.includes(weekdayOf(d)) && (k > 0 || todayFree)) return d;
    }
  }
  return todayFree ? today : addDays(today, 1);
}

const RRULE_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/** RFC 5545 RRULE body; a weekly rule without days takes the weekday of its first occurrence. */
export function toRRule(rec: Recurrence, first?: LocalDate): string {
  const parts = [`FREQ=${rec.freq}`];
  if (rec.interval > 1) parts.push(`INTERVAL=${rec.interval}`);
  const days = rec.byDay?.length ? rec.byDay : rec.freq === 'WEEKLY' && first ? [weekdayOf(first)] : [];
  if (days.length) parts.push(`BYDAY=${days.map((d) => RRULE_DAYS[d - 1]).join(',')}`);
  return parts.join(';');
}
