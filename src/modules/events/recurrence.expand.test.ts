/**
 * Expanding a series into occurrences: local wall times across DST, all-day series, exceptions,
 * and agreement with a plain rrule walk.
 */
import { DateTime } from 'luxon';
import rrulePkg from 'rrule';
import { describe, expect, it } from 'vitest';
import { local, quick, series } from '../../../test/helpers/recurrence.js';
import {
  expandSeries,
  formatRule,
  fromFloating,
  MAX_OCCURRENCES_PER_SERIES,
  parseRule,
  toFloating,
  validateSeries,
  type Series,
} from './recurrence.js';

const { RRule } = rrulePkg;
const NY = 'America/New_York';
const SEOUL = 'Asia/Seoul';

describe('expandSeries', () => {
  it('repeats on the local wall clock across both DST transitions', () => {
    // Monday 2026-03-02 08:00 EST; DST starts 2026-03-08 and ends 2026-11-01.
    const s = series('FREQ=WEEKLY;BYDAY=MO', '2026-03-02T13:00:00Z', {
      timezone: NY,
      end: new Date('2026-03-02T14:00:00Z'),
    });
    const spring = expandSeries(s, new Date('2026-03-01T00:00:00Z'), new Date('2026-03-17T00:00:00Z'));
    expect(local(spring, NY)).toEqual([
      'Mon 2026-03-02 08:00',
      'Mon 2026-03-09 08:00',
      'Mon 2026-03-16 08:00',
    ]);
    expect(spring.map((o) => o.start.toISOString())).toEqual([
      '2026-03-02T13:00:00.000Z',
      '2026-03-09T12:00:00.000Z',
      '2026-03-16T12:00:00.000Z',
    ]);
    expect(spring.map((o) => (o.end!.getTime() - o.start.getTime()) / 60_000)).toEqual([60, 60, 60]);
    const autumn = expandSeries(s, new Date('2026-10-25T00:00:00Z'), new Date('2026-11-10T00:00:00Z'));
    expect(local(autumn, NY)).toEqual([
      'Mon 2026-10-26 08:00',
      'Mon 2026-11-02 08:00',
      'Mon 2026-11-09 08:00',
    ]);
    expect(autumn.map((o) => o.start.toISOString().slice(11, 16))).toEqual(['12:00', '13:00', '13:00']);
  });

  it('stays on the local day when the UTC day differs (Seoul Monday 08:00 is Sunday in UTC)', () => {
    const s = series('FREQ=WEEKLY;BYDAY=MO', '2026-01-05T08:00:00+09:00');
    const occ = expandSeries(s, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-20T00:00:00Z'));
    expect(local(occ, SEOUL)).toEqual([
      'Mon 2026-01-05 08:00',
      'Mon 2026-01-12 08:00',
      'Mon 2026-01-19 08:00',
    ]);
    expect(occ.map((o) => o.start.getUTCDay())).toEqual([0, 0, 0]);
  });

  it('moves a wall time in the spring-forward gap forward by the gap', () => {
    const s = series('FREQ=DAILY', '2026-03-06T02:30:00-05:00', { timezone: NY });
    const occ = expandSeries(s, new Date('2026-03-06T00:00:00Z'), new Date('2026-03-10T12:00:00Z'));
    expect(local(occ, NY)).toEqual([
      'Fri 2026-03-06 02:30',
      'Sat 2026-03-07 02:30',
      'Sun 2026-03-08 03:30',
      'Mon 2026-03-09 02:30',
      'Tue 2026-03-10 02:30',
    ]);
  });

  it('counts DTSTART as the first occurrence for COUNT', () => {
    const onMonday = series('FREQ=WEEKLY;BYDAY=MO;COUNT=3', '2026-01-05T09:00:00+09:00');
    const all = (s: Series) =>
      local(expandSeries(s, new Date('2025-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')), SEOUL);
    expect(all(onMonday)).toEqual(['Mon 2026-01-05 09:00', 'Mon 2026-01-12 09:00', 'Mon 2026-01-19 09:00']);
    const onSunday = series('FREQ=WEEKLY;BYDAY=MO;COUNT=3', '2026-01-04T09:00:00+09:00');
    expect(all(onSunday)).toEqual(['Sun 2026-01-04 09:00', 'Mon 2026-01-05 09:00', 'Mon 2026-01-12 09:00']);
    expect(all(series('FREQ=DAILY;COUNT=1', '2026-01-04T09:00:00+09:00'))).toEqual(['Sun 2026-01-04 09:00']);
  });

  it('treats a date UNTIL as inclusive of that local day', () => {
    const s = series('FREQ=DAILY;UNTIL=20260107', '2026-01-05T23:30:00+09:00');
    expect(
      local(expandSeries(s, new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z')), SEOUL),
    ).toEqual(['Mon 2026-01-05 23:30', 'Tue 2026-01-06 23:30', 'Wed 2026-01-07 23:30']);
  });

  it('keeps all-day occurrences on whole local days and finds the one that started before the window', () => {
    const s = series('FREQ=WEEKLY', '2026-03-01T05:00:00Z', {
      isAllDay: true,
      timezone: NY,
      end: new Date('2026-03-03T05:00:00Z'), // two days, Sun-Mon
    });
    const occ = expandSeries(s, new Date('2026-03-09T12:00:00Z'), new Date('2026-03-10T00:00:00Z'));
    expect(occ).toHaveLength(1);
    expect(occ[0]!.start.toISOString()).toBe('2026-03-08T05:00:00.000Z'); // midnight EST
    expect(occ[0]!.end!.toISOString()).toBe('2026-03-10T04:00:00.000Z'); // midnight EDT
  });

  it('lists a zero-length occurrence only when it starts inside the window', () => {
    const s = series('FREQ=DAILY', '2026-01-05T09:00:00+09:00');
    expect(expandSeries(s, new Date('2026-01-06T00:00:00Z'), new Date('2026-01-07T00:00:00Z'))).toHaveLength(
      1,
    );
    expect(expandSeries(s, new Date('2026-01-06T00:00:01Z'), new Date('2026-01-07T00:00:00Z'))).toHaveLength(
      0,
    );
    expect(expandSeries(s, new Date('2026-01-05T00:00:01Z'), new Date('2026-01-06T00:00:00Z'))).toHaveLength(
      0,
    );
  });

  it('caps the occurrences of one series', () => {
    // Twice an hour for a year: 17,520 occurrences, past the cap.
    const s = series('FREQ=HOURLY;BYMINUTE=0,30', '2026-01-01T00:00:00Z');
    const occ = quick(3000, () =>
      expandSeries(s, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')),
    );
    expect(occ).toHaveLength(MAX_OCCURRENCES_PER_SERIES);
  });

  it('lists every hourly occurrence of a whole year window', () => {
    const s = series('FREQ=HOURLY', '2026-01-01T00:00:00Z');
    const occ = quick(3000, () =>
      expandSeries(s, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')),
    );
    expect(occ).toHaveLength(8760);
  });

  it('starts near the window, however old the series', () => {
    const s = series('FREQ=HOURLY;INTERVAL=5', '1970-01-01T00:00:00Z'); // 09:00 in Seoul
    const occ = quick(200, () =>
      expandSeries(s, new Date('2026-06-01T00:00:00Z'), new Date('2026-06-02T00:00:00Z')),
    );
    expect(occ.length).toBeGreaterThanOrEqual(4);
    // The 5-hour grid from 1970-01-01 09:00 continues on the wall clock.
    for (const o of occ)
      expect((toFloating(o.start, SEOUL).getTime() - Date.UTC(1970, 0, 1, 9)) % (5 * 3_600_000)).toBe(0);
  });

  it.each([
    ['FREQ=DAILY;INTERVAL=7;BYDAY=TU', '2026-01-05T08:00:00+09:00'],
    ['FREQ=HOURLY;INTERVAL=168;BYDAY=TU', '2026-01-05T08:00:00+09:00'],
    ['FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29', '2025-03-01T08:00:00+09:00'],
    ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', '2026-01-05T08:00:00+09:00'], // statically impossible
    ['FREQ=HOURLY;INTERVAL=24;BYHOUR=5', '2026-01-05T08:00:00+09:00'], // would loop forever in rrule
    ['FREQ=SECONDLY', '2026-01-05T08:00:00+09:00'],
    ['not a rule', '2026-01-05T08:00:00+09:00'],
  ])('returns quickly for a stored odd rule %s', (rule, at) => {
    const s = series(rule, at);
    for (const [from, to] of [
      ['2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
      ['2090-01-01T00:00:00Z', '2091-01-01T00:00:00Z'],
    ] as const) {
      const occ = quick(500, () => expandSeries(s, new Date(from), new Date(to)));
      expect(occ.length).toBeLessThanOrEqual(1); // at most DTSTART itself
    }
  });

  describe('matches a plain rrule walk from DTSTART', () => {
    /** Reference: rrule over everything from DTSTART, in the floating frame, then the same overlap test. */
    function reference(s: Series, from: Date, to: Date): string[] {
      const rule = parseRule(s.rule);
      const startF = toFloating(s.start, s.timezone);
      const opts = RRule.parseString(formatRule(rule));
      const u = rule.until;
      if (u?.kind === 'utc') opts.until = toFloating(u.instant, s.timezone);
      else if (u) {
        const [h, mi, sec, ms] = u.kind === 'date' ? [23, 59, 59, 999] : [u.hour, u.minute, u.second, 0];
        opts.until = new Date(Date.UTC(u.year, u.month - 1, u.day, h, mi, sec, ms));
      }
      delete opts.count;
      let n = 0;
      const limit = rule.count ?? Infinity;
      const dates: Date[] = [];
      new RRule({ ...opts, dtstart: startF }).all((d) => {
        if (dates.length === 0 && d.getTime() !== startF.getTime()) n++;
        n++;
        dates.push(d);
        return n < limit && d < new Date(to.getTime() + 3 * 86_400_000);
      });
      if (rule.count === 1) dates.length = 0;
      const starts = [
        s.start,
        ...dates.filter((d) => d.getTime() !== startF.getTime()).map((d) => fromFloating(d, s.timezone)),
      ];
      // Two wall times in a spring-forward gap land on one instant: listed once.
      return [...new Set(starts.filter((d) => d >= from && d < to).map((d) => d.toISOString()))]
        .sort()
        .slice(0, MAX_OCCURRENCES_PER_SERIES);
    }

    const cases: [string, string, string][] = [
      ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=SU', '2019-03-13T18:00:00', NY],
      ['FREQ=WEEKLY;INTERVAL=3', '2019-03-13T18:00:00', NY],
      ['FREQ=MONTHLY;BYDAY=-1FR', '2018-07-27T10:00:00', SEOUL],
      ['FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31', '2019-01-31T07:15:00', NY],
      ['FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', '2020-02-28T17:00:00', SEOUL],
      ['FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', '2016-05-16T09:00:00', SEOUL],
      ['FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29', '2016-02-29T12:00:00', NY],
      ['FREQ=YEARLY', '2012-02-29T12:00:00', NY],
      ['FREQ=DAILY;INTERVAL=3;BYHOUR=6,18', '2017-11-05T01:30:00', NY],
      ['FREQ=HOURLY;INTERVAL=7;BYDAY=SA,SU', '2024-01-06T05:00:00', NY],
      ['FREQ=DAILY;COUNT=2500', '2020-01-01T08:00:00', SEOUL],
      ['FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261015T000000Z', '2021-06-01T20:00:00', NY],
      ['FREQ=WEEKLY;BYDAY=SU;UNTIL=20261001', '2021-06-01T20:00:00', NY],
      ['FREQ=WEEKLY', '2025-11-03T07:45:00', NY],
      ['FREQ=DAILY;BYMONTH=3,11;BYHOUR=18,6', '2024-03-01T06:00:00', NY],
      ['FREQ=DAILY;BYMONTHDAY=1,-1;BYDAY=MO,FR', '2022-01-01T12:00:00', SEOUL],
      ['FREQ=HOURLY;BYHOUR=9,17;BYDAY=MO', '2025-06-02T09:00:00', SEOUL],
      ['FREQ=HOURLY;BYMINUTE=15,45;BYMONTH=3,11', '2025-01-01T00:15:00', NY],
      ['FREQ=HOURLY;COUNT=3000', '2026-01-01T00:00:00', NY],
      ['FREQ=HOURLY;INTERVAL=6', '2025-12-31T03:20:00', NY],
      ['FREQ=HOURLY;INTERVAL=8;BYHOUR=1,9,12;BYDAY=TU', '2025-01-07T01:00:00', SEOUL],
      ['FREQ=HOURLY;INTERVAL=5;BYMONTH=3', '2025-02-27T22:00:00', NY],
      ['FREQ=WEEKLY;COUNT=40;BYDAY=SA', '2025-12-25T10:00:00', SEOUL],
    ];
    it.each(cases)('%s from %s in %s', (rule, startLocal, zone) => {
      const start = DateTime.fromISO(startLocal, { zone }).toJSDate();
      const s = series(rule, start.toISOString(), { timezone: zone });
      validateSeries(s);
      for (const [from, to] of [
        ['2026-01-01T00:00:00Z', '2026-04-15T00:00:00Z'],
        ['2026-09-20T00:00:00Z', '2026-12-31T00:00:00Z'],
      ] as const) {
        const got = expandSeries(s, new Date(from), new Date(to)).map((o) => o.start.toISOString());
        expect(got).toEqual(reference(s, new Date(from), new Date(to)));
      }
    });
  });
});
