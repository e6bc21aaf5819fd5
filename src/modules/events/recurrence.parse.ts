/**
 * Recurrence rules as text (BEHAVIOUR.md "Time"): a strict RFC 5545 RRULE reader in front of the
 * `rrule` library, and the one canonical spelling rules are stored in. Nothing here looks at an
 * event; the checks that need its start are in recurrence.validate.ts.
 */
import { DateTime } from 'luxon';

/** The longest COUNT accepted. */
export const MAX_COUNT = 50_000;

export const FREQS = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY'] as const;
export type Freq = (typeof FREQS)[number];

/** Index = rrule's weekday number (Monday = 0). */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

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

export const MAX_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

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

export const pad = (n: number, w = 2) => String(n).padStart(w, '0');

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

export function formatUtc(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}
