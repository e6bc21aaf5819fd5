import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import type { ServerFrame } from '../../realtime/events.js';
import { createDatabase } from '../../db/database.js';

const SEOUL = 'Asia/Seoul';
const NY = 'America/New_York';

let s: TestServer;
beforeAll(async () => {
  // 09:00 in Seoul on 2026-02-20.
  s = await startTestServer({ timezone: SEOUL, now: '2026-02-20T00:00:00Z' });
});
afterAll(async () => {
  await s.close();
});

async function create(body: Record<string, unknown>): Promise<any> {
  const res = await s.request('POST', '/api/events', body);
  expect(res.status, res.text).toBe(201);
  return res.json;
}

async function list(query: string): Promise<any> {
  const res = await s.request('GET', `/api/events?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.json;
}

const localOf = (iso: string, zone: string) =>
  DateTime.fromISO(iso, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');

describe('events CRUD', () => {
  it('creates with defaults, ignoring unknown and read-only fields', async () => {
    const res = await s.request('POST', '/api/events', {
      title: '  Dentist  ',
      start_time: '2026-03-12T15:00',
      id: 'evt_mine',
      created_at: '1999-01-01T00:00:00Z',
      color: 'blue',
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^evt_/),
      title: 'Dentist',
      description: null,
      // 15:00 in Seoul (UTC+9) is 06:00 UTC.
      start_time: '2026-03-12T06:00:00.000Z',
      end_time: null,
      location: null,
      is_all_day: false,
      reminder_minutes: null,
      recurrence_rule: null,
      recurrence_end: null,
      recurrence_exceptions: [],
      tags: [],
      conversation_id: null,
      message_id: null,
      created_at: '2026-02-20T00:00:00.000Z',
      updated_at: '2026-02-20T00:00:00.000Z',
    });
    expect(res.json.id).not.toBe('evt_mine');
  });

  it('creates with every field and reads it back', async () => {
    const ev = await create({
      title: 'Team sync',
      description: 'Weekly, with notes',
      start_time: '2026-03-02T10:00:00+09:00',
      end_time: '2026-03-02T11:30:00+09:00',
      location: 'Room 4',
      reminder_minutes: 15,
      recurrence_rule: 'RRULE:freq=weekly;byday=mo',
      tags: ['#Work', 'work', ' Team '],
    });
    expect(ev).toMatchObject({
      start_time: '2026-03-02T01:00:00.000Z',
      end_time: '2026-03-02T02:30:00.000Z',
      location: 'Room 4',
      is_all_day: false,
      reminder_minutes: 15,
      recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO',
      tags: ['work', 'team'],
    });
    const got = await s.request('GET', `/api/events/${ev.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(ev);
  });

  it('patches partially, clears nullable fields, and treats {} as no change', async () => {
    const ev = await create({
      title: 'Call',
      start_time: '2026-03-03T09:00',
      description: 'x',
      location: 'y',
      reminder_minutes: 5,
    });
    s.clock.advance(60_000);
    const same = await s.request('PATCH', `/api/events/${ev.id}`, {});
    expect(same.status).toBe(200);
    expect(same.json).toEqual(ev);

    const res = await s.request('PATCH', `/api/events/${ev.id}`, {
      title: 'Call mom',
      description: null,
      location: null,
      reminder_minutes: null,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      title: 'Call mom',
      description: null,
      location: null,
      reminder_minutes: null,
      start_time: ev.start_time,
    });
    expect(res.json.updated_at).not.toBe(ev.updated_at);
    expect((await s.request('GET', `/api/events/${ev.id}`)).json).toEqual(res.json);
  });

  it('PATCH changes only the fields given: a new start_time alone does not move end_time', async () => {
    const ev = await create({
      title: 'Workshop',
      start_time: '2026-03-04T10:00',
      end_time: '2026-03-04T12:00',
    });
    // A calendar resizing the start: the end stays where it was.
    const resized = await s.request('PATCH', `/api/events/${ev.id}`, { start_time: '2026-03-04T09:00' });
    expect(resized.status, resized.text).toBe(200);
    expect(resized.json).toMatchObject({
      start_time: '2026-03-04T00:00:00.000Z',
      end_time: '2026-03-04T03:00:00.000Z',
    });
    // Past the unchanged end: the result ends before it starts.
    const backwards = await s.request('PATCH', `/api/events/${ev.id}`, { start_time: '2026-03-06T14:00' });
    expect(backwards.status).toBe(422);
    expect(backwards.json.error).toMatchObject({ code: 'UNPROCESSABLE', details: { field: 'end_time' } });
    expect((await s.request('GET', `/api/events/${ev.id}`)).json).toEqual(resized.json);
    // Both given: both move.
    const moved = await s.request('PATCH', `/api/events/${ev.id}`, {
      start_time: '2026-03-06T14:00',
      end_time: '2026-03-06T16:00',
    });
    expect(moved.json).toMatchObject({
      start_time: '2026-03-06T05:00:00.000Z',
      end_time: '2026-03-06T07:00:00.000Z',
    });
    const endOnly = await s.request('PATCH', `/api/events/${ev.id}`, { end_time: '2026-03-06T15:00' });
    expect(endOnly.json).toMatchObject({
      start_time: '2026-03-06T05:00:00.000Z',
      end_time: '2026-03-06T06:00:00.000Z',
    });
    const ended = await s.request('PATCH', `/api/events/${ev.id}`, { end_time: null });
    expect(ended.json.end_time).toBeNull();
    const allDay = await s.request('PATCH', `/api/events/${ev.id}`, { start_time: '2026-03-09' });
    expect(allDay.json).toMatchObject({
      is_all_day: true,
      start_time: '2026-03-08T15:00:00.000Z',
      end_time: '2026-03-09T15:00:00.000Z',
    });
    const rule = await s.request('PATCH', `/api/events/${ev.id}`, { recurrence_rule: 'FREQ=MONTHLY' });
    expect(rule.json.recurrence_rule).toBe('FREQ=MONTHLY');
    const cleared = await s.request('PATCH', `/api/events/${ev.id}`, { recurrence_rule: null });
    expect(cleared.json.recurrence_rule).toBeNull();
  });

  it('moves an event keeping its length when the caller asks (the chat\'s "move X to 4pm")', async () => {
    const ev = await create({
      title: 'Workshop',
      start_time: '2026-03-04T10:00',
      end_time: '2026-03-04T12:00',
    });
    const events = s.built.services.events;
    const moved = await events.update(ev.id, { start_time: '2026-03-06T16:00' }, {}, { keepDuration: true });
    expect(moved).toMatchObject({
      start_time: '2026-03-06T07:00:00.000Z',
      end_time: '2026-03-06T09:00:00.000Z',
    });
    // An all-day event keeps its number of days.
    const trip = await create({ title: 'Trip', start_time: '2026-03-10', end_time: '2026-03-12' });
    const later = await events.update(trip.id, { start_time: '2026-03-20' }, {}, { keepDuration: true });
    expect(later).toMatchObject({
      start_time: '2026-03-19T15:00:00.000Z',
      end_time: '2026-03-22T15:00:00.000Z',
    });
    // Without the option the same call keeps the end, as PATCH does.
    const kept = await events.update(ev.id, { start_time: '2026-03-06T15:00' });
    expect(kept.end_time).toBe('2026-03-06T09:00:00.000Z');
  });

  it('deletes the whole series; then every route answers 404', async () => {
    const ev = await create({ title: 'Gone', start_time: '2026-03-05T09:00', recurrence_rule: 'FREQ=DAILY' });
    const del = await s.request('DELETE', `/api/events/${ev.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    for (const [method, p, body] of [
      ['GET', `/api/events/${ev.id}`],
      ['PATCH', `/api/events/${ev.id}`, { title: 'x' }],
      ['DELETE', `/api/events/${ev.id}`],
      ['GET', `/api/events/${ev.id}/ics`],
    ] as const) {
      const res = await s.request(method, p, body);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('NOT_FOUND');
    }
    const page = await list('start_after=2026-03-05&start_before=2026-03-10');
    expect(page.items.map((i: any) => i.id)).not.toContain(ev.id);
  });

  it("publishes module_data_changed for each write, and to the caller's sink when given", async () => {
    const frames: ServerFrame[] = [];
    const stop = s.built.services.hub.subscribe((f) => frames.push(f));
    try {
      const ev = await create({ title: 'Ping', start_time: '2026-03-05T09:00' });
      await s.request('PATCH', `/api/events/${ev.id}`, {});
      await s.request('PATCH', `/api/events/${ev.id}`, { title: 'Pong' });
      await s.request('DELETE', `/api/events/${ev.id}`);
      const changes = frames.filter((f) => f.type === 'module_data_changed').map((f) => f.data);
      expect(changes).toEqual([
        { module: 'events', action: 'created', id: ev.id },
        { module: 'events', action: 'updated', id: ev.id },
        { module: 'events', action: 'deleted', id: ev.id },
      ]);

      frames.length = 0;
      const held: unknown[] = [];
      const made = await s.built.services.events.create(
        { title: 'From chat', start_time: '2026-03-05T10:00' },
        { publish: (type, data) => held.push({ type, data }) },
      );
      expect(held).toEqual([
        { type: 'module_data_changed', data: { module: 'events', action: 'created', id: made.id } },
      ]);
      expect(frames).toEqual([]);
    } finally {
      stop();
    }
  });

  it('answers 401 without a token', async () => {
    const ev = await create({ title: 'Private', start_time: '2026-03-05T09:00' });
    for (const [method, p] of [
      ['GET', '/api/events'],
      ['POST', '/api/events'],
      ['GET', `/api/events/${ev.id}`],
      ['PATCH', `/api/events/${ev.id}`],
      ['DELETE', `/api/events/${ev.id}`],
      ['GET', `/api/events/${ev.id}/ics`],
      ['POST', '/api/calendar/feed-key'],
      ['GET', '/api/calendar.ics'],
    ] as const) {
      const res = await s.raw(method, p);
      expect(res.status, `${method} ${p}`).toBe(401);
      expect(res.json.error.code).toBe('UNAUTHORIZED');
    }
  });
});

describe('validation', () => {
  it.each([
    [{ start_time: '2026-03-01T10:00' }, 'title'],
    [{ title: '', start_time: '2026-03-01T10:00' }, 'title'],
    [{ title: 'x'.repeat(501), start_time: '2026-03-01T10:00' }, 'title'],
    [{ title: 'No start' }, 'start_time'],
    [{ title: 'Bad', start_time: 'next tuesday at noon' }, 'start_time'],
    [{ title: 'Bad', start_time: '2026-02-30T10:00' }, 'start_time'],
    [{ title: 'Bad', start_time: '0026-02-03T10:00' }, 'start_time'],
    [{ title: 'Bad', start_time: 20260301 }, 'start_time'],
    [{ title: 'Bad', start_time: '2026-03-01T10:00', end_time: 'later' }, 'end_time'],
    [{ title: 'Bad', start_time: '2026-03-01T10:00', reminder_minutes: 40321 }, 'reminder_minutes'],
    [{ title: 'Bad', start_time: '2026-03-01T10:00', reminder_minutes: -1 }, 'reminder_minutes'],
    [{ title: 'Bad', start_time: '2026-03-01T10:00', reminder_minutes: 1.5 }, 'reminder_minutes'],
    [{ title: 'Bad', start_time: '2026-03-01T10:00', is_all_day: 'yes' }, 'is_all_day'],
    [{ title: 'Bad', start_time: '2026-03-01T10:00', tags: 'work' }, 'tags'],
  ])('POST %j -> 400 on %s', async (body, field) => {
    const res = await s.request('POST', '/api/events', body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_ERROR');
    expect(res.json.error.details.field).toBe(field);
  });

  it('accepts the reminder bounds', async () => {
    for (const reminder_minutes of [0, 40320, null])
      expect(
        (await create({ title: 'R', start_time: '2026-03-01T10:00', reminder_minutes })).reminder_minutes,
      ).toBe(reminder_minutes);
  });

  it('answers 422, with the reason, for a rule that repeats more than once a minute', async () => {
    const all = (n: number) => Array.from({ length: n }, (_, i) => i).join(',');
    for (const rule of [`FREQ=HOURLY;BYMINUTE=${all(60)};BYSECOND=${all(60)}`, 'FREQ=DAILY;BYSECOND=0,30']) {
      const post = await s.request('POST', '/api/events', {
        title: 'Dense',
        start_time: '2026-03-01T10:00',
        recurrence_rule: rule,
      });
      expect(post.status).toBe(422);
      expect(post.json.error).toMatchObject({ code: 'UNPROCESSABLE', details: { field: 'recurrence_rule' } });
      expect(post.json.error.message).toMatch(/more than once a minute/);
    }
    const ev = await create({
      title: 'Every minute',
      start_time: '2026-03-01T10:00',
      recurrence_rule: `FREQ=HOURLY;BYMINUTE=${all(60)}`,
    });
    const patch = await s.request('PATCH', `/api/events/${ev.id}`, {
      recurrence_rule: 'FREQ=HOURLY;BYSECOND=0,1',
    });
    expect(patch.status).toBe(422);
    expect(patch.json.error.message).toMatch(/more than once a minute/);
  });

  it('answers 422 for an end before the start', async () => {
    for (const body of [
      { title: 'Backwards', start_time: '2026-03-01T10:00', end_time: '2026-03-01T09:59' },
      { title: 'Backwards', start_time: '2026-03-02', end_time: '2026-03-01' },
    ]) {
      const res = await s.request('POST', '/api/events', body);
      expect(res.status).toBe(422);
      expect(res.json.error).toMatchObject({ code: 'UNPROCESSABLE', details: { field: 'end_time' } });
    }
    // Equal is allowed: a zero-length event.
    expect(
      (await create({ title: 'Instant', start_time: '2026-03-01T10:00', end_time: '2026-03-01T10:00' }))
        .end_time,
    ).toBe('2026-03-01T01:00:00.000Z');
  });

  it.each([
    'FREQ=DAILY;INTERVAL=0',
    'FREQ=DAILY;INTERVAL=zero',
    'FREQ=WEEKLY;BYDAY=FUNDAY',
    'FREQ=DAILY;COUNT=-1',
    'FREQ=MONTHLY;BYMONTHDAY=32',
    'FREQ=DAILY;BYHOUR=24',
    'FREQ=SECONDLY',
    'FREQ=MINUTELY',
    'FREQ=DAILY;COUNT=3;UNTIL=20300101',
    'FREQ=DAILY;COLOR=RED',
    'BYDAY=MO',
    'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
    'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30',
    'FREQ=DAILY;UNTIL=20200101',
    'FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29',
    'FREQ=HOURLY;INTERVAL=24;BYHOUR=5',
    'FREQ=DAILY;INTERVAL=7;BYDAY=TU',
  ])('answers 422 quickly for the rule %s', async (rule) => {
    const t0 = performance.now();
    // 2026-03-02 is a Monday.
    const res = await s.request('POST', '/api/events', {
      title: 'Odd',
      start_time: '2026-03-02T09:00',
      recurrence_rule: rule,
    });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(res.status, res.text).toBe(422);
    expect(res.json.error).toMatchObject({ code: 'UNPROCESSABLE', details: { field: 'recurrence_rule' } });
  });

  it('validates PATCH the same way', async () => {
    const ev = await create({
      title: 'Patch me',
      start_time: '2026-03-01T10:00',
      end_time: '2026-03-01T11:00',
    });
    for (const field of ['title', 'start_time', 'is_all_day', 'tags']) {
      const res = await s.request('PATCH', `/api/events/${ev.id}`, { [field]: null });
      expect(res.status, field).toBe(400);
      expect(res.json.error.details.field).toBe(field);
    }
    const backwards = await s.request('PATCH', `/api/events/${ev.id}`, { end_time: '2026-03-01T09:00' });
    expect(backwards.status).toBe(422);
    const rule = await s.request('PATCH', `/api/events/${ev.id}`, {
      recurrence_rule: 'FREQ=WEEKLY;BYDAY=XX',
    });
    expect(rule.status).toBe(422);
    expect(rule.json.error.details.field).toBe('recurrence_rule');
    expect((await s.request('GET', `/api/events/${ev.id}`)).json).toEqual(ev);
  });
});

describe('listing', () => {
  it.each([
    ['limit=abc', 'limit'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['page=0', 'page'],
    ['page=-1', 'page'],
    ['start_after=yesterday', 'start_after'],
    ['start_after=2026-01-01&start_before=2027-01-02', 'start_before'],
    ['start_after=2026-03-01T00:00:00Z&start_before=2027-03-02T00:00:01Z', 'start_before'],
    ['start_after=2026-03-02&start_before=2026-02-28', 'start_before'],
  ])('%s -> 400 on %s', async (query, field) => {
    const res = await s.request('GET', `/api/events?${query}`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_ERROR');
    expect(res.json.error.details.field).toBe(field);
  });

  it('accepts a window of exactly 366 days', async () => {
    const res = await list('start_after=2026-01-01&start_before=2027-01-01');
    expect(res).toMatchObject({ page: 1, limit: 50 });
  });

  it('filters by words and by tag', async () => {
    await create({
      title: 'Quarterly planning',
      location: 'Seoul HQ',
      start_time: '2026-05-04T10:00',
      tags: ['plan'],
    });
    await create({
      title: 'Lunch',
      description: 'planning the offsite',
      start_time: '2026-05-05T12:00',
      tags: ['plan', 'food'],
    });
    await create({ title: 'Gym', start_time: '2026-05-05T19:00', tags: ['plan'] });
    const titles = async (q: string) => (await list(q)).items.map((i: any) => i.title);
    expect(await titles('tag=plan&q=planning')).toEqual(['Quarterly planning', 'Lunch']);
    expect(await titles('tag=plan&q=seoul')).toEqual(['Quarterly planning']);
    expect(await titles('tag=%23Food')).toEqual(['Lunch']);
    expect(await titles('tag=plan&q=planning&start_after=2026-05-05&start_before=2026-05-05')).toEqual([
      'Lunch',
    ]);
  });

  it('pages in a stable order without repeats, occurrences and one-offs merged', async () => {
    const weekly = await create({
      title: 'W',
      start_time: '2026-06-01T09:00',
      recurrence_rule: 'FREQ=WEEKLY',
      tags: ['paging'],
    });
    for (const day of ['01', '03', '08', '08', '08', '15', '20'])
      await create({ title: `one-off ${day}`, start_time: `2026-06-${day}T09:00`, tags: ['paging'] });
    const window = 'tag=paging&start_after=2026-06-01&start_before=2026-06-30';
    const all = await list(`${window}&limit=200`);
    expect(all.total).toBe(12); // 5 occurrences (June 1 to 29) + 7 one-offs
    const keys = all.items.map((i: any) => `${i.occurrence_start}|${i.id}`);
    expect([...keys].sort()).toEqual(keys);
    expect(all.items.filter((i: any) => i.id === weekly.id)).toHaveLength(5);

    const paged: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const res = await list(`${window}&limit=3&page=${page}`);
      expect(res.total).toBe(12);
      paged.push(...res.items.map((i: any) => `${i.occurrence_start}|${i.id}`));
    }
    expect(paged).toEqual(keys);
    const past = await list(`${window}&limit=3&page=9`);
    expect(past).toEqual({ items: [], total: 12, page: 9, limit: 3 });
  });

  it('lists each series once with one bound or none, filtered on its first start', async () => {
    const ev = await create({
      title: 'Daily',
      start_time: '2026-07-01T08:00',
      recurrence_rule: 'FREQ=DAILY',
      tags: ['once'],
    });
    const none = await list('tag=once');
    expect(none.items).toHaveLength(1);
    expect(none.items[0]).toMatchObject({
      id: ev.id,
      occurrence_start: ev.start_time,
      start_time: ev.start_time,
      is_recurring: true,
    });
    expect((await list('tag=once&start_after=2026-06-01')).total).toBe(1);
    expect((await list('tag=once&start_after=2026-08-01')).total).toBe(0);
    expect((await list('tag=once&start_before=2026-06-30')).total).toBe(0);
    expect((await list('tag=once&start_before=2026-07-01T08:00:00%2B09:00')).total).toBe(0);
    expect((await list('tag=once&start_before=2026-07-01')).total).toBe(1);
  });
});

describe('time', () => {
  it('expands a weekly rule over a three-week window into three occurrences', async () => {
    const ev = await create({
      title: 'Standup',
      start_time: '2026-08-03T09:00',
      end_time: '2026-08-03T09:15',
      recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO',
      tags: ['weekly'],
    });
    const res = await list('tag=weekly&start_after=2026-08-01&start_before=2026-08-21');
    expect(res.total).toBe(3);
    expect(res.items.map((i: any) => i.id)).toEqual([ev.id, ev.id, ev.id]);
    expect(res.items.map((i: any) => [i.occurrence_start, i.start_time, i.end_time, i.is_recurring])).toEqual(
      [
        ['2026-08-03T00:00:00.000Z', '2026-08-03T00:00:00.000Z', '2026-08-03T00:15:00.000Z', true],
        ['2026-08-10T00:00:00.000Z', '2026-08-10T00:00:00.000Z', '2026-08-10T00:15:00.000Z', true],
        ['2026-08-17T00:00:00.000Z', '2026-08-17T00:00:00.000Z', '2026-08-17T00:15:00.000Z', true],
      ],
    );
    expect(res.items.map((i: any) => localOf(i.start_time, SEOUL))).toEqual([
      'Mon 2026-08-03 09:00',
      'Mon 2026-08-10 09:00',
      'Mon 2026-08-17 09:00',
    ]);
  });

  it('lists an event from 23:00 to 01:00 local on both days', async () => {
    const ev = await create({
      title: 'Late show',
      start_time: '2026-09-01T23:00',
      end_time: '2026-09-02T01:00',
      tags: ['late'],
    });
    expect(ev.start_time).toBe('2026-09-01T14:00:00.000Z');
    const onDay = async (day: string) =>
      (await list(`tag=late&start_after=${day}&start_before=${day}`)).total;
    expect(await onDay('2026-09-01')).toBe(1);
    expect(await onDay('2026-09-02')).toBe(1);
    expect(await onDay('2026-08-31')).toBe(0);
    expect(await onDay('2026-09-03')).toBe(0);
  });

  it('covers exactly the local day with an all-day event', async () => {
    const ev = await create({ title: 'Holiday', start_time: '2026-10-09', tags: ['allday'] });
    expect(ev).toMatchObject({
      is_all_day: true,
      start_time: '2026-10-08T15:00:00.000Z',
      end_time: '2026-10-09T15:00:00.000Z',
    });
    const count = async (from: string, to: string) =>
      (await list(`tag=allday&start_after=${from}&start_before=${to}`)).total;
    expect(await count('2026-10-09', '2026-10-09')).toBe(1);
    expect(await count('2026-10-08', '2026-10-08')).toBe(0);
    expect(await count('2026-10-10', '2026-10-10')).toBe(0);
    // Touching windows: ending at its start, starting at its end.
    expect(await count('2026-10-08T14:00:00Z', '2026-10-08T15:00:00Z')).toBe(0);
    expect(await count('2026-10-09T15:00:00Z', '2026-10-09T16:00:00Z')).toBe(0);
    expect(await count('2026-10-09T14:59:59Z', '2026-10-09T16:00:00Z')).toBe(1);
  });

  it('snaps an all-day date-time start to local midnight and reads a bare end date as the last day', async () => {
    const ev = await create({
      title: 'Trip',
      start_time: '2026-10-20T18:30',
      is_all_day: true,
      end_time: '2026-10-22',
    });
    expect(ev).toMatchObject({
      is_all_day: true,
      start_time: '2026-10-19T15:00:00.000Z',
      end_time: '2026-10-22T15:00:00.000Z',
    });
    const timed = await create({ title: 'Midnight', start_time: '2026-10-20', is_all_day: false });
    expect(timed).toMatchObject({
      is_all_day: false,
      start_time: '2026-10-19T15:00:00.000Z',
      end_time: null,
    });
  });

  it('lists a timed event without an end only when it starts inside the window', async () => {
    await create({ title: 'Pill', start_time: '2026-11-05T08:00', tags: ['zero'] });
    const count = async (from: string, to: string) =>
      (await list(`tag=zero&start_after=${from}&start_before=${to}`)).total;
    expect(await count('2026-11-04T23:00:00Z', '2026-11-04T23:00:01Z')).toBe(1);
    expect(await count('2026-11-04T23:00:01Z', '2026-11-05T00:00:00Z')).toBe(0);
    expect(await count('2026-11-04T22:00:00Z', '2026-11-04T23:00:00Z')).toBe(0);
  });

  it('gives other modules every occurrence overlapping a range', async () => {
    const ev = await create({
      title: 'Yoga',
      start_time: '2026-12-01T07:00',
      end_time: '2026-12-01T08:00',
      recurrence_rule: 'FREQ=DAILY',
    });
    const one = await create({ title: 'Dinner', start_time: '2026-12-02T19:00' });
    const occ = await s.built.services.events.occurrencesBetween(
      new Date('2026-12-01T15:00:00Z'),
      new Date('2026-12-02T15:00:00Z'),
    );
    const starts = occ.map((o) => o.occurrence_start);
    expect([...starts].sort()).toEqual(starts);
    const mine = occ.filter((o) => o.id === ev.id || o.id === one.id);
    expect(mine.map((o) => [o.id, localOf(o.occurrence_start, SEOUL)])).toEqual([
      [ev.id, 'Wed 2026-12-02 07:00'],
      [one.id, 'Wed 2026-12-02 19:00'],
    ]);
  });
});

describe('time in New York', () => {
  let ny: TestServer;
  beforeAll(async () => {
    ny = await startTestServer({ timezone: NY, now: '2026-02-20T12:00:00Z' });
  });
  afterAll(async () => {
    await ny.close();
  });

  it('keeps a weekly 08:00 rule at 08:00 local across the March and November transitions', async () => {
    const res = await ny.request('POST', '/api/events', {
      title: 'Standup',
      start_time: '2026-03-02T08:00',
      recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO',
    });
    expect(res.status).toBe(201);
    expect(res.json.start_time).toBe('2026-03-02T13:00:00.000Z');
    const window = async (from: string, to: string) =>
      (await ny.request('GET', `/api/events?start_after=${from}&start_before=${to}`)).json.items.map(
        (i: any) => i.start_time,
      );
    const spring = await window('2026-03-01', '2026-03-17');
    expect(spring).toEqual([
      '2026-03-02T13:00:00.000Z',
      '2026-03-09T12:00:00.000Z',
      '2026-03-16T12:00:00.000Z',
    ]);
    const autumn = await window('2026-10-25', '2026-11-10');
    expect(autumn).toEqual([
      '2026-10-26T12:00:00.000Z',
      '2026-11-02T13:00:00.000Z',
      '2026-11-09T13:00:00.000Z',
    ]);
    for (const iso of [...spring, ...autumn])
      expect(DateTime.fromISO(iso, { zone: NY }).toFormat('ccc HH:mm')).toBe('Mon 08:00');
  });

  it('stores 02:30 on the spring-forward day as 03:30 local', async () => {
    const res = await ny.request('POST', '/api/events', { title: 'Gap', start_time: '2026-03-08T02:30' });
    expect(res.json.start_time).toBe('2026-03-08T07:30:00.000Z');
    expect(localOf(res.json.start_time, NY)).toBe('Sun 2026-03-08 03:30');
  });
});

describe('iCalendar', () => {
  /** Physical lines of an iCalendar body, after checking the CRLF line ends. */
  function physicalLines(text: string): string[] {
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    return text.slice(0, -2).split('\r\n');
  }
  const unfold = (lines: string[]) => lines.join('\r\n').replace(/\r\n /g, '');

  it('exports one event', async () => {
    const ev = await create({
      title: 'Review; budget, Q1',
      start_time: '2026-04-01T10:00',
      description: `회의록: ${'길게 쓴 메모 '.repeat(20)}`,
      location: 'Room 1, HQ',
    });
    const res = await s.request('GET', `/api/events/${ev.id}/ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const lines = physicalLines(res.text);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.at(-1)).toBe('END:VCALENDAR');
    for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(lines.some((l) => l.startsWith(' '))).toBe(true);
    const text = unfold(lines);
    expect(text).toContain(`UID:${ev.id}@clawchat`);
    expect(text).toContain('SUMMARY:Review\\; budget\\, Q1');
    expect(text).toContain('LOCATION:Room 1\\, HQ');
    expect(text).toContain(`DESCRIPTION:회의록: ${'길게 쓴 메모 '.repeat(20)}`);
    expect(text).toContain('DTSTART:20260401T010000Z');
    expect(text).toContain('DTEND:20260401T020000Z'); // no end: one hour
  });

  it('serves the whole calendar with a bearer token', async () => {
    const ev = await create({
      title: 'In the feed',
      start_time: '2026-04-02',
      recurrence_rule: 'FREQ=YEARLY',
    });
    const res = await s.request('GET', '/api/calendar.ics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const text = unfold(physicalLines(res.text));
    expect(text).toContain(`UID:${ev.id}@clawchat`);
    expect(text).toContain('DTSTART;VALUE=DATE:20260402');
    expect(text).toContain('RRULE:FREQ=YEARLY');
    expect(text.match(/BEGIN:VEVENT/g)!.length).toBeGreaterThan(10);
  });

  it('creates and rotates the feed key', async () => {
    const noKey = await s.raw('GET', '/api/calendar.ics');
    expect(noKey.status).toBe(401);
    expect(noKey.json.error.code).toBe('UNAUTHORIZED');
    expect((await s.raw('GET', '/api/calendar.ics?key=guess')).status).toBe(401);
    expect(
      (await s.raw('GET', '/api/calendar.ics', { headers: { authorization: 'Bearer not-a-token' } })).status,
    ).toBe(401);

    const first = await s.request('POST', '/api/calendar/feed-key');
    expect(first.status).toBe(200);
    expect(first.json.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.json.url).toBe(`${s.url}/api/calendar.ics?key=${first.json.key}`);
    const feed = await s.raw('GET', `/api/calendar.ics?key=${first.json.key}`);
    expect(feed.status).toBe(200);
    expect(feed.text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);

    // Only the hash is stored.
    const direct = await createDatabase(s.config.database, { migrate: false });
    try {
      const values = (await direct.db.selectFrom('settings').select('value').execute()).map((r) => r.value);
      expect(values).not.toContain(first.json.key);
      expect(values).toContain(crypto.createHash('sha256').update(first.json.key).digest('hex'));
    } finally {
      await direct.close();
    }

    const second = await s.request('POST', '/api/calendar/feed-key');
    expect(second.json.key).not.toBe(first.json.key);
    expect((await s.raw('GET', `/api/calendar.ics?key=${first.json.key}`)).status).toBe(401);
    expect((await s.raw('GET', `/api/calendar.ics?key=${second.json.key}`)).status).toBe(200);
  });
});

