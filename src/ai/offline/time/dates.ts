/**
 * Dates and times in a message, read on the owner's wall clock.
 *
 * Our own rules (date-patterns.ts) run first for what chrono-node misses or reads differently;
 * each match is masked out, then chrono reads what is left in a single call. chrono only
 * supplies wall-clock parts; Luxon turns them into instants in the IANA zone (chrono cannot do
 * DST), in moments.ts.
 */
import * as chrono from 'chrono-node';

import type { UnderstandContext } from '../../intents.js';
import {
  addCalendar,
  dayOfMonth,
  endOfPeriod,
  holidayDate,
  periodFor,
  recurrenceFromEvery,
  recurrenceFromWord,
  weekdayDate,
  weekdayList,
} from './calendar.js';
import { HINTS, RE } from './date-patterns.js';
import {
  type ClockTime,
  type LocalDate,
  addDays,
  dateOf,
  daysInMonth,
  localNow,
  minutesOfDay,
  timeOf,
} from './local-time.js';
import { parseQuantity } from './numbers.js';
import type { PartOfDay, Temporal } from './temporal.js';
import { maskSpans } from '../lexicon/text.js';

// Said with a bare hour ("dinner at 8"), these make it an evening hour.
// Said with a bare hour ("wake me up at 6"), these keep it in the morning.
const MORNING_CONTEXT = /\b(?:wake|waking|alarm|breakfast|sunrise)\b/i;
const EVENING_CONTEXT =
  /\b(?:dinner|drinks|party|movie|concert|show|bar|pub|karaoke|date\s+night|game\s+night|evening|tonight|night|pm)\b/i;

function unitMinutes(unit: string): number | undefined {
  const u = unit.toLowerCase();
  if (/^m(?:in|inute)?s?$/.test(u)) return 1;
  if (/^h(?:r|rs|our|ours)?$/.test(u)) return 60;
  return undefined;
}

function extraMinutes(half: string | undefined, minutes: string | undefined, unit: number): number {
  if (half) return unit / 2;
  return minutes ? Number(minutes) : 0;
}

// chrono reads these alone as dates ("sat down", "sun cream", "May I", "a second opinion").
const LONE_AMBIGUOUS =
  /^(?:sat|sun|mon|tue|wed|thu|fri|mar|may|jun|jan|aug|sept?|oct|nov|dec|march|now|right now|second|a second|the second)$/i;
const DATE_LEAD = /\b(?:on|by|this|next|every|until|till|before|due|from|in|last)\s+$/i;

