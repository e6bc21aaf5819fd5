/**
 * Whether a rule may be stored for an event (BEHAVIOUR.md "Time"): what parseRule checks, plus
 * what needs the event's start, and that the rule can be expanded within bounds.
 */
import type { Options as RRuleOptions } from 'rrule';
import { floatingStart, plusYears, untilFloating, type Series } from './recurrence.frame.js';
import {
  formatRule,
  MAX_MONTH_DAYS,
  pad,
  parseRule,
  RecurrenceError,
  type Rule,
} from './recurrence.parse.js';
import {
  lastOfCount,
  newMeter,
  periodCost,
  periodsBetween,
  rruleOptions,
  run,
  walkingRule,
} from './recurrence.rrule.js';

/** A rule must produce an occurrence within this many years of its start. */
const FIRST_OCCURRENCE_YEARS = 10;

/** A BYSETPOS rule may make rrule build at most this many candidates per period to choose from. */
export const MAX_PERIOD_CANDIDATES = 1_500;

/**
 * Validates a rule for an event and returns its canonical text. Beyond parseRule: at most one
 * occurrence a minute, what the event's start decides (defaults taken from DTSTART, an
 * unreachable BYHOUR for HOURLY), all-day events repeat by whole days, a bounded number of
 * candidates per period, a first occurrence within 10 years found within the candidate budget,
 * and a COUNT series that ends within a bounded number of periods.
 */
export function validateSeries(series: Series): string {
  const rule = parseRule(series.rule);
  checkDensity(rule);
  if (series.isAllDay && (rule.freq === 'HOURLY' || rule.byhour || rule.byminute || rule.bysecond))
    throw new RecurrenceError(
      'An all-day event repeats by days: FREQ=HOURLY, BYHOUR, BYMINUTE and BYSECOND are not allowed',
    );
  const startF = floatingStart(series);
  const options = rruleOptions(rule, startF, startF);
  checkReachable(rule, options, startF);
  const perPeriod = periodCost(rule, options);
  if (perPeriod > MAX_PERIOD_CANDIDATES)
    throw new RecurrenceError(
      `BYSETPOS would choose from ${perPeriod} candidate times per period (at most ${MAX_PERIOD_CANDIDATES}); narrow BYHOUR/BYMINUTE or the frequency`,
    );

  const walk = walkingRule(rule, startF);
  const untilF = untilFloating(rule, series.timezone);
  const horizon = plusYears(startF, FIRST_OCCURRENCE_YEARS);
  const found: { first?: Date } = {};
  const meter = newMeter();
  run(
    walk,
    { ...rruleOptions(walk, startF, startF), until: untilF },
    periodsBetween(walk, startF, horizon) + 3,
    meter,
    (f) => {
      found.first = f;
      return false;
    },
  );
  if (found.first === undefined && meter.exhausted)
    throw new RecurrenceError(
      `The rule's first occurrence is too far or too rare to find within ${meter.limit} candidate times`,
    );
  if (found.first === undefined || found.first > horizon)
    throw new RecurrenceError(
      `The rule has no occurrence within ${FIRST_OCCURRENCE_YEARS} years of the start`,
    );
  if (rule.count !== null && lastOfCount(rule, startF) === undefined)
    throw new RecurrenceError(`COUNT=${rule.count} runs too far for this rule; end it with UNTIL instead`);
  return formatRule(rule);
}

/**
 * At most one occurrence a minute (FREQ=SECONDLY and MINUTELY are refused by parseRule): several
 * BYSECOND values repeat within one minute, whatever else the rule says. Even with a BYSETPOS
 * picking one of them, a calendar has no use for second-level choices.
 */
export function checkDensity(rule: Rule): void {
  if (rule.bysecond && new Set(rule.bysecond).size > 1)
    throw new RecurrenceError(
      `BYSECOND=${rule.bysecond.join(',')} repeats more than once a minute; events repeat at most once a minute`,
    );
}

/** Checks that need DTSTART's defaults, before rrule ever runs. */
export function checkReachable(rule: Rule, opts: Partial<RRuleOptions>, startF: Date): void {
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
