/**
 * GET /api/today in Asia/Seoul: the day's tasks and events, overdue, the inbox, the
 * greeting, and the ?tz= override.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { clear, event, titles, today, todo, type Today } from '../../../test/helpers/today.js';

describe('today in Asia/Seoul', () => {
  let s: TestServer;
  // Monday 2 March 2026, 10:00 in Seoul (UTC+9, no DST).
  const MONDAY_10AM = '2026-03-02T01:00:00.000Z';

  beforeAll(async () => {
    s = await startTestServer({ timezone: 'Asia/Seoul', now: MONDAY_10AM });
  });
  afterAll(async () => s.close());
  afterEach(async () => {
    await clear(s);
    s.clock.set(MONDAY_10AM);
  });

  it('an empty day', async () => {
    expect(await today(s)).toEqual({
      today_tasks: [],
      overdue_tasks: [],
      today_events: [],
      today_tasks_total: 0,
      overdue_total: 0,
      today_events_total: 0,
      inbox_count: 0,
      greeting: 'Good morning',
      date: '2026-03-02',
      timezone: 'Asia/Seoul',
    });
  });

  it('splits open todos into due later today, overdue and inbox', async () => {
    s.clock.set('2026-02-25T00:00:00.000Z'); // created earlier, so created_at orders are stable
    const nineAm = await todo(s, 'due 09:00 today', { due_date: '2026-03-02T09:00:00+09:00' });
    const threePm = await todo(s, 'due 15:00 today', { due_date: '2026-03-02T15:00:00+09:00' });
    const bareToday = await todo(s, 'due today (date only)', { due_date: '2026-03-02' });
    await todo(s, 'due tomorrow 00:30', { due_date: '2026-03-03T00:30:00+09:00' });
    const bareYesterday = await todo(s, 'due yesterday (date only)', { due_date: '2026-03-01' });
    s.clock.advance(1000);
    const doing = await todo(s, 'in progress, no date', { status: 'in_progress' });
    await todo(s, 'inbox one');
    await todo(s, 'inbox two', { priority: 'high' });
    await todo(s, 'done today', { due_date: '2026-03-02T15:00:00+09:00', status: 'completed' });
    await todo(s, 'cancelled overdue', { due_date: '2026-02-20', status: 'cancelled' });
    await todo(s, 'completed, no date', { status: 'completed' });
    const doingToday = await todo(s, 'in progress, due 18:00', {
      status: 'in_progress',
      due_date: '2026-03-02T18:00:00+09:00',
    });
    const doingLate = await todo(s, 'in progress, due last week', {
      status: 'in_progress',
      due_date: '2026-02-24T12:00:00+09:00',
    });
    s.clock.set(MONDAY_10AM);

    const day = await today(s);
    // Due later today by due time, then in-progress todos without a date; each once.
    expect(day.today_tasks.map((t) => t.id)).toEqual([threePm.id, doingToday.id, bareToday.id, doing.id]);
    // A todo due at 09:00 is overdue at 10:00 and not also due today; oldest first.
    expect(day.overdue_tasks.map((t) => t.id)).toEqual([doingLate.id, bareYesterday.id, nineAm.id]);
    expect(day.inbox_count).toBe(2);
    // Whole todos, as GET /api/todos/{id} shows them.
    expect(day.today_tasks[0]).toEqual((await s.request('GET', `/api/todos/${threePm.id}`)).json);
  });

  it('moves a todo from today to overdue exactly at its due time', async () => {
    await todo(s, 'call at noon', { due_date: '2026-03-02T12:00:00+09:00' });
    s.clock.set('2026-03-02T02:59:59.999Z');
    expect(titles((await today(s)).today_tasks)).toEqual(['call at noon']);
    s.clock.set('2026-03-02T03:00:00.000Z'); // due == now: not yet before now
    expect(titles((await today(s)).today_tasks)).toEqual(['call at noon']);
    s.clock.set('2026-03-02T03:00:00.001Z');
    const later = await today(s);
    expect(later.today_tasks).toEqual([]);
    expect(titles(later.overdue_tasks)).toEqual(['call at noon']);
  });

  it('keeps a date-only todo due all day and makes it overdue at local midnight', async () => {
    await todo(s, 'pay rent', { due_date: '2026-03-02' });
    s.clock.set('2026-03-02T14:59:59.000Z'); // 23:59:59 in Seoul
    let day = await today(s);
    expect(day.date).toBe('2026-03-02');
    expect(titles(day.today_tasks)).toEqual(['pay rent']);
    expect(day.overdue_tasks).toEqual([]);
    expect(day.greeting).toBe('Good evening');

    s.clock.set('2026-03-02T15:00:00.000Z'); // 00:00 on Tuesday in Seoul, still Monday in UTC
    day = await today(s);
    expect(day.date).toBe('2026-03-03');
    expect(day.today_tasks).toEqual([]);
    expect(titles(day.overdue_tasks)).toEqual(['pay rent']);
    expect(day.greeting).toBe('Good morning');
  });

  it('greets by the local hour', async () => {
    const cases: Array<[string, string]> = [
      ['2026-03-01T15:00:00.000Z', 'Good morning'], // 00:00
      ['2026-03-02T02:59:59.000Z', 'Good morning'], // 11:59:59
      ['2026-03-02T03:00:00.000Z', 'Good afternoon'], // 12:00
      ['2026-03-02T08:59:00.000Z', 'Good afternoon'], // 17:59
      ['2026-03-02T09:00:00.000Z', 'Good evening'], // 18:00
      ['2026-03-02T14:59:00.000Z', 'Good evening'], // 23:59
    ];
    for (const [now, greeting] of cases) {
      s.clock.set(now);
      const day = await today(s);
      expect(day.greeting, now).toBe(greeting);
      expect(day.date, now).toBe('2026-03-02');
    }
  });

  it('lists the occurrences overlapping the local day, by start', async () => {
    s.clock.set('2026-02-01T00:00:00.000Z');
    // [title, start_time, end_time, recurrence_rule], times in Seoul.
    const made: Array<[string, string, string?, string?]> = [
      ['standup', '2026-03-02T10:00:00+09:00', '2026-03-02T10:15:00+09:00'],
      ['late party', '2026-03-01T23:00:00+09:00', '2026-03-02T01:00:00+09:00'],
      ['yesterday dinner', '2026-03-01T19:00:00+09:00', '2026-03-01T21:00:00+09:00'],
      ['ends at midnight', '2026-03-01T22:00:00+09:00', '2026-03-02T00:00:00+09:00'],
      ['holiday', '2026-03-02'],
      ['yesterday all day', '2026-03-01'],
      ['tomorrow all day', '2026-03-03'],
      ['conference', '2026-03-01', '2026-03-03'],
      ['reminder pin', '2026-03-02T07:00:00+09:00'],
      ['tomorrow midnight', '2026-03-03T00:00:00+09:00'],
      ['weekly review', '2026-02-02T08:00:00+09:00', '2026-02-02T09:00:00+09:00', 'FREQ=WEEKLY;BYDAY=MO'],
      ['tuesday class', '2026-02-03T08:00:00+09:00', undefined, 'FREQ=WEEKLY;BYDAY=TU'],
      ['night shift', '2026-02-20T23:30:00+09:00', '2026-02-21T01:00:00+09:00', 'FREQ=DAILY'],
    ];
    for (const [title, start_time, end_time, recurrence_rule] of made)
      await event(s, title, { start_time, end_time, recurrence_rule });
    s.clock.set(MONDAY_10AM);

    const day = await today(s);
    expect(titles(day.today_events)).toEqual([
      'conference', // all day since 1 March 00:00
      'late party', // Sunday 23:00 -> Monday 01:00
      'night shift', // Sunday 23:30 -> Monday 01:00
      'holiday',
      'reminder pin',
      'weekly review',
      'standup',
      'night shift', // Monday 23:30
    ]);
    const [nightBefore, nightOf] = day.today_events.filter((e) => e.title === 'night shift');
    expect(nightBefore).toMatchObject({
      occurrence_start: '2026-03-01T14:30:00.000Z',
      end_time: '2026-03-01T16:00:00.000Z',
      is_recurring: true,
    });
    expect(nightOf).toMatchObject({ occurrence_start: '2026-03-02T14:30:00.000Z', is_recurring: true });
    expect(day.today_events.find((e) => e.title === 'weekly review')).toMatchObject({
      start_time: '2026-03-01T23:00:00.000Z',
      end_time: '2026-03-02T00:00:00.000Z',
      occurrence_start: '2026-03-01T23:00:00.000Z',
    });
    expect(day.today_events.find((e) => e.title === 'holiday')).toMatchObject({
      is_all_day: true,
      start_time: '2026-03-01T15:00:00.000Z',
    });
    const starts = day.today_events.map((e) => e.occurrence_start);
    expect([...starts].sort()).toEqual(starts);
  });

  it('answers for another zone with ?tz=, and refuses unknown zones', async () => {
    s.clock.set('2026-02-01T00:00:00.000Z');
    await todo(s, 'Seoul 23:00 / New York 09:00', { due_date: '2026-03-02T14:00:00Z' });
    await todo(s, 'Seoul 09:30 / New York 19:30 Sunday', { due_date: '2026-03-02T00:30:00Z' });
    await event(s, 'Seoul Monday dinner', { start_time: '2026-03-02T20:00:00+09:00' }); // New York: Monday 06:00
    await event(s, 'New York Sunday brunch', { start_time: '2026-03-01T09:00:00-05:00' }); // Seoul: Sunday 23:00
    s.clock.set(MONDAY_10AM); // Seoul: Monday 10:00. New York: Sunday 20:00.

    const seoul = await today(s);
    expect(seoul).toMatchObject({ date: '2026-03-02', timezone: 'Asia/Seoul', greeting: 'Good morning' });
    expect(titles(seoul.today_tasks)).toEqual(['Seoul 23:00 / New York 09:00']);
    expect(titles(seoul.overdue_tasks)).toEqual(['Seoul 09:30 / New York 19:30 Sunday']);
    expect(titles(seoul.today_events)).toEqual(['Seoul Monday dinner']);

    const ny = await today(s, 'America/New_York');
    expect(ny).toMatchObject({ date: '2026-03-01', timezone: 'America/New_York', greeting: 'Good evening' });
    expect(ny.today_tasks).toEqual([]);
    expect(titles(ny.overdue_tasks)).toEqual(['Seoul 09:30 / New York 19:30 Sunday']);
    expect(titles(ny.today_events)).toEqual(['New York Sunday brunch']);

    for (const tz of ['Mars/Olympus_Mons', 'Asia/Seul', 'UTC+25', '']) {
      const res = await s.request('GET', `/api/today?tz=${encodeURIComponent(tz)}`);
      expect(res.status, tz).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
      expect(res.json.error.details.field).toBe('tz');
    }
  });

  it('follows the configured timezone when it changes', async () => {
    s.clock.set('2026-03-02T16:00:00.000Z'); // Seoul: Tuesday 01:00. Los Angeles: Monday 08:00.
    expect((await today(s)).date).toBe('2026-03-03');
    expect((await s.request('PATCH', '/api/settings', { timezone: 'America/Los_Angeles' })).status).toBe(200);
    try {
      expect(await today(s)).toMatchObject({
        date: '2026-03-02',
        timezone: 'America/Los_Angeles',
        greeting: 'Good morning',
      });
    } finally {
      await s.request('PATCH', '/api/settings', { timezone: 'Asia/Seoul' });
    }
  });

  it('caps each list with limit (default 50) and gives the full counts', async () => {
    s.clock.set('2026-02-25T00:00:00.000Z');
    for (let i = 0; i < 3; i++) {
      await todo(s, `due today ${i}`, { due_date: `2026-03-02T1${i + 5}:00:00+09:00` });
      await todo(s, `overdue ${i}`, { due_date: `2026-03-01T1${i}:00:00+09:00` });
    }
    await todo(s, 'in progress', { status: 'in_progress' });
    // The densest series accepted: every minute of the day.
    const minutes = Array.from({ length: 60 }, (_, m) => m).join(',');
    await event(s, 'every minute', {
      start_time: '2026-02-25T00:00:00+09:00',
      recurrence_rule: `FREQ=HOURLY;BYMINUTE=${minutes}`,
    });
    await event(s, 'lunch', { start_time: '2026-03-02T12:00:30+09:00' });
    s.clock.set(MONDAY_10AM);

    const glance = await s.request<Today>('GET', '/api/today?limit=2');
    expect(glance.status, glance.text).toBe(200);
    expect(titles(glance.json.today_tasks)).toEqual(['due today 0', 'due today 1']);
    expect(titles(glance.json.overdue_tasks)).toEqual(['overdue 0', 'overdue 1']);
    expect(glance.json.today_events.map((e) => e.start_time)).toEqual([
      '2026-03-01T15:00:00.000Z',
      '2026-03-01T15:01:00.000Z',
    ]);
    expect(glance.json).toMatchObject({ today_tasks_total: 4, overdue_total: 3, today_events_total: 1441 });

    const day = await today(s);
    expect(day.today_events).toHaveLength(50);
    expect(day.today_tasks).toHaveLength(4);
    expect(day).toMatchObject({ today_tasks_total: 4, overdue_total: 3, today_events_total: 1441 });
    const lunch = await s.request<Today>('GET', '/api/today?limit=500');
    expect(lunch.json.today_events).toHaveLength(500);

    for (const limit of ['0', '501', 'ten', '-1', '2.5']) {
      const res = await s.request('GET', `/api/today?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('needs a token and is in the OpenAPI document', async () => {
    expect((await s.request('GET', '/api/today', undefined, { authorization: '' })).status).toBe(401);
    const doc = await s.request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.paths['/api/today'].get.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'tz' }),
        expect.objectContaining({ name: 'limit' }),
      ]),
    );
    let schema = doc.json.paths['/api/today'].get.responses['200'].content['application/json'].schema;
    if (schema.$ref) schema = doc.json.components.schemas[String(schema.$ref).split('/').pop()!];
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['today_tasks_total', 'overdue_total', 'today_events_total']),
    );
  });
});
