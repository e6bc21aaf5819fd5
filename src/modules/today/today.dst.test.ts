/**
 * GET /api/today in America/New_York across the daylight-saving transitions.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { clear, event, setNow, titles, today, todo } from '../../../test/helpers/today.js';

describe('today in America/New_York across DST', () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer({ timezone: 'America/New_York', now: '2026-03-01T12:00:00.000Z' });
  });
  afterAll(async () => s.close());
  afterEach(async () => clear(s));

  it('spring forward: the 23-hour day of 8 March 2026', async () => {
    await setNow(s, '2026-03-01T12:00:00.000Z');
    await todo(s, 'taxes (date only)', { due_date: '2026-03-08' });
    await todo(s, 'due 23:00 EDT', { due_date: '2026-03-08T23:00:00' });
    await event(s, 'daily 09:00', { start_time: '2026-03-01T09:00:00', recurrence_rule: 'FREQ=DAILY' });
    await event(s, 'brunch', { start_time: '2026-03-08' });
    await event(s, 'late show', { start_time: '2026-03-08T23:30:00' });
    await event(s, 'Saturday night', { start_time: '2026-03-07T23:30:00' });
    await event(s, 'after midnight', { start_time: '2026-03-09T00:30:00' });

    // 00:30 EST, before the clocks jump at 02:00.
    await setNow(s, '2026-03-08T05:30:00.000Z');
    let day = await today(s);
    expect(day).toMatchObject({ date: '2026-03-08', greeting: 'Good morning', timezone: 'America/New_York' });
    expect(titles(day.today_tasks)).toEqual(['due 23:00 EDT', 'taxes (date only)']);
    expect(day.today_tasks.map((t) => t.due_date)).toEqual([
      '2026-03-09T03:00:00.000Z',
      '2026-03-09T03:59:59.999Z',
    ]);
    expect(titles(day.today_events)).toEqual(['brunch', 'daily 09:00', 'late show']);
    // The all-day event covers the 23 hours of the local day; the daily event keeps 09:00 local, now EDT.
    expect(day.today_events[0]).toMatchObject({
      start_time: '2026-03-08T05:00:00.000Z',
      end_time: '2026-03-09T04:00:00.000Z',
    });
    expect(day.today_events[1]!.start_time).toBe('2026-03-08T13:00:00.000Z');

    // 23:30 EDT: still the 8th (a fixed UTC-5 offset would already say the 9th).
    await setNow(s, '2026-03-09T03:30:00.000Z');
    day = await today(s);
    expect(day).toMatchObject({ date: '2026-03-08', greeting: 'Good evening' });
    expect(titles(day.today_tasks)).toEqual(['taxes (date only)']);
    expect(titles(day.overdue_tasks)).toEqual(['due 23:00 EDT']);

    // Local midnight: the date-only todo becomes overdue.
    await setNow(s, '2026-03-09T04:00:00.000Z');
    day = await today(s);
    expect(day.date).toBe('2026-03-09');
    expect(titles(day.overdue_tasks)).toEqual(['due 23:00 EDT', 'taxes (date only)']);
    expect(titles(day.today_events)).toEqual(['after midnight', 'daily 09:00']);
  });

  it('fall back: the 25-hour day of 1 November 2026', async () => {
    await setNow(s, '2026-10-20T12:00:00.000Z');
    await todo(s, 'clocks (date only)', { due_date: '2026-11-01' });
    await todo(s, 'due 23:15 EST', { due_date: '2026-11-01T23:15:00' });
    await event(s, 'first 01:30', { start_time: '2026-11-01T01:30:00' }); // repeated hour: the earlier (EDT) one
    await event(s, 'late call', { start_time: '2026-11-01T23:45:00' });
    await event(s, 'all saints', { start_time: '2026-11-01' });
    await event(s, 'sunday 08:00', {
      start_time: '2026-10-04T08:00:00',
      recurrence_rule: 'FREQ=WEEKLY;BYDAY=SU',
    });

    // 23:30 EST on the 1st: in UTC it is already the 2nd.
    await setNow(s, '2026-11-02T04:30:00.000Z');
    const day = await today(s);
    expect(day).toMatchObject({ date: '2026-11-01', greeting: 'Good evening' });
    expect(titles(day.today_tasks)).toEqual(['clocks (date only)']);
    expect(day.today_tasks[0]!.due_date).toBe('2026-11-02T04:59:59.999Z');
    expect(titles(day.overdue_tasks)).toEqual(['due 23:15 EST']);
    expect(titles(day.today_events)).toEqual(['all saints', 'first 01:30', 'sunday 08:00', 'late call']);
    expect(day.today_events.map((e) => e.start_time)).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T13:00:00.000Z', // 08:00 EST
      '2026-11-02T04:45:00.000Z',
    ]);
    expect(day.today_events[0]!.end_time).toBe('2026-11-02T05:00:00.000Z'); // 25 hours

    // ?tz= over the same instant: Seoul is already at Monday 13:30.
    const seoul = await today(s, 'Asia/Seoul');
    expect(seoul).toMatchObject({ date: '2026-11-02', greeting: 'Good afternoon', timezone: 'Asia/Seoul' });
    // Seoul's Monday overlaps the end of New York's long Sunday.
    expect(titles(seoul.today_events)).toEqual(['all saints', 'late call']);
    expect(titles(seoul.today_tasks)).toEqual(['clocks (date only)']);
    expect(titles(seoul.overdue_tasks)).toEqual(['due 23:15 EST']);
  });

  it('counts the inbox: pending todos without a due date only', async () => {
    await todo(s, 'a');
    await todo(s, 'b');
    await todo(s, 'c', { status: 'in_progress' });
    await todo(s, 'd', { due_date: '2030-01-01' });
    await todo(s, 'e', { status: 'completed' });
    const day = await today(s);
    expect(day.inbox_count).toBe(2);
    expect(titles(day.today_tasks)).toEqual(['c']);
  });
});