describe('one-off events of any length', () => {
  it('lists an event that began long before the window and is still going, also one written elsewhere', async () => {
    const own = await startTestServer({ timezone: SEOUL, now: '2026-02-20T00:00:00Z' });
    const window = 'start_after=2026-06-10&start_before=2026-06-11';
    const titles = async () =>
      (await own.request('GET', `/api/events?${window}`)).json.items.map((i: any) => i.title).sort();
    try {
      const create = (body: Record<string, unknown>) => own.request('POST', '/api/events', body);
      expect(
        (await create({ title: 'Short', start_time: '2026-06-10T10:00', end_time: '2026-06-10T11:00' }))
          .status,
      ).toBe(201);
      expect(
        (await create({ title: 'Ended', start_time: '2026-06-01T10:00', end_time: '2026-06-09T11:00' }))
          .status,
      ).toBe(201);
      expect((await create({ title: 'Trip', start_time: '2026-06-01', end_time: '2026-06-12' })).status).toBe(
        201,
      );
      expect(await titles()).toEqual(['Short', 'Trip']);
      const other = await createDatabase(own.config.database, { migrate: false });
      try {
        const row = (
          await own.request('POST', '/api/events', { title: 'Sabbatical', start_time: '2026-07-01' })
        ).json;
        await other.db
          .updateTable('events')
          .set({ start_time: '2026-01-01T00:00:00.000Z', end_time: '2026-12-31T00:00:00.000Z' })
          .where('id', '=', row.id)
          .execute();
      } finally {
        await other.close();
      }
      expect(await titles()).toEqual(['Sabbatical', 'Short', 'Trip']);
      const today = await own.request('GET', '/api/today');
      expect(today.json.today_events.map((e: any) => e.title)).toEqual(['Sabbatical']);
    } finally {
      await own.close();
    }
  });
});

