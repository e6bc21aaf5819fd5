/** Shorthands of the recurrence unit tests: a series, its occurrences in local time, a time bound. */
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import type { Series } from '../../src/modules/events/recurrence.js';

export function series(rule: string, startIso: string, opts: Partial<Series> = {}): Series {
  return { rule, start: new Date(startIso), end: null, isAllDay: false, timezone: 'Asia/Seoul', ...opts };
}

/** Local wall times of the occurrences, e.g. "Mon 2026-03-09 08:00". */
export function local(occ: { start: Date }[], zone: string): string[] {
  return occ.map((o) => DateTime.fromJSDate(o.start, { zone }).toFormat('ccc yyyy-MM-dd HH:mm'));
}

/** Runs `fn` and fails if it takes longer than `ms`. */
export function quick<T>(ms: number, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  expect(performance.now() - t0).toBeLessThan(ms);
  return out;
}