function isNoise(r: chrono.ParsedResult, text: string): boolean {
  const after = text.slice(r.index + r.text.length);
  // "at 7-eleven", "at 5th avenue"
  if (/^[-\p{L}\d]/u.test(after) && !/^'s\b/.test(after)) return true;
  if (!LONE_AMBIGUOUS.test(r.text.trim())) return false;
  if (/^now$|^right now$|second$/i.test(r.text.trim())) return true;
  return !DATE_LEAD.test(text.slice(0, r.index)) && !/^\s*(?:at\s+)?\d/.test(after);
}

interface Extraction {
  text: string;
  masked: string;
  t: Temporal;
  today: LocalDate;
  nowMinutes: number;
}

function take(x: Extraction, start: number, end: number, recordSpan = true): void {
  if (recordSpan) x.t.spans.push({ start, end });
  x.masked = maskSpans(x.masked, [{ start, end }]);
}

function eachMatch(x: Extraction, re: RegExp, fn: (m: RegExpExecArray) => boolean | void): void {
  // Most rules cannot match most messages; a keyword check is far cheaper than the full pattern.
  const hint = HINTS.get(re);
  if (hint && !hint.test(x.masked)) return;
  re.lastIndex = 0;
  const matches = [...x.masked.matchAll(re)] as RegExpExecArray[];
  for (const m of matches) {
    // A rule may decline a match by returning false; everything else it saw is consumed.
    if (fn(m) !== false) take(x, m.index, m.index + m[0].length);
  }
}

/** Reads every date, time, duration, range and recurrence in `text` (run once per message). */
export function extractTemporal(text: string, ctx: UnderstandContext): Temporal {
  const now = localNow(ctx);
  const today = dateOf(now);
  const x: Extraction = {
    text,
    masked: text,
    t: { spans: [] },
    today,
    nowMinutes: minutesOfDay(timeOf(now)),
  };
  const t = x.t;

  eachMatch(x, RE.reminder, (m) => {
    // A message that *opens* with "remind me ..." is a todo, not an event's alert.
    if (m.index === 0) return false;
    const n = parseQuantity(m[1] ?? '');
    const perUnit = unitMinutes(m[2] ?? '') ?? (/^d/i.test(m[2] ?? '') ? 1440 : undefined);
    if (!Number.isFinite(n) || perUnit === undefined) return false;
    t.reminderMinutes = Math.round(n * perUnit);
  });

  const relative = (m: RegExpExecArray): boolean => {
    const n = parseQuantity(m[1] ?? '');
    if (!Number.isFinite(n)) return false;
    const unit = m[2] ?? '';
    const perUnit = unitMinutes(unit);
    if (perUnit !== undefined) {
      if (t.instant) return false;
      const minutes = n * perUnit + extraMinutes(m[3], m[4], perUnit);
      t.instant = now.plus({ minutes: Math.round(minutes) }).startOf('minute');
      return true;
    }
    const date = addCalendar(today, n, unit);
    if (!date || t.date) return false;
    t.date = date;
    return true;
  };
  eachMatch(x, RE.dayAfter, (m) => {
    if (t.date) return false;
    t.date = addDays(today, /^after/i.test(m[1] ?? '') ? 2 : -2);
  });
  eachMatch(x, RE.inRelative, relative);
  eachMatch(x, RE.fromNow, relative);

  eachMatch(x, RE.forDuration, (m) => {
    const n = parseQuantity(m[1] ?? '');
    const perUnit = unitMinutes(m[2] ?? '');
    if (!Number.isFinite(n) || perUnit === undefined) return false;
    t.durationMinutes = Math.round(n * perUnit + extraMinutes(m[3], m[4], perUnit));
  });
  eachMatch(x, RE.adjectiveDuration, (m) => {
    if (t.durationMinutes !== undefined) return false;
    if (m[3]) {
      t.durationMinutes = 60;
      return;
    }
    const n = parseQuantity(m[1] ?? '');
    const perUnit = unitMinutes(m[2] ?? '');
    if (!Number.isFinite(n) || perUnit === undefined) return false;
    t.durationMinutes = Math.round(n * perUnit);
  });

  eachMatch(x, RE.allDay, () => {
    t.allDay = true;
  });

  eachMatch(x, RE.monthlyDay, (m) => {
    const date = dayOfMonth(Number(m[1]), false, today);
    if (!date || t.date || t.recurrence) return false;
    t.date = date;
    t.dayOfMonth = Number(m[1]);
    t.recurrence = { freq: 'MONTHLY', interval: 1 };
  });
  eachMatch(x, RE.every, (m) => {
    const rec = recurrenceFromEvery(m[3] ?? '', Boolean(m[1]), m[2]);
    if (!rec || t.recurrence) return false;
    t.recurrence = rec;
    const what = (m[3] ?? '').toLowerCase();
    if (/^(?:morning|afternoon|evening|night)$/.test(what)) t.partOfDay = what as PartOfDay;
  });
  eachMatch(x, RE.pluralWeekdays, (m) => {
    if (t.recurrence) return false;
    t.recurrence = { freq: 'WEEKLY', interval: 1, byDay: weekdayList(m[1] ?? '') };
  });
  eachMatch(x, RE.everyWord, (m) => {
    // "weekly 1:1 on Fridays": the word only repeats what the days already said.
    t.recurrence ??= recurrenceFromWord(m[1] ?? '');
  });

  // "end of next week" before "next week", which it contains.
  eachMatch(x, RE.endOf, (m) => {
    if (t.period) return false;
    t.period = endOfPeriod((m[2] ?? '').toLowerCase(), Boolean(m[1]), today);
  });
  eachMatch(x, RE.period, (m) => {
    if (t.period) return false;
    t.period = periodFor((m[2] ?? '').toLowerCase(), (m[1] ?? '').toLowerCase(), today);
  });
  eachMatch(x, RE.theWeek, (m) => {
    if (t.period) return false;
    t.period = periodFor((m[1] ?? '').toLowerCase(), 'this', today);
  });
  eachMatch(x, RE.restOf, (m) => {
    if (t.period) return false;
    const p = periodFor((m[1] ?? '').toLowerCase(), 'this', today);
    t.period = { from: today, to: p.to, due: p.to };
  });
  eachMatch(x, RE.nextN, (m) => {
    const n = parseQuantity(m[1] ?? '');
    if (t.period || !Number.isFinite(n)) return false;
    const to = addDays(today, Math.round(n * (/^w/i.test(m[2] ?? '') ? 7 : 1)));
    t.period = { from: today, to, due: to };
  });
  eachMatch(x, RE.weekend, () => {
    if (t.period) return false;
    t.period = periodFor('weekend', 'this', today);
  });

  eachMatch(x, RE.dayOfMonth, (m) => {
    const date = dayOfMonth(Number(m[1]), Boolean(m[2]), today);
    if (!date || t.date) return false;
    t.date = date;
    t.dayOfMonth = Number(m[1]);
  });

  eachMatch(x, RE.holiday, (m) => {
    const date = holidayDate(m[1] ?? '', today);
    if (!date || t.date) return false;
    t.date = date;
  });

  eachMatch(x, RE.tonight, () => {
    t.partOfDay = 'tonight';
    t.today = true;
  });
  eachMatch(x, RE.firstThing, () => {
    t.partOfDay ??= 'morning';
  });
  eachMatch(x, RE.partOfDay, (m) => {
    if (t.partOfDay && t.partOfDay !== 'tonight') return false;
    const lead = (m[1] ?? '').toLowerCase();
    t.partOfDay ??= (m[2] ?? '').toLowerCase() as PartOfDay;
    if (lead.startsWith('this') || lead.startsWith('later')) t.today = true;
  });
  eachMatch(x, RE.partOfDayAfterDate, (m) => {
    if (t.partOfDay) return false;
    t.partOfDay = (m[1] ?? '').toLowerCase() as PartOfDay;
    // Leave the day word itself to chrono.
    return true;
  });
  eachMatch(x, RE.pastTo, (m) => {
    const hour = parseQuantity(m[3] ?? '');
    if (t.time || !Number.isInteger(hour) || hour < 1 || hour > 12) return false;
    const time = m[1]
      ? { hour, minute: /half/i.test(m[1]) ? 30 : 15 }
      : { hour: hour === 1 ? 12 : hour - 1, minute: 45 };
    t.time = withMeridiem(time, m[4], t, x.text);
  });
  eachMatch(x, RE.wordClock, (m) => {
    const hour = parseQuantity(m[1] ?? m[4] ?? '');
    const minute = parseQuantity((m[2] ?? m[5] ?? '0').replace(/^oh[\s-]/i, ''));
    if (t.time || !Number.isInteger(hour) || !Number.isInteger(minute)) return false;
    t.time = withMeridiem({ hour, minute }, m[3], t, x.text);
  });
  eachMatch(x, RE.clockWord, (m) => {
    if (t.time) return false;
    const word = (m[1] ?? 'lunch').toLowerCase();
    t.time = word === 'midnight' ? { hour: 0, minute: 0 } : { hour: 12, minute: 0 };
  });
  eachMatch(x, RE.bareHour, (m) => {
    const hour = Number(m[1]);
    if (t.time || hour < 1 || hour > 23) return false;
    const time = { hour, minute: m[2] ? Number(m[2]) : 0 };
    t.time = hour > 12 ? time : adjustHour(time, false, t, x.text);
  });
  eachMatch(x, RE.endOfDay, () => {
    if (t.partOfDay) return false;
    t.partOfDay = 'end_of_day';
  });

  RE.protect.lastIndex = 0;
  for (const m of x.masked.matchAll(RE.protect)) take(x, m.index, m.index + m[0].length, false);

  readWithChrono(x, ctx, now.offset);
  return t;
}

const chronoTime = (c: chrono.ParsedComponents): ClockTime => ({
  hour: c.get('hour') ?? 0,
  minute: c.get('minute') ?? 0,
});

function readWithChrono(x: Extraction, ctx: UnderstandContext, offsetMinutes: number): void {
  if (!/[\p{L}\d]/u.test(x.masked)) return;
  const t = x.t;
  const results = chrono.casual.parse(
    x.masked,
    { instant: ctx.now, timezone: offsetMinutes },
    { forwardDate: true },
  );
  for (const r of results) {
    if (isNoise(r, x.masked)) continue;
    const s = r.start;
    const hasDate = s.isCertain('day') || s.isCertain('weekday') || s.isCertain('month');
    const hasTime = s.isCertain('hour');
    if (!hasDate && !hasTime) continue;
    if (hasDate && !t.date) {
      const weekdayOnly = s.isCertain('weekday') && !s.isCertain('day');
      t.date = weekdayOnly
        ? weekdayDate(
            s.get('weekday') || 7,
            r.text,
            x.today,
            hasTime ? chronoTime(s) : undefined,
            x.nowMinutes,
          )
        : { year: s.get('year') ?? 0, month: s.get('month') ?? 1, day: s.get('day') ?? 1 };
      t.dateFromWeekday = weekdayOnly;
      // "in December": the whole month is meant; a deadline takes its first day.
      if (!s.isCertain('day') && !weekdayOnly && s.isCertain('month') && !t.period) {
        const first = { ...t.date, day: 1 };
        t.date = first;
        t.period = { from: first, to: { ...first, day: daysInMonth(first.year, first.month) }, due: first };
      }
      const e = r.end;
      if (e && !hasTime && (e.isCertain('day') || e.isCertain('weekday'))) {
        t.lastDay = { year: e.get('year') ?? 0, month: e.get('month') ?? 1, day: e.get('day') ?? 1 };
      }
    }
    if (hasTime && !t.time) {
      const meridiemKnown = s.isCertain('meridiem') || /\d\s*(?:a|p)\.?m\b/i.test(r.text);
      t.time = adjustHour(chronoTime(s), meridiemKnown, t, x.text);
      const e = r.end;
      if (e?.isCertain('hour')) {
        const endKnown = e.isCertain('meridiem') || /(?:a|p)\.?m\b/i.test(r.text);
        let end = adjustHour(chronoTime(e), endKnown, t, x.text);
        if (minutesOfDay(end) <= minutesOfDay(t.time) && end.hour < 12) end = { ...end, hour: end.hour + 12 };
        t.end = {
          time: end,
          date: e.isCertain('day')
            ? { year: e.get('year') ?? 0, month: e.get('month') ?? 1, day: e.get('day') ?? 1 }
            : undefined,
        };
      }
    }
    // "Monday's meeting": the day is meant, but the words stay part of the title.
    const possessive = x.masked.slice(r.index + r.text.length).startsWith("'s");
    const lead = r.text.length - r.text.trimStart().length;
    take(x, r.index + lead, r.index + r.text.length, !possessive);
  }
}

/** A clock time with its "am"/"pm"/"o'clock", if any; without one it is read as `adjustHour` does. */
function withMeridiem(time: ClockTime, said: string | undefined, t: Temporal, text: string): ClockTime {
  const m = (said ?? '').toLowerCase();
  if (m.startsWith('p')) return time.hour < 12 ? { ...time, hour: time.hour + 12 } : time;
  if (m.startsWith('a')) return time.hour === 12 ? { ...time, hour: 0 } : time;
  return adjustHour(time, false, t, text);
}

/** A bare hour is read the way people schedule: "at 3" is 15:00, "dinner at 8" is 20:00. */
function adjustHour(time: ClockTime, meridiemKnown: boolean, t: Temporal, text: string): ClockTime {
  if (meridiemKnown || time.hour === 0 || time.hour >= 12 || t.partOfDay === 'morning') return time;
  if (MORNING_CONTEXT.test(text)) return time;
  const evening = t.partOfDay && ['afternoon', 'evening', 'tonight', 'night'].includes(t.partOfDay);
  if (evening || time.hour <= 6 || EVENING_CONTEXT.test(text)) return { ...time, hour: time.hour + 12 };
  return time;
}
