/**
 * Recurrence (BEHAVIOUR.md "Time"): a strict RFC 5545 RRULE validator in front of the `rrule`
 * library, and bounded expansion on the series' local wall clock.
 *
 * Wall clock: rrule runs in a "floating" frame (a Date whose UTC fields are the local wall
 * time, no `tzid`), so a Monday-08:00 rule stays Monday 08:00 local across DST and UTC day
 * boundaries; each wall time is turned back into an instant with `localToUtc` (a time in a
 * spring-forward gap moves forward by the gap).
 *
 * Bounds: rrule 2.8.1's `iter()` only calls back on candidate dates, so a rule whose periods
 * are all empty (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) walks every period up to year 9999
 * (seconds), and `addHours` loops forever when BYHOUR can never be reached with the INTERVAL.
 * We therefore (1) reject impossible rules up front, (2) start the iteration at a period near
 * the query window instead of at DTSTART (COUNT series are first turned into their last
 * occurrence, computed once and memoised), and (3) give every run a budget of periods: `iter()`
 * re-reads `options.interval` twice per period, and a counting getter there aborts a run that
 * goes past its budget. Tests pin all three.
 */
import rrulePkg from 'rrule';
import type { Options as RRuleOptions } from 'rrule';
import { DateTime } from 'luxon';
import { localToUtc } from '../../lib/time.js';

const { RRule, Weekday } = rrulePkg;

/** Most occurrences one series contributes to one query. */
export const MAX_OCCURRENCES_PER_SERIES = 10_000;
/** A rule must produce an occurrence within this many years of its start. */
const FIRST_OCCURRENCE_YEARS = 10;
/** A COUNT series must end within this many periods (FREQ x INTERVAL steps) of its start... */
const MAX_COUNT_PERIODS = 20_000;
/** ...or, when walked year by year (see walkingRule), within this many years. */
const MAX_COUNT_YEARS = 200;
const MAX_COUNT = 50_000;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const FREQS = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY'] as const;
type Freq = (typeof FREQS)[number];
const FREQ_NUM: Record<Freq, number> = { YEARLY: 0, MONTHLY: 1, WEEKLY: 2, DAILY: 3, HOURLY: 4 };

/** Index = rrule's weekday number (Monday = 0). */
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

const PARTS = [
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYMONTH',
  'BYWEEKNO',
  'BYYEARDAY',
  'BYMONTHDAY',
  'BYDAY',
  'BYHOUR',
  'BYMINUTE',
  'BYSECOND',
  'BYSETPOS',
  'WKST',
] as const;
type Part = (typeof PARTS)[number];

/** UNTIL as written: a date (inclusive through that local day), a local date-time, or UTC. */
export type Until =
  | { kind: 'date'; year: number; month: number; day: number }
  | { kind: 'local'; year: number; month: number; day: number; hour: number; minute: number; second: number }
  | { kind: 'utc'; instant: Date };

export interface ByDay {
  weekday: number;
  n: number | null;
}

export interface Rule {
  freq: Freq;
  interval: number;
  count: number | null;
  until: Until | null;
  bymonth: number[] | null;
  byweekno: number[] | null;
  byyearday: number[] | null;
  bymonthday: number[] | null;
  byday: ByDay[] | null;
  byhour: number[] | null;
  byminute: number[] | null;
  bysecond: number[] | null;
  bysetpos: number[] | null;
  wkst: number | null;
}

/** A rule that is not valid; the message is for the client (422 on `recurrence_rule`). */
export class RecurrenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecurrenceError';
  }
}

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

// ---------------------------------------------------------------------------------------------
// Parsing and validation

const INT_LIST_ITEM = /^[+-]?\d{1,3}$/;

function intList(
  part: Part,
  raw: string,
  min: number,
  max: number,
  allowZero = false,
  allowNegative = true,
): number[] {
  const items = raw.split(',');
  return items.map((item) => {
    if (!INT_LIST_ITEM.test(item))
      throw new RecurrenceError(`${part} must be a comma list of whole numbers, got "${raw}"`);
    const n = Number(item);
    const ok =
      (allowNegative ? Math.abs(n) >= min && Math.abs(n) <= max : n >= min && n <= max) &&
      (allowZero || n !== 0);
    if (!ok) {
      const range = allowNegative ? `${min}..${max} or -${max}..-${min}` : `${min}..${max}`;
      throw new RecurrenceError(`${part} values must be in ${range}, got ${item}`);
    }
    return n;
  });
}

