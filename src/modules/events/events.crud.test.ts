/**
 * Events over real HTTP: create, read, patch, move, delete, the frames each write publishes,
 * and validation of every write.
 */
import { describe, expect, it } from 'vitest';
import { created, fetched } from '../../../test/helpers/factories.js';
import { useTestServer } from '../../../test/helpers/server.js';
import type { ServerFrame } from '../../realtime/events.js';

const SEOUL = 'Asia/Seoul';

// 09:00 in Seoul on 2026-02-20.
const s = useTestServer({ timezone: SEOUL, now: '2026-02-20T00:00:00Z' });
/** POSTs an event (title and start are required; `more` holds the rest), expecting 201. */
const create = (title: string, start_time: string, more: Record<string, unknown> = {}) =>
  created(s, '/api/events', { title, start_time, ...more });
/** PATCHes an event, expecting 200; the stored event. */
const patched = async (id: string, body: Record<string, unknown>) => {
  const res = await s.request('PATCH', `/api/events/${id}`, body);
  expect(res.status, res.text).toBe(200);
  return res.json;
};
const stored = (id: string) => fetched(s, `/api/events/${id}`);
const list = (query: string) => fetched(s, `/api/events?${query}`);

describe('events CRUD', () => {
  it('creates with defaults, ignoring unknown and read-only fields', async () => {
    const ignored = { id: 'evt_mine', created_at: '1999-01-01T00:00:00Z', color: 'blue' };
    const ev = await create('  Dentist  ', '2026-03-12T15:00', ignored);
    expect(ev).toEqual({
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
    expect(ev.id).not.toBe(ignored.id);
  });

  it('creates with every field and reads it back', async () => {
    const ev = await create('Team sync', '2026-03-02T10:00:00+09:00', {
      description: 'Weekly, with notes',
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
    expect(await stored(ev.id)).toEqual(ev);
  });

  it('patches partially, clears nullable fields, and treats {} as no change', async () => {
    const ev = await create('Call', '2026-03-03T09:00', {
      description: 'x',
      location: 'y',
      reminder_minutes: 5,
    });
    s.clock.advance(60_000);
    expect(await patched(ev.id, {})).toEqual(ev);

    const res = await patched(ev.id, {
      title: 'Call mom',
      description: null,
      location: null,
      reminder_minutes: null,
    });
    expect(res).toMatchObject({
      title: 'Call mom',
      description: null,
      location: null,
      reminder_minutes: null,
      start_time: ev.start_time,
    });
    expect(res.updated_at).not.toBe(ev.updated_at);
    expect(await stored(ev.id)).toEqual(res);
  });

  it('PATCH changes only the fields given: a new start_time alone does not move end_time', async () => {
    const ev = await create('Workshop', '2026-03-04T10:00', { end_time: '2026-03-04T12:00' });
    // A calendar resizing the start: the end stays where it was.
    const resized = await patched(ev.id, { start_time: '2026-03-04T09:00' });
    expect(resized).toMatchObject({
      start_time: '2026-03-04T00:00:00.000Z',
      end_time: '2026-03-04T03:00:00.000Z',
    });
    // Past the unchanged end: the result ends before it starts.
    const backwards = await s.request('PATCH', `/api/events/${ev.id}`, { start_time: '2026-03-06T14:00' });
    expect(backwards.status).toBe(422);
    expect(backwards.json.error).toMatchObject({ code: 'UNPROCESSABLE', details: { field: 'end_time' } });
    expect(await stored(ev.id)).toEqual(resized);
    // Both given: both move.
    const moved = await patched(ev.id, { start_time: '2026-03-06T14:00', end_time: '2026-03-06T16:00' });
    expect(moved).toMatchObject({
      start_time: '2026-03-06T05:00:00.000Z',
      end_time: '2026-03-06T07:00:00.000Z',
    });
    const endOnly = await patched(ev.id, { end_time: '2026-03-06T15:00' });
    expect(endOnly).toMatchObject({
      start_time: '2026-03-06T05:00:00.000Z',
      end_time: '2026-03-06T06:00:00.000Z',
    });
    expect((await patched(ev.id, { end_time: null })).end_time).toBeNull();
    const allDay = await patched(ev.id, { start_time: '2026-03-09' });
    expect(allDay).toMatchObject({
      is_all_day: true,
      start_time: '2026-03-08T15:00:00.000Z',
      end_time: '2026-03-09T15:00:00.000Z',
    });
    expect((await patched(ev.id, { recurrence_rule: 'FREQ=MONTHLY' })).recurrence_rule).toBe('FREQ=MONTHLY');
    expect((await patched(ev.id, { recurrence_rule: null })).recurrence_rule).toBeNull();
  });

  it('moves an event keeping its length when the caller asks (the chat\'s "move X to 4pm")', async () => {
    const ev = await create('Workshop', '2026-03-04T10:00', { end_time: '2026-03-04T12:00' });
    const events = s.built.services.events;
    const moved = await events.update(ev.id, { start_time: '2026-03-06T16:00' }, {}, { keepDuration: true });
    expect(moved).toMatchObject({
      start_time: '2026-03-06T07:00:00.000Z',
      end_time: '2026-03-06T09:00:00.000Z',
    });
    // An all-day event keeps its number of days.
    const trip = await create('Trip', '2026-03-10', { end_time: '2026-03-12' });
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
    const ev = await create('Gone', '2026-03-05T09:00', { recurrence_rule: 'FREQ=DAILY' });
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
      const ev = await create('Ping', '2026-03-05T09:00');
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
    const ev = await create('Private', '2026-03-05T09:00');
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
      expect((await create('R', '2026-03-01T10:00', { reminder_minutes })).reminder_minutes).toBe(
        reminder_minutes,
      );
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
    const ev = await create('Every minute', '2026-03-01T10:00', {
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
    const instant = await create('Instant', '2026-03-01T10:00', { end_time: '2026-03-01T10:00' });
    expect(instant.end_time).toBe('2026-03-01T01:00:00.000Z');
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
    const ev = await create('Patch me', '2026-03-01T10:00', { end_time: '2026-03-01T11:00' });
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
    expect(await stored(ev.id)).toEqual(ev);
  });
});
