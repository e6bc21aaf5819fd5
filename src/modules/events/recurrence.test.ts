/**
 * Parsing and validating recurrence rules, their iCalendar form, and the bounds that keep an
 * expansion cheap (density, candidates examined, the rrule internal relied on).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quick, series } from '../../../test/helpers/recurrence.js';
import {
  expandSeries,
  expansionTotals,
  formatRule,
  MAX_CANDIDATES,
  MAX_PERIOD_CANDIDATES,
  newMeter,
  parseRule,
  RecurrenceError,
  ruleForIcs,
  validateSeries,
} from './recurrence.js';
import { rruleOptions, run } from './recurrence.rrule.js';

const NY = 'America/New_York';

describe('parseRule', () => {
  it('accepts rules with or without the RRULE: prefix, in any case, and stores them canonically', () => {
    expect(formatRule(parseRule('FREQ=WEEKLY;BYDAY=MO,WE'))).toBe('FREQ=WEEKLY;BYDAY=MO,WE');
    expect(formatRule(parseRule('RRULE:freq=weekly;byday=mo,we'))).toBe('FREQ=WEEKLY;BYDAY=MO,WE');
    expect(formatRule(parseRule(' BYDAY=MO;FREQ=WEEKLY;INTERVAL=2; '))).toBe(
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO',
    );
    expect(formatRule(parseRule('FREQ=MONTHLY;BYDAY=-1FR;COUNT=3'))).toBe('FREQ=MONTHLY;COUNT=3;BYDAY=-1FR');
    expect(
      formatRule(parseRule('FREQ=YEARLY;UNTIL=20300101T000000Z;BYMONTH=1,7;BYMONTHDAY=-1;WKST=SU')),
    ).toBe('FREQ=YEARLY;UNTIL=20300101T000000Z;BYMONTH=1,7;BYMONTHDAY=-1;WKST=SU');
    expect(parseRule('FREQ=DAILY;UNTIL=20260301').until).toEqual({
      kind: 'date',
      year: 2026,
      month: 3,
      day: 1,
    });
    expect(parseRule('FREQ=YEARLY;BYWEEKNO=20,-1;BYDAY=MO').byweekno).toEqual([20, -1]);
    expect(parseRule('FREQ=HOURLY;BYHOUR=0,23;BYMINUTE=0,30;BYSECOND=0').byminute).toEqual([0, 30]);
    expect(parseRule('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1').bysetpos).toEqual([-1]);
  });

  it.each([
    ['', 'empty'],
    ['BYDAY=MO', 'FREQ is required'],
    ['FREQ=SECONDLY', 'SECONDLY'],
    ['FREQ=MINUTELY', 'MINUTELY'],
    ['FREQ=FORTNIGHTLY', 'FREQ must be one of'],
    ['FREQ=DAILY;INTERVAL=0', 'INTERVAL'],
    ['FREQ=DAILY;INTERVAL=zero', 'INTERVAL'],
    ['FREQ=DAILY;INTERVAL=-1', 'INTERVAL'],
    ['FREQ=DAILY;COUNT=-1', 'COUNT'],
    ['FREQ=DAILY;COUNT=0', 'COUNT'],
    ['FREQ=DAILY;COUNT=50001', 'COUNT'],
    ['FREQ=DAILY;COUNT=2;UNTIL=20300101', 'COUNT and UNTIL'],
    ['FREQ=DAILY;UNTIL=2030-01-01', 'UNTIL'],
    ['FREQ=DAILY;UNTIL=20300230', 'UNTIL'],
    ['FREQ=DAILY;UNTIL=20300101T250000Z', 'UNTIL'],
    ['FREQ=WEEKLY;BYDAY=FUNDAY', 'BYDAY'],
    ['FREQ=WEEKLY;BYDAY=MO,', 'BYDAY'],
    ['FREQ=MONTHLY;BYDAY=0MO', 'position'],
    ['FREQ=MONTHLY;BYDAY=6MO', 'out of range'],
    ['FREQ=WEEKLY;BYDAY=2TU', 'numbered BYDAY'],
    ['FREQ=MONTHLY;BYMONTHDAY=32', 'BYMONTHDAY'],
    ['FREQ=MONTHLY;BYMONTHDAY=0', 'BYMONTHDAY'],
    ['FREQ=MONTHLY;BYMONTHDAY=-32', 'BYMONTHDAY'],
    ['FREQ=YEARLY;BYMONTH=13', 'BYMONTH'],
    ['FREQ=YEARLY;BYMONTH=0', 'BYMONTH'],
    ['FREQ=DAILY;BYHOUR=24', 'BYHOUR'],
    ['FREQ=DAILY;BYHOUR=-1', 'BYHOUR'],
    ['FREQ=DAILY;BYMINUTE=60', 'BYMINUTE'],
    ['FREQ=DAILY;BYSECOND=60', 'BYSECOND'],
    ['FREQ=YEARLY;BYYEARDAY=367', 'BYYEARDAY'],
    ['FREQ=YEARLY;BYWEEKNO=54', 'BYWEEKNO'],
    ['FREQ=MONTHLY;BYWEEKNO=1', 'BYWEEKNO is only allowed'],
    ['FREQ=DAILY;BYYEARDAY=1', 'BYYEARDAY is not allowed'],
    ['FREQ=WEEKLY;BYMONTHDAY=1', 'BYMONTHDAY is not allowed'],
    ['FREQ=MONTHLY;BYSETPOS=1', 'BYSETPOS needs'],
    ['FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0', 'BYSETPOS'],
    ['FREQ=DAILY;BYHOUR=9;BYSETPOS=2', 'BYSETPOS'],
    ['FREQ=WEEKLY;WKST=XX', 'WKST'],
    ['FREQ=DAILY;X-NAME=1', 'Unknown'],
    ['FREQ=DAILY;BYEASTER=0', 'Unknown'],
    ['FREQ=DAILY;FREQ=WEEKLY', 'more than once'],
    ['FREQ=DAILY;;INTERVAL=2', 'NAME=VALUE'],
    ['FREQ=DAILY;INTERVAL', 'NAME=VALUE'],
    ['DTSTART:20260101T000000Z', 'NAME=VALUE'],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', 'never falls'],
    ['FREQ=DAILY;BYMONTH=4,6;BYMONTHDAY=31', 'never falls'],
    ['FREQ=YEARLY;BYMONTH=2;BYYEARDAY=1', 'never falls'],
  ])('rejects %j', (rule, message) => {
    expect(() => parseRule(rule)).toThrow(RecurrenceError);
    expect(() => parseRule(rule)).toThrow(message);
  });
});

describe('validateSeries', () => {
  const start = '2026-01-05T08:00:00+09:00'; // a Monday

  it('returns the canonical rule for a good one', () => {
    expect(validateSeries(series('rrule:FREQ=WEEKLY;BYDAY=MO', start))).toBe('FREQ=WEEKLY;BYDAY=MO');
    expect(validateSeries(series('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', start))).toBe(
      'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29',
    );
  });

  it.each([
    ['FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29', '2025-03-01T09:00:00+09:00', 'within 10 years'],
    ['FREQ=DAILY;UNTIL=20251231', start, 'within 10 years'],
    ['FREQ=DAILY;INTERVAL=7;BYDAY=TU', start, 'within 10 years'],
    ['FREQ=HOURLY;INTERVAL=168;BYDAY=TU', start, 'within 10 years'],
    ['FREQ=MONTHLY;INTERVAL=12;BYMONTH=3', start, 'within 10 years'],
    ['FREQ=MONTHLY;BYMONTH=2', '2026-01-30T09:00:00+09:00', "start's day of the month (30)"],
    ['FREQ=YEARLY;BYMONTH=4', '2026-01-31T09:00:00+09:00', "start's day of the month (31)"],
    ['FREQ=HOURLY;INTERVAL=24;BYHOUR=5', start, 'is ever reached'],
    ['FREQ=HOURLY;INTERVAL=6;BYHOUR=1,3', start, 'is ever reached'],
    ['FREQ=HOURLY;COUNT=50000;BYMONTH=2;BYMONTHDAY=29', start, 'runs too far'],
    ['FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31;COUNT=50000', start, 'runs too far'],
  ])('rejects %s (starting %s) quickly', (rule, at, message) => {
    quick(1500, () => expect(() => validateSeries(series(rule, at))).toThrow(message));
  });

  it('keeps all-day events on whole days', () => {
    const allDay = (rule: string) =>
      series(rule, '2026-01-04T15:00:00Z', { isAllDay: true, end: new Date('2026-01-05T15:00:00Z') });
    expect(validateSeries(allDay('FREQ=WEEKLY'))).toBe('FREQ=WEEKLY');
    expect(() => validateSeries(allDay('FREQ=HOURLY'))).toThrow('all-day');
    expect(() => validateSeries(allDay('FREQ=DAILY;BYHOUR=9'))).toThrow('all-day');
  });

  it('accepts reachable HOURLY rules', () => {
    expect(validateSeries(series('FREQ=HOURLY;INTERVAL=6;BYHOUR=2,14', start))).toBe(
      'FREQ=HOURLY;INTERVAL=6;BYHOUR=2,14',
    );
  });
});

describe('ruleForIcs', () => {
  it('writes UNTIL in UTC beside a date-time start and as a DATE beside an all-day start', () => {
    expect(ruleForIcs('FREQ=DAILY;UNTIL=20260310T090000', NY, 'date-time')).toBe(
      'FREQ=DAILY;UNTIL=20260310T130000Z',
    );
    expect(ruleForIcs('FREQ=DAILY;UNTIL=20260310', NY, 'date-time')).toBe(
      'FREQ=DAILY;UNTIL=20260311T035959Z',
    );
    expect(ruleForIcs('FREQ=DAILY;UNTIL=20260310T020000Z', NY, 'date')).toBe('FREQ=DAILY;UNTIL=20260309');
    expect(ruleForIcs('FREQ=WEEKLY;BYDAY=MO', NY, 'date')).toBe('FREQ=WEEKLY;BYDAY=MO');
    expect(ruleForIcs('garbage', NY, 'date')).toBeNull();
  });
});

describe('bounds: density, candidates examined, the rrule internal relied on', () => {
  const start = '2026-01-05T08:00:00+09:00';
  const every = (n: number, step = 1) => Array.from({ length: n / step }, (_, i) => i * step).join(',');
  const EVERY_MINUTE = `FREQ=HOURLY;BYMINUTE=${every(60)}`;

  it.each([
    [`FREQ=HOURLY;BYMINUTE=${every(60)};BYSECOND=${every(60)}`],
    ['FREQ=DAILY;BYSECOND=0,30'],
    ['FREQ=YEARLY;BYSECOND=1,2;BYSETPOS=1'],
  ])('refuses more than one occurrence a minute: %s', (rule) => {
    expect(() => validateSeries(series(rule, start))).toThrow(/more than once a minute/);
  });

  it('accepts once a minute, the densest rule', () => {
    expect(validateSeries(series(EVERY_MINUTE, start))).toBe(EVERY_MINUTE);
    const rule = `FREQ=DAILY;BYHOUR=${every(24)};BYMINUTE=${every(60)};BYSECOND=30`;
    expect(validateSeries(series(rule, start))).toBe(rule);
  });

  it('refuses a BYSETPOS that would choose among too many candidates per period', () => {
    const rule = `FREQ=MONTHLY;BYHOUR=${every(24)};BYMINUTE=${every(60)};BYSETPOS=1`;
    expect(() => validateSeries(series(rule, start))).toThrow(/44640 candidate times per period/);
    expect(validateSeries(series('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', start))).toBe(
      'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    );
  });

  const day: [string, string] = ['2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z'];
  const year: [string, string] = ['2026-03-01T00:00:00Z', '2027-03-01T00:00:00Z'];
  it.each([
    ['the densest accepted rule, a day', EVERY_MINUTE, day],
    ['the densest accepted rule, a year', EVERY_MINUTE, year],
    [
      'a BYSETPOS rule, a year',
      `FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=${every(24)};BYSETPOS=-1`,
      year,
    ],
    // 31 days x 48 times a period, within MAX_PERIOD_CANDIDATES: a year is cut short, within bounds.
    ['BYSETPOS at its limit, a year', `FREQ=MONTHLY;BYHOUR=${every(24)};BYMINUTE=0,30;BYSETPOS=1`, year],
    ['a sparse, odd rule, a year', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO', year],
    ['an odd hourly grid, a year', 'FREQ=HOURLY;INTERVAL=7;BYMINUTE=0,30', year],
  ] as const)('bounds the candidates examined: %s', (_name, rule, [from, to]) => {
    const meter = newMeter();
    const before = expansionTotals();
    expandSeries(series(rule, '2026-01-01T00:00:00Z'), new Date(from), new Date(to), undefined, meter);
    // A run stops at the first charge past the limit; one charge is at most a period's candidates.
    expect(meter.candidates).toBeGreaterThan(0);
    expect(meter.candidates).toBeLessThanOrEqual(MAX_CANDIDATES + MAX_PERIOD_CANDIDATES);
    expect(expansionTotals().expansions).toBe(before.expansions + 1);
    expect(expansionTotals().candidates).toBe(before.candidates + meter.candidates);
  });

  it('expands a day of the densest rule whole; a stored every-second rule is its first occurrence only', () => {
    const dense = newMeter();
    const from = new Date(day[0]);
    const to = new Date(day[1]);
    const minutes = expandSeries(series(EVERY_MINUTE, '2026-01-01T00:00:00Z'), from, to, undefined, dense);
    expect(minutes).toHaveLength(1440);
    expect(dense.exhausted).toBe(false);
    const legacy = newMeter();
    const rule = `FREQ=HOURLY;BYMINUTE=${every(60)};BYSECOND=${every(60)}`;
    expect(expandSeries(series(rule, day[0]), from, to, undefined, legacy)).toHaveLength(1);
    expect(legacy.candidates).toBe(0);
  });

  it('relies on rrule 2.8.1 reading options.interval twice per period (pinned in package.json)', () => {
    const json = (path: string) =>
      JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        version: string;
        dependencies: Record<string, string>;
      };
    expect(json('../../../node_modules/rrule/package.json').version).toBe('2.8.1');
    expect(json('../../../package.json').dependencies.rrule).toBe('2.8.1');
    // No occurrence ever: rrule calls back nothing and would walk to the year 9999. The period
    // budget, counted through that internal, stops it after exactly 10 periods of one day each.
    const rule = { ...parseRule('FREQ=DAILY;BYMONTH=2'), bymonthday: [30] }; // parseRule refuses it
    const startF = new Date(Date.UTC(2026, 0, 5, 8));
    const meter = newMeter();
    let calls = 0;
    expect(run(rule, rruleOptions(rule, startF, startF), 10, meter, () => ++calls > 0)).toBe(false);
    expect(calls).toBe(0);
    expect(meter.candidates).toBe(10);
  });
});