function positiveInt(part: Part, raw: string, max: number): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new RecurrenceError(`${part} must be a whole number from 1 to ${max}, got "${raw}"`);
  return Number(raw);
}

function weekday(part: Part, raw: string): number {
  const i = (WEEKDAYS as readonly string[]).indexOf(raw);
  if (i < 0) throw new RecurrenceError(`${part} must be one of ${WEEKDAYS.join(', ')}, got "${raw}"`);
  return i;
}

function daysInMonth(year: number, month: number): number {
  return DateTime.utc(year, month, 1).daysInMonth!;
}

function parseUntil(raw: string): Until {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(raw);
  if (!m)
    throw new RecurrenceError(`UNTIL must be YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ, got "${raw}"`);
  const [, y, mo, d, h, mi, s, z] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    throw new RecurrenceError(`UNTIL is not a real date: "${raw}"`);
  if (h === undefined) return { kind: 'date', year, month, day };
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (hour > 23 || minute > 59 || second > 59)
    throw new RecurrenceError(`UNTIL is not a real time: "${raw}"`);
  if (z) return { kind: 'utc', instant: new Date(Date.UTC(year, month - 1, day, hour, minute, second)) };
  return { kind: 'local', year, month, day, hour, minute, second };
}

/**
 * Reads an RRULE (with or without the `RRULE:` prefix, any case) strictly: known parts only,
 * each at most once, values in range, the RFC 5545 combinations rules. Throws RecurrenceError.
 * Does not look at the event (see validateSeries for the checks that need its start).
 */