describe('series kept in memory between writes', () => {
  it('answers every read with the series as last written, by this server or anyone else', async () => {
    const own = await startTestServer({ timezone: SEOUL, now: '2026-02-20T00:00:00Z' });
    const week = 'start_after=2026-03-02&start_before=2026-03-08';
    const titles = async () =>
      (await own.request('GET', `/api/events?${week}`)).json.items.map(
        (i: any) => `${i.title} ${localOf(i.start_time, SEOUL)}`,
      );
    const today = async () =>
      (await own.request('GET', '/api/today')).json.today_events.map((i: any) => i.title);
    try {
      const created = await own.request('POST', '/api/events', {
        title: 'Run',
        start_time: '2026-02-02T07:00',
        recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO,TH',
      });
      expect(await titles()).toEqual(['Run Mon 2026-03-02 07:00', 'Run Thu 2026-03-05 07:00']);
      expect(await titles()).toEqual(['Run Mon 2026-03-02 07:00', 'Run Thu 2026-03-05 07:00']);

      await own.request('PATCH', `/api/events/${created.json.id}`, {
        recurrence_rule: 'FREQ=WEEKLY;BYDAY=TU',
      });
      expect(await titles()).toEqual(['Run Tue 2026-03-03 07:00']);

      // Another process (a second server instance, a CLI) writes to the same database.
      const other = await createDatabase(own.config.database, { migrate: false });
      try {
        await other.db
          .updateTable('events')
          .set({ title: 'Swim', updated_at: new Date().toISOString() })
          .where('id', '=', created.json.id)
          .execute();
        expect(await titles()).toEqual(['Swim Tue 2026-03-03 07:00']);
        // 2026-02-20 is a Friday: a daily series written elsewhere shows up in today.
        expect(await today()).toEqual([]);
        await other.db
          .updateTable('events')
          .set({ recurrence_rule: 'FREQ=DAILY' })
          .where('id', '=', created.json.id)
          .execute();
        expect(await today()).toEqual(['Swim']);
        await other.db.deleteFrom('events').where('id', '=', created.json.id).execute();
        expect(await titles()).toEqual([]);
        expect(await today()).toEqual([]);
      } finally {
        await other.close();
      }

      await own.request('POST', '/api/events', {
        title: 'Yoga',
        start_time: '2026-03-01T18:00',
        recurrence_rule: 'FREQ=DAILY;COUNT=3',
      });
      expect(await titles()).toEqual(['Yoga Mon 2026-03-02 18:00', 'Yoga Tue 2026-03-03 18:00']);
    } finally {
      await own.close();
    }
  });
});
