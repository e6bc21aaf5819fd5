/**
 * Expansion: the occurrences of a series in a window, bounded by the window, by a cap on the
 * occurrences kept and by a budget of candidates examined (recurrence.rrule.ts).
 */
import type { Options as RRuleOptions } from 'rrule';
import { wallMsToUtcMs } from '../../lib/time.js';
import {
  DAY_MS,
  floatingOf,
  floatingStart,
  fromFloating,
  plusDays,
  toFloating,
  untilFloating,
  type Occurrence,
  type Series,
} from './recurrence.frame.js';
import { parseRule, type Rule } from './recurrence.parse.js';
import {
  lastOfCount,
  newMeter,
  periodsBetween,
  rebasedStart,
  rruleOptions,
  run,
  walkingRule,
  type Meter,
} from './recurrence.rrule.js';
import { checkDensity, checkReachable } from './recurrence.validate.js';

/** Most occurrences one series contributes to one query. */
export const MAX_OCCURRENCES_PER_SERIES = 10_000;

/** Expansions run and candidates examined in this process (tests and the benchmark read them). */
const totals = { expansions: 0, candidates: 0 };
export const expansionTotals = (): Readonly<typeof totals> => ({ ...totals });

/** Whether an occurrence overlaps [from, to): one without an end, when it starts inside. */
export function overlapsWindow(start: Date, end: Date | null, from: Date, to: Date): boolean {
  return start < to && (start >= from || (end !== null && end > from));
}

/**
 * The occurrences of a series that overlap [from, to), in order: DTSTART always (it is the first
 * occurrence, RFC 5545), then the rule's. Each lasts as long on the wall clock as the first (an
 * all-day event stays whole local days, a 09:00-17:00 stays 09:00-17:00 across DST). A timed
 * occurrence without an end lasts zero minutes: it overlaps when it starts inside the window.
 * At most `cap` occurrences, after at most `meter.limit` candidates examined (the meter says how
 * many were); never throws on a bad stored rule (it then has only DTSTART).
 */
export function expandSeries(
  series: Series,
  from: Date,
  to: Date,
  cap = MAX_OCCURRENCES_PER_SERIES,
  meter: Meter = newMeter(),
): Occurrence[] {
  totals.expansions++;
  const before = meter.candidates;
  try {
    return expandMetered(series, from, to, cap, meter);
  } finally {
    totals.candidates += meter.candidates - before;
  }
}

function expandMetered(series: Series, from: Date, to: Date, cap: number, meter: Meter): Occurrence[] {
  const zone = series.timezone;
  const out: Occurrence[] = [];
  const overlaps = (start: Date, end: Date | null) => overlapsWindow(start, end, from, to);
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
    // A rule stored before it was refused (denser than once a minute) counts as unusable too.
    checkDensity(rule);
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

  // Floating bounds with a day of slack for the zone's offset (no zone is a day off UTC); the
  // exact test is `overlaps`.
  const lowF = new Date(toFloating(from, zone).getTime() - (wallDuration ?? 0) - DAY_MS);
  const highF = new Date(toFloating(to, zone).getTime() + DAY_MS);

  let walk = walkingRule(rule, startF);
  let untilF = untilFloating(rule, zone);
  let options: Partial<RRuleOptions>;
  let origin = startF;
  if (rule.count !== null) untilF = lastOfCount(rule, startF, meter) ?? null;
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
  run(walk, options, periodsBetween(walk, origin, highF) + 3, meter, (f) => {
    if (f > highF) return false;
    const wall = f.getTime();
    if (f < lowF || wall === startF.getTime()) return true;
    const start = new Date(wallMsToUtcMs(wall, zone) + msOffset);
    if (seen.has(start.getTime())) return true; // two wall times in one spring-forward gap
    seen.add(start.getTime());
    const end = wallDuration === null ? null : new Date(wallMsToUtcMs(wall + wallDuration, zone) + msOffset);
    if (overlaps(start, end)) out.push({ start, end });
    return out.length < cap;
  });
  out.sort((a, b) => a.start.getTime() - b.start.getTime());
  return out;
}