export function parseRule(text: string): Rule {
  let body = text.trim().toUpperCase();
  if (body.startsWith('RRULE:')) body = body.slice('RRULE:'.length);
  if (body === '') throw new RecurrenceError('recurrence_rule is empty');
  const rawParts = body.split(';').map((p) => p.trim());
  if (rawParts.at(-1) === '') rawParts.pop(); // a trailing ';' is harmless
  const seen = new Map<Part, string>();
  for (const raw of rawParts) {
    const m = /^([A-Z][A-Z-]*)=([^=\s]+)$/.exec(raw);
    if (!m) throw new RecurrenceError(`"${raw}" is not a NAME=VALUE part`);
    const name = m[1] as Part;
    if (!(PARTS as readonly string[]).includes(name))
      throw new RecurrenceError(`Unknown or unsupported rule part ${m[1]}`);
    if (seen.has(name)) throw new RecurrenceError(`${name} appears more than once`);
    seen.set(name, m[2]!);
  }

  const freqRaw = seen.get('FREQ');
  if (freqRaw === undefined) throw new RecurrenceError('FREQ is required');
  if (freqRaw === 'SECONDLY' || freqRaw === 'MINUTELY')
    throw new RecurrenceError(`FREQ=${freqRaw} is not supported; the finest frequency is HOURLY`);
  if (!(FREQS as readonly string[]).includes(freqRaw))
    throw new RecurrenceError(`FREQ must be one of ${FREQS.join(', ')}, got "${freqRaw}"`);
  const freq = freqRaw as Freq;

  const get = <T>(part: Part, read: (raw: string) => T): T | null => {
    const raw = seen.get(part);
    return raw === undefined ? null : read(raw);
  };
  const rule: Rule = {
    freq,
    interval: get('INTERVAL', (r) => positiveInt('INTERVAL', r, 10_000)) ?? 1,
    count: get('COUNT', (r) => positiveInt('COUNT', r, MAX_COUNT)),
    until: get('UNTIL', parseUntil),
    bymonth: get('BYMONTH', (r) => intList('BYMONTH', r, 1, 12, false, false)),
    byweekno: get('BYWEEKNO', (r) => intList('BYWEEKNO', r, 1, 53)),
    byyearday: get('BYYEARDAY', (r) => intList('BYYEARDAY', r, 1, 366)),
    bymonthday: get('BYMONTHDAY', (r) => intList('BYMONTHDAY', r, 1, 31)),
    byday: get('BYDAY', (r) => r.split(',').map((d) => parseByDay(d, r))),
    byhour: get('BYHOUR', (r) => intList('BYHOUR', r, 0, 23, true, false)),
    byminute: get('BYMINUTE', (r) => intList('BYMINUTE', r, 0, 59, true, false)),
    // 60 (a leap second) is valid iCalendar but no clock shows it.
    bysecond: get('BYSECOND', (r) => intList('BYSECOND', r, 0, 59, true, false)),
    bysetpos: get('BYSETPOS', (r) => intList('BYSETPOS', r, 1, 366)),
    wkst: get('WKST', (r) => weekday('WKST', r)),
  };

  if (rule.count !== null && rule.until !== null)
    throw new RecurrenceError('COUNT and UNTIL cannot both be given');
  if (rule.byweekno && freq !== 'YEARLY')
    throw new RecurrenceError('BYWEEKNO is only allowed with FREQ=YEARLY');
  if (rule.byyearday && (freq === 'MONTHLY' || freq === 'WEEKLY' || freq === 'DAILY'))
    throw new RecurrenceError(`BYYEARDAY is not allowed with FREQ=${freq}`);
  if (rule.bymonthday && freq === 'WEEKLY')
    throw new RecurrenceError('BYMONTHDAY is not allowed with FREQ=WEEKLY');
  if (rule.byday?.some((d) => d.n !== null)) {
    if (freq !== 'MONTHLY' && freq !== 'YEARLY')
      throw new RecurrenceError(`A numbered BYDAY (like 2TU) needs FREQ=MONTHLY or YEARLY, not ${freq}`);
    if (freq === 'YEARLY' && rule.byweekno)
      throw new RecurrenceError('A numbered BYDAY cannot be combined with BYWEEKNO');
    const max = freq === 'MONTHLY' && !rule.byweekno ? 5 : 53;
    const bad = rule.byday.find((d) => d.n !== null && Math.abs(d.n) > max);
    if (bad)
      throw new RecurrenceError(`BYDAY position ${bad.n} is out of range for FREQ=${freq} (1..${max})`);
  }
  if (
    rule.bysetpos &&
    !(
      ['bymonth', 'byweekno', 'byyearday', 'bymonthday', 'byday', 'byhour', 'byminute', 'bysecond'] as const
    ).some((k) => rule[k])
  )
    throw new RecurrenceError('BYSETPOS needs another BYxxx part to select from');
  if (rule.bysetpos) checkSetPos(rule, rule.bysetpos);
  if (rule.bymonth && rule.bymonthday) checkMonthDays(rule.bymonth, rule.bymonthday);
  if (rule.bymonth && rule.byyearday) checkYearDays(rule.bymonth, rule.byyearday);
  return rule;
}

function parseByDay(item: string, raw: string): ByDay {
  const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
  if (!m) throw new RecurrenceError(`BYDAY must be a comma list like MO, 2TU or -1FR, got "${raw}"`);
  const n = m[1] === undefined ? null : Number(m[1]);
  if (n === 0) throw new RecurrenceError(`BYDAY position cannot be 0 ("${item}")`);
  return { weekday: WEEKDAYS.indexOf(m[2] as (typeof WEEKDAYS)[number]), n };
}

/** BYSETPOS past the most candidates one period can hold never selects anything. */
function checkSetPos(rule: Rule, setpos: number[]): void {
  const times = (rule.byminute?.length ?? 1) * (rule.bysecond?.length ?? 1);
  const days = new Set(rule.byday?.map((d) => d.weekday)).size || 1;
  const perPeriod = {
    YEARLY: 366 * 24 * times,
    MONTHLY: 31 * 24 * times,
    WEEKLY: days * (rule.byhour?.length ?? 1) * times,
    DAILY: (rule.byhour?.length ?? 1) * times,
    HOURLY: times,
  }[rule.freq];
  if (setpos.every((p) => Math.abs(p) > perPeriod))
    throw new RecurrenceError(
      `BYSETPOS ${setpos.join(',')} is beyond the ${perPeriod} candidates a period can have`,
    );
}

const MAX_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** BYMONTH=2;BYMONTHDAY=30 can never happen (rrule would search until year 9999). */
function checkMonthDays(months: number[], days: number[]): void {
  if (!months.some((m) => days.some((d) => Math.abs(d) <= MAX_MONTH_DAYS[m - 1]!)))
    throw new RecurrenceError(`BYMONTHDAY ${days.join(',')} never falls in BYMONTH ${months.join(',')}`);
}

