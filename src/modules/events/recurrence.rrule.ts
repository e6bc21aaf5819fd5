/**
 * Bounded runs of the `rrule` library (2.8.1, pinned in package.json: see `run`).
 *
 * rrule's `iter()` only calls back on candidate dates, so a rule whose periods are all empty
 * (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) walks every period up to year 9999, and `addHours` loops
 * forever when BYHOUR can never be reached with the INTERVAL. So (1) recurrence.validate.ts
 * rejects impossible rules up front, (2) runs start at a period near the query window instead of
 * at DTSTART (COUNT series are first turned into their last occurrence, computed once and
 * memoised), and (3) every run has a budget of candidates examined, periods included, which a
 * caller can read on a meter.
 */
import rrulePkg from 'rrule';
import type { Options as RRuleOptions } from 'rrule';
import { DAY_MS, floatingOf, HOUR_MS, plusYears } from './recurrence.frame.js';
import { formatRule, WEEKDAYS, type ByDay, type Freq, type Rule } from './recurrence.parse.js';

const { RRule, Weekday } = rrulePkg;

const FREQ_NUM: Record<Freq, number> = { YEARLY: 0, MONTHLY: 1, WEEKLY: 2, DAILY: 3, HOURLY: 4 };

/** A COUNT series must end within this many periods (FREQ x INTERVAL steps) of its start... */
const MAX_COUNT_PERIODS = 20_000;
/** ...or, when walked year by year (see walkingRule), within this many years. */
const MAX_COUNT_YEARS = 200;

/** rrule fills missing BYxxx parts from DTSTART; a rebased start must keep the original's. */
export function rruleOptions(rule: Rule, dtstart: Date, defaultsFrom: Date): Partial<RRuleOptions> {
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
export function walkingRule(rule: Rule, startF: Date): Rule {
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

/**
 * Candidates one expansion may examine: a few milliseconds of rrule's work (about 1 us each,
 * warm). Enough for a year of every validated rule up to the occurrence cap, and for a day of
 * the densest (once a minute, 1,440 a day, plus a day of slack each side).
 */
export const MAX_CANDIDATES = 20_000;
/** A COUNT series' end is found once per rule (memoised), so it may look further. */
const MAX_COUNT_CANDIDATES = 4 * MAX_CANDIDATES;

/**
 * Candidates examined by runs of rrule, against a limit: each period rrule opens counts the days
 * it scans (times every candidate time of the period when BYSETPOS makes rrule build them all),
 * and each date it yields counts one. Callers read it to see (and tests to assert) the bound.
 */
export interface Meter {
  candidates: number;
  limit: number;
  /** A run stopped because the limit was reached (its result is cut short). */
  exhausted: boolean;
}

export const newMeter = (limit = MAX_CANDIDATES): Meter => ({ candidates: 0, limit, exhausted: false });

class BudgetExhausted extends Error {}

const PERIOD_DAYS: Record<Freq, number> = { YEARLY: 366, MONTHLY: 31, WEEKLY: 7, DAILY: 1, HOURLY: 1 };

const count = (values: unknown) => (Array.isArray(values) ? Math.max(1, values.length) : 1);

/** The candidates rrule examines in one period of a rule (as rruleOptions gives it), at most. */
export function periodCost(rule: Rule, options: Partial<RRuleOptions>): number {
  const days = PERIOD_DAYS[rule.freq];
  if (!rule.bysetpos) return days;
  const times =
    (rule.freq === 'HOURLY' ? 1 : count(options.byhour)) * count(options.byminute) * count(options.bysecond);
  return days * times;
}

/**
 * Runs rrule, calling `visit` with each floating candidate until it returns false, for at most
 * `maxPeriods` periods and the meter's limit. Returns false when a budget ran out first.
 *
 * The period budget relies on an rrule internal: `iter()` reads `options.interval` once up front
 * and twice per period (its end-of-period check and DateTime.add), so a counting getter there
 * sees every period, including the empty ones it never calls back on. That is rrule 2.8.1
 * exactly (package.json pins it); recurrence.test.ts fails if a version reads it otherwise.
 */
export function run(
  rule: Rule,
  options: Partial<RRuleOptions>,
  maxPeriods: number,
  meter: Meter,
  visit: (f: Date) => boolean,
): boolean {
  const rrule = new RRule(options, true);
  const parsed = rrule.options;
  const interval = parsed.interval;
  const cost = periodCost(rule, options);
  const maxReads = 1 + 2 * Math.max(1, maxPeriods);
  let reads = 0;
  const spend = (n: number) => {
    meter.candidates += n;
    if (meter.candidates > meter.limit) {
      meter.exhausted = true;
      throw new BudgetExhausted();
    }
  };
  Object.defineProperty(parsed, 'interval', {
    configurable: true,
    enumerable: true,
    get: () => {
      if (++reads > maxReads) throw new BudgetExhausted();
      if (reads % 2 === 0) spend(cost);
      return interval;
    },
  });
  try {
    rrule.all((d) => {
      spend(1);
      return visit(d);
    });
    return true;
  } catch (err) {
    if (err instanceof BudgetExhausted) return false;
    throw err;
  }
}

/** How many FREQ x INTERVAL steps take `a` to `b` (rounded up). */
export function periodsBetween(rule: Rule, a: Date, b: Date): number {
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

export function lastOfCount(rule: Rule, startF: Date, meter?: Meter): Date | undefined {
  const count = rule.count!;
  if (count === 1) return startF;
  const key = `${formatRule(rule)}|${startF.toISOString()}`;
  if (countMemo.has(key)) return countMemo.get(key);
  let n = 0;
  let last: Date = startF;
  const walk = walkingRule(rule, startF);
  const budget =
    walk === rule ? MAX_COUNT_PERIODS : periodsBetween(walk, startF, plusYears(startF, MAX_COUNT_YEARS));
  const own = newMeter(MAX_COUNT_CANDIDATES);
  const completed = run(walk, rruleOptions(walk, startF, startF), budget, own, (f) => {
    n += n === 0 && f.getTime() !== startF.getTime() ? 2 : 1;
    last = f;
    return n < count;
  });
  if (meter) meter.candidates += own.candidates;
  const result = completed ? last : undefined;
  if (countMemo.size >= 1000) countMemo.delete(countMemo.keys().next().value!);
  countMemo.set(key, result);
  return result;
}

/**
 * The first instant of the period (of the rule's grid, anchored at DTSTART) that contains
 * `lowF`, when that is later than DTSTART's own period; null to start at DTSTART.
 */
export function rebasedStart(rule: Rule, startF: Date, lowF: Date): Date | null {
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
