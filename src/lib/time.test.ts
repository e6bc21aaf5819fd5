import { describe, expect, it } from 'vitest';
import { endOfLocalDay, localToUtc, parseTimeInput, startOfLocalDay } from './time.js';

const iso = (v: string, zone: string) => parseTimeInput(v, zone)?.date.toISOString();

describe('reading input times', () => {
  it('keeps explicit offsets and Z', () => {
    expect(iso('2026-02-22T15:00:00Z', 'Asia/Seoul')).toBe('2026-02-22T15:00:00.000Z');
    expect(iso('2026-02-22T15:00:00+09:00', 'UTC')).toBe('2026-02-22T06:00:00.000Z');
    expect(iso('2026-02-22T15:00:00.123-05:30', 'UTC')).toBe('2026-02-22T20:30:00.123Z');
  });

  it('reads local times and bare dates in the owner zone', () => {
    expect(iso('2026-02-22T15:00:00', 'Asia/Seoul')).toBe('2026-02-22T06:00:00.000Z');
    expect(iso('2026-02-22T15:00', 'America/New_York')).toBe('2026-02-22T20:00:00.000Z');
    expect(parseTimeInput('2026-02-28', 'Asia/Seoul')).toEqual({
      date: new Date('2026-02-27T15:00:00Z'),
      dateOnly: true,
    });
  });

  it('refuses impossible or unparseable values', () => {
    for (const v of [
      '2026-02-30',
      '2026-13-01',
      'tomorrow',
      '2026-02-22T25:00',
      '',
      '2026-02-22T10:00:00+25:99x',
    ])
      expect(parseTimeInput(v, 'UTC'), v).toBeNull();
  });

  it('refuses offsets outside RFC 3339 and instants past year 9999 in UTC', () => {
    for (const v of ['2026-02-22T10:00:00+25:00', '2026-02-22T10:00:00-24:00', '2026-02-22T10:00:00+05:60'])
      expect(parseTimeInput(v, 'UTC'), v).toBeNull();
    expect(parseTimeInput('9999-12-31T23:00:00-05:00', 'UTC')).toBeNull();
    expect(parseTimeInput('9999-12-31T20:00', 'America/New_York')).toBeNull();
    expect(parseTimeInput('9999-12-31', 'America/New_York')).toBeNull();
    expect(iso('9999-12-31T23:59:59.999Z', 'UTC')).toBe('9999-12-31T23:59:59.999Z');
    expect(iso('9999-12-31', 'Asia/Seoul')).toBe('9999-12-30T15:00:00.000Z');
  });

  it('moves a time in the spring-forward gap forward by the gap', () => {
    // New York skips 02:00-03:00 on 2026-03-08: 02:30 becomes 03:30 EDT (07:30Z).
    expect(iso('2026-03-08T02:30:00', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
  });

  it('takes the earlier offset for a repeated autumn time', () => {
    // 01:30 happens twice on 2026-11-01 in New York; the first is EDT (05:30Z).
    expect(iso('2026-11-01T01:30:00', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
    expect(
      localToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin').toISOString(),
    ).toBe('2026-10-25T00:30:00.000Z');
  });

  it('knows local day bounds across DST', () => {
    const springDay = new Date('2026-03-08T12:00:00Z');
    expect(startOfLocalDay(springDay, 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    // The spring-forward day is 23 hours long.
    expect(endOfLocalDay(springDay, 'America/New_York').toISOString()).toBe('2026-03-09T03:59:59.999Z');
  });
});