function checkYearDays(months: number[], yeardays: number[]): void {
  for (const leap of [false, true]) {
    const yearLen = leap ? 366 : 365;
    let first = 1;
    for (let m = 1; m <= 12; m++) {
      const len = m === 2 ? (leap ? 29 : 28) : MAX_MONTH_DAYS[m - 1]!;
      if (months.includes(m)) {
        const hit = yeardays.some((yd) => {
          const pos = yd > 0 ? yd : yearLen + yd + 1;
          return pos >= first && pos < first + len;
        });
        if (hit) return;
      }
      first += len;
    }
  }
  throw new RecurrenceError(`BYYEARDAY ${yeardays.join(',')} never falls in BYMONTH ${months.join(',')}`);
}

/** The rule in one canonical spelling (no prefix, fixed part order), as it is stored. */
export function formatRule(
  rule: Rule,
  until: string | null = rule.until === null ? null : formatUntil(rule.until),
): string {
  const parts: string[] = [`FREQ=${rule.freq}`];
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.count !== null) parts.push(`COUNT=${rule.count}`);
  if (until !== null) parts.push(`UNTIL=${until}`);
  const list = (name: string, values: number[] | null) => {
    if (values) parts.push(`${name}=${values.join(',')}`);
  };
  list('BYMONTH', rule.bymonth);
  list('BYWEEKNO', rule.byweekno);
  list('BYYEARDAY', rule.byyearday);
  list('BYMONTHDAY', rule.bymonthday);
  if (rule.byday)
    parts.push(`BYDAY=${rule.byday.map((d) => `${d.n ?? ''}${WEEKDAYS[d.weekday]}`).join(',')}`);
  list('BYHOUR', rule.byhour);
  list('BYMINUTE', rule.byminute);
  list('BYSECOND', rule.bysecond);
  list('BYSETPOS', rule.bysetpos);
  if (rule.wkst !== null) parts.push(`WKST=${WEEKDAYS[rule.wkst]}`);
  return parts.join(';');
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function formatUntil(u: Until): string {
  switch (u.kind) {
    case 'date':
      return `${pad(u.year, 4)}${pad(u.month)}${pad(u.day)}`;
    case 'local':
      return `${pad(u.year, 4)}${pad(u.month)}${pad(u.day)}T${pad(u.hour)}${pad(u.minute)}${pad(u.second)}`;
    case 'utc':
      return formatUtc(u.instant);
  }
}

function formatUtc(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/**
 * Validates a rule for an event and returns its canonical text. Beyond parseRule: what the
 * event's start decides (defaults taken from DTSTART, an unreachable BYHOUR for HOURLY),
 * all-day events repeat by whole days, a first occurrence within 10 years, and a COUNT series
 * that ends within a bounded number of periods.
 */
export function validateSeries(series: Series): string {
  const rule = parseRule(series.rule);
  if (series.isAllDay && (rule.freq === 'HOURLY' || rule.byhour || rule.byminute || rule.bysecond))
    throw new RecurrenceError(
      'An all-day event repeats by days: FREQ=HOURLY, BYHOUR, BYMINUTE and BYSECOND are not allowed',
    );
  const startF = floatingStart(series);
  checkReachable(rule, rruleOptions(rule, startF, startF), startF);

  const walk = walkingRule(rule, startF);
  const untilF = untilFloating(rule, series.timezone);
  const horizon = plusYears(startF, FIRST_OCCURRENCE_YEARS);
  const found: { first?: Date } = {};
  run(
    { ...rruleOptions(walk, startF, startF), until: untilF },
    periodsBetween(walk, startF, horizon) + 3,
    (f) => {
      found.first = f;
      return false;
    },
  );
  if (found.first === undefined || found.first > horizon)
    throw new RecurrenceError(
      `The rule has no occurrence within ${FIRST_OCCURRENCE_YEARS} years of the start`,
    );
  if (rule.count !== null && lastOfCount(rule, startF) === undefined)
    throw new RecurrenceError(`COUNT=${rule.count} runs too far for this rule; end it with UNTIL instead`);
  return formatRule(rule);
}

/** rrule fills missing BYxxx parts from DTSTART; a rebased start must keep the original's. */
function rruleOptions(rule: Rule, dtstart: Date, defaultsFrom: Date): Partial<RRuleOptions> {
  const o: Partial<RRuleOptions> = {
    freq: FREQ_NUM[rule.freq],
    interval: rule.interval,
    dtstart,
    wkst: rule.wkst ?? 0,
    bymonth: rule.bymonth,
    byweekno: rule.byweekno,
    byyearday: rule.byyearday,
    bymonthday: rule.bymonthday,
    byweekday: rule.byday ? rule.byday.map((d) => new Weekday(d.weekday, d.n ?? undefined)) : null,
    // Sorted, so rrule emits the times of a day in order (it keeps the given order otherwise).
    byhour: sorted(rule.byhour),
    byminute: sorted(rule.byminute),
    bysecond: sorted(rule.bysecond),
    bysetpos: rule.bysetpos,
  };
  // The same defaults rrule's parseOptions derives from DTSTART, made explicit.
  if (!rule.byweekno && !rule.byyearday && !rule.bymonthday && !rule.byday) {
    if (rule.freq === 'YEARLY') {
      o.bymonth = rule.bymonth ?? [defaultsFrom.getUTCMonth() + 1];
      o.bymonthday = [defaultsFrom.getUTCDate()];
    } else if (rule.freq === 'MONTHLY') {
      o.bymonthday = [defaultsFrom.getUTCDate()];
    } else if (rule.freq === 'WEEKLY') {
      o.byweekday = [(defaultsFrom.getUTCDay() + 6) % 7];
    }
  }
  if (!rule.byhour && rule.freq !== 'HOURLY') o.byhour = [defaultsFrom.getUTCHours()];
  if (!rule.byminute) o.byminute = [defaultsFrom.getUTCMinutes()];
  if (!rule.bysecond) o.bysecond = [defaultsFrom.getUTCSeconds()];
  return o;
}

const sorted = (values: number[] | null) => (values ? [...new Set(values)].sort((a, b) => a - b) : null);

const EVERY_WEEKDAY: ByDay[] = WEEKDAYS.map((_, weekday) => ({ weekday, n: null }));
const EVERY_HOUR = Array.from({ length: 24 }, (_, h) => h);

/**
 * The rule to walk. rrule allocates a year-sized array for every period, so DAILY, WEEKLY and
 * HOURLY walks cost tens of microseconds per occurrence. With INTERVAL=1 (for HOURLY: any
 * INTERVAL dividing 24) and no BYSETPOS their occurrences are exactly those of a MONTHLY rule
 * with the same filters and DTSTART's defaults made explicit: one period per month (YEARLY
 * with BYYEARDAY, which rrule only honours per year).
 */
function walkingRule(rule: Rule, startF: Date): Rule {
  if (rule.bysetpos) return rule;
  const hourly = rule.freq === 'HOURLY' && 24 % rule.interval === 0;
  if (!hourly && (rule.interval !== 1 || !(rule.freq === 'DAILY' || rule.freq === 'WEEKLY'))) return rule;
  const h0 = startF.getUTCHours();
  const startDay: ByDay = { weekday: (startF.getUTCDay() + 6) % 7, n: null };
  return {
    ...rule,
    freq: rule.byyearday ? 'YEARLY' : 'MONTHLY',
    interval: 1,
    byday: rule.byday ?? (rule.freq === 'WEEKLY' ? [startDay] : EVERY_WEEKDAY),
    // Every INTERVAL hours from the start hour: the same hours of every day.
    byhour: hourly
      ? (rule.byhour ?? EVERY_HOUR).filter((h) => (h - h0 + 24) % rule.interval === 0)
      : (rule.byhour ?? [h0]),
    byminute: rule.byminute ?? [startF.getUTCMinutes()],
    bysecond: rule.bysecond ?? [startF.getUTCSeconds()],
  };
}

/** Checks that need DTSTART's defaults, before rrule ever runs. */
function checkReachable(rule: Rule, opts: Partial<RRuleOptions>, startF: Date): void {
  const months = opts.bymonth as number[] | null | undefined;
  const days = opts.bymonthday as number[] | null | undefined;
  if (months && days && !rule.bymonthday && !months.some((m) => days[0]! <= MAX_MONTH_DAYS[m - 1]!))
    throw new RecurrenceError(
      `The start's day of the month (${days[0]}) never falls in BYMONTH ${months.join(',')}`,
    );
  if (rule.freq === 'HOURLY' && rule.byhour) {
    // rrule's addHours steps INTERVAL hours until it lands on a BYHOUR: from the start hour only
    // hours congruent modulo gcd(INTERVAL, 24) are ever reached; otherwise it never returns.
    const g = gcd(rule.interval, 24);
    const h0 = startF.getUTCHours();
    if (!rule.byhour.some((h) => (((h - h0) % g) + g) % g === 0))
      throw new RecurrenceError(
        `With INTERVAL=${rule.interval} from ${pad(h0)}:00, no BYHOUR ${rule.byhour.join(',')} is ever reached`,
      );
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

// ---------------------------------------------------------------------------------------------
// Floating wall-clock frame

/** The wall time of an instant in a zone, as a Date whose UTC fields are that wall time. */
export function toFloating(instant: Date, zone: string): Date {
  // Luxon's wall time is exactly the instant plus its offset; the offsets are cached.
  return new Date(instant.getTime() + offsetAt(zone, instant.getTime()) * 60_000);
}

function floatingOf(
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
  return localToUtc(
    {
      year: f.getUTCFullYear(),
      month: f.getUTCMonth() + 1,
      day: f.getUTCDate(),
      hour: f.getUTCHours(),
      minute: f.getUTCMinutes(),
      second: f.getUTCSeconds(),
      millisecond: f.getUTCMilliseconds(),
    },
    zone,
  );
}

/** A zone's UTC offsets through one UTC year: where each offset begins (ms) and its minutes. */
interface YearOffsets {
  at: number[];
  minutes: number[];
}
const offsetTables = new Map<string, YearOffsets>();

/** Scans the year every 6 hours with Luxon and finds each change to the millisecond; cached. */
function yearOffsets(zone: string, year: number): YearOffsets {
  const key = `${zone}|${year}`;
  const cached = offsetTables.get(key);
  if (cached) return cached;
  const luxonOffset = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const begin = floatingOf(year, 1, 1).getTime();
  const end = floatingOf(year + 1, 1, 1).getTime();
  const table: YearOffsets = { at: [begin], minutes: [luxonOffset(begin)] };
  const step = 6 * HOUR_MS;
  for (let prev = begin, t = Math.min(begin + step, end); prev < end; prev = t, t = Math.min(t + step, end)) {
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
  if (offsetTables.size >= 500) offsetTables.clear();
  offsetTables.set(key, table);
  return table;
}

function offsetAt(zone: string, ms: number): number {
  const { at, minutes } = yearOffsets(zone, new Date(ms).getUTCFullYear());
  let lo = 0;
  let hi = at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (at[mid]! <= ms) lo = mid;
    else hi = mid - 1;
  }
  return minutes[lo]!;
}

/**
 * fromFloating for the hot loop: the same rules as localToUtc (earliest matching offset; in a
 * gap, the offset from before it), on cached offsets instead of a Luxon call per step.
 */
function wallToUtcMs(zone: string, wall: number): number {
  const before = offsetAt(zone, wall - 3 * HOUR_MS);
  const after = offsetAt(zone, wall + 3 * HOUR_MS);
  let best: number | null = null;
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = wall - offset * 60_000;
    if (wall - offsetAt(zone, candidate) * 60_000 === candidate && (best === null || candidate < best))
      best = candidate;
  }
  return best ?? wall - before * 60_000;
}

/** rrule's DTSTART: the start's wall time without milliseconds (rrule mishandles them). */
function floatingStart(series: Series): Date {
  const f = toFloating(series.start, series.timezone);
  f.setUTCMilliseconds(0);
  return f;
}

function plusYears(f: Date, years: number): Date {
  const d = new Date(f.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

function untilFloating(rule: Rule, zone: string): Date | null {
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

// ---------------------------------------------------------------------------------------------
// Bounded runs of rrule

class BudgetExhausted extends Error {}

/**
 * Runs rrule, calling `visit` with each floating candidate until it returns false, for at most
 * `maxPeriods` periods. Returns false when the budget ran out first.
 */
function run(options: Partial<RRuleOptions>, maxPeriods: number, visit: (f: Date) => boolean): boolean {
  const rule = new RRule(options, true);
  const parsed = rule.options;
  const interval = parsed.interval;
  // iter() reads `interval` once up front and twice per period (its end-of-period check and
  // DateTime.add); past the budget the read throws, which ends the run wherever it is.
  const maxReads = 1 + 2 * Math.max(1, maxPeriods);
  let reads = 0;
  Object.defineProperty(parsed, 'interval', {
    configurable: true,
    enumerable: true,
    get: () => {
      if (++reads > maxReads) throw new BudgetExhausted();
      return interval;
    },
  });
  try {
    rule.all((d) => visit(d));
    return true;
  } catch (err) {
    if (err instanceof BudgetExhausted) return false;
    throw err;
  }
}

/** How many FREQ x INTERVAL steps take `a` to `b` (rounded up). */
function periodsBetween(rule: Rule, a: Date, b: Date): number {
  if (b <= a) return 0;
  let units: number;
  switch (rule.freq) {
    case 'YEARLY':
      units = b.getUTCFullYear() - a.getUTCFullYear() + 1;
      break;
    case 'MONTHLY':
      units = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
      break;
    case 'WEEKLY':
      units = Math.ceil((b.getTime() - a.getTime()) / (7 * DAY_MS)) + 1;
      break;
    case 'DAILY':
      units = Math.ceil((b.getTime() - a.getTime()) / DAY_MS) + 1;
      break;
    case 'HOURLY':
      units = Math.ceil((b.getTime() - a.getTime()) / HOUR_MS) + 1;
      break;
  }
  return Math.ceil(units / rule.interval);
}

/**
 * The last floating occurrence of a COUNT series (DTSTART counts as the first, as in RFC 5545),
 * or undefined when it does not end within MAX_COUNT_PERIODS. Memoised: it depends only on the
 * rule and the floating start.
 */
const countMemo = new Map<string, Date | undefined>();

function lastOfCount(rule: Rule, startF: Date): Date | undefined {
  const count = rule.count!;
  if (count === 1) return startF;
  const key = `${formatRule(rule)}|${startF.toISOString()}`;
  if (countMemo.has(key)) return countMemo.get(key);
  let n = 0;
  let last: Date = startF;
  const walk = walkingRule(rule, startF);
  const budget =
    walk === rule ? MAX_COUNT_PERIODS : periodsBetween(walk, startF, plusYears(startF, MAX_COUNT_YEARS));
  const completed = run(rruleOptions(walk, startF, startF), budget, (f) => {
    n += n === 0 && f.getTime() !== startF.getTime() ? 2 : 1;
    last = f;
    return n < count;
  });
  const result = completed ? last : undefined;
  if (countMemo.size >= 1000) countMemo.delete(countMemo.keys().next().value!);
  countMemo.set(key, result);
  return result;
}

/**
 * The first instant of the period (of the rule's grid, anchored at DTSTART) that contains
 * `lowF`, when that is later than DTSTART's own period; null to start at DTSTART.
 */
function rebasedStart(rule: Rule, startF: Date, lowF: Date): Date | null {
  if (lowF <= startF) return null;
  const y0 = startF.getUTCFullYear();
  const m0 = startF.getUTCMonth();
  let k: number;
  switch (rule.freq) {
    case 'YEARLY':
      k = Math.floor((lowF.getUTCFullYear() - y0) / rule.interval);
      return k > 0 ? floatingOf(y0 + k * rule.interval, 1, 1) : null;
    case 'MONTHLY': {
      k = Math.floor(((lowF.getUTCFullYear() - y0) * 12 + lowF.getUTCMonth() - m0) / rule.interval);
      return k > 0 ? floatingOf(y0, m0 + 1 + k * rule.interval, 1) : null;
    }
    case 'WEEKLY': {
      // Weeks begin on WKST; the first one is DTSTART's week.
      const day0 = floatingOf(y0, m0 + 1, startF.getUTCDate());
      const wkst = rule.wkst ?? 0;
      const weekStart = day0.getTime() - ((((day0.getUTCDay() + 6) % 7) - wkst + 7) % 7) * DAY_MS;
      const step = 7 * rule.interval * DAY_MS;
      k = Math.floor((lowF.getTime() - weekStart) / step);
      return k > 0 ? new Date(weekStart + k * step) : null;
    }
    case 'DAILY': {
      const day0 = floatingOf(y0, m0 + 1, startF.getUTCDate()).getTime();
      const step = rule.interval * DAY_MS;
      k = Math.floor((lowF.getTime() - day0) / step);
      return k > 0 ? new Date(day0 + k * step) : null;
    }
    case 'HOURLY': {
      const hour0 = startF.getTime() - (((startF.getTime() % HOUR_MS) + HOUR_MS) % HOUR_MS);
      const step = rule.interval * HOUR_MS;
      k = Math.floor((lowF.getTime() - hour0) / step);
      return k > 0 ? new Date(hour0 + k * step) : null;
    }
  }
}

/**
 * The occurrences of a series that overlap [from, to), in order: DTSTART always (it is the first
 * occurrence, RFC 5545), then the rule's. Each lasts as long on the wall clock as the first (an
 * all-day event stays whole local days, a 09:00-17:00 stays 09:00-17:00 across DST). A timed
 * occurrence without an end lasts zero minutes: it overlaps when it starts inside the window.
 * At most `cap` occurrences; never throws on a bad stored rule (it then has only DTSTART).
 */
export function expandSeries(
  series: Series,
  from: Date,
  to: Date,
  cap = MAX_OCCURRENCES_PER_SERIES,
): Occurrence[] {
  const zone = series.timezone;
  const out: Occurrence[] = [];
  const overlaps = (start: Date, end: Date | null) =>
    start < to && (start >= from || (end !== null && end > from));
  const first = {
    start: series.start,
    end:
      series.end ??
      (series.isAllDay ? fromFloating(plusDays(toFloating(series.start, zone), 1), zone) : null),
  };
  if (overlaps(first.start, first.end)) out.push(first);

  let rule: Rule;
  try {
    rule = parseRule(series.rule);
  } catch {
    return out;
  }
  const startF = floatingStart(series);
  try {
    checkReachable(rule, rruleOptions(rule, startF, startF), startF);
  } catch {
    return out;
  }
  // Sub-second part of the start, which rrule does not carry.
  const msOffset = toFloating(series.start, zone).getUTCMilliseconds();
  const wallDuration =
    first.end === null
      ? null
      : toFloating(first.end, zone).getTime() - toFloating(series.start, zone).getTime();

  // Floating bounds with two days of slack for the zone's offset; the exact test is `overlaps`.
  const lowF = new Date(toFloating(from, zone).getTime() - (wallDuration ?? 0) - 2 * DAY_MS);
  const highF = new Date(toFloating(to, zone).getTime() + 2 * DAY_MS);

  let walk = walkingRule(rule, startF);
  let untilF = untilFloating(rule, zone);
  let options: Partial<RRuleOptions>;
  let origin = startF;
  if (rule.count !== null) untilF = lastOfCount(rule, startF) ?? null;
  if (rule.count !== null && untilF === null) {
    // Not expected for validated rules: walk from DTSTART with rrule's own COUNT, bounded.
    walk = rule;
    options = { ...rruleOptions(rule, startF, startF), count: rule.count };
  } else {
    if (untilF !== null && untilF < lowF) return out;
    // A walked rule is a pure filter over days and times, so it may start on any day.
    const lowDay = floatingOf(lowF.getUTCFullYear(), lowF.getUTCMonth() + 1, lowF.getUTCDate());
    origin =
      walk !== rule ? (lowDay > startF ? lowDay : startF) : (rebasedStart(walk, startF, lowF) ?? startF);
    options = { ...rruleOptions(walk, origin, startF), until: untilF };
  }
  if (highF <= origin) return out;

  const seen = new Set<number>([series.start.getTime()]);
  run(options, periodsBetween(walk, origin, highF) + 3, (f) => {
    if (f > highF) return false;
    const wall = f.getTime();
    if (f < lowF || wall === startF.getTime()) return true;
    const start = new Date(wallToUtcMs(zone, wall) + msOffset);
    if (seen.has(start.getTime())) return true; // two wall times in one spring-forward gap
    seen.add(start.getTime());
    const end = wallDuration === null ? null : new Date(wallToUtcMs(zone, wall + wallDuration) + msOffset);
    if (overlaps(start, end)) out.push({ start, end });
    return out.length < cap;
  });
  out.sort((a, b) => a.start.getTime() - b.start.getTime());
  return out;
}

function plusDays(f: Date, days: number): Date {
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
