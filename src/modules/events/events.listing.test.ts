/**
 * Listing events: paging and filters, and time: recurrence expansion, local days, all-day
 * events and daylight-saving transitions.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { created, fetched } from '../../../test/helpers/factories.js';
import { startTestServer, useTestServer, type TestServer } from '../../../test/helpers/server.js';

const SEOUL = 'Asia/Seoul';
const NY = 'America/New_York';

// 09:00 in Seoul on 2026-02-20.
const s = useTestServer({ timezone: SEOUL, now: '2026-02-20T00:00:00Z' });
/** POSTs an event (title and start are required; `more` holds the rest), expecting 201. */
const create = (title: string, start_time: string, more: Record<string, unknown> = {}) =>
  created(s, '/api/events', { title, start_time, ...more });
const list = (query: string) => fetched(s, `/api/events?${query}`);
/** How many times the window [from, to] lists the events tagged `tag` (each test tags its own). */
const listedIn = async (tag: string, from: string, to = from) =>
  (await list(`tag=${tag}&start_after=${from}&start_before=${to}`)).total;
const localOf = (iso: string, zone: string) =>
  DateTime.fromISO(iso, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');

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
    await create('Quarterly planning', '2026-05-04T10:00', { location: 'Seoul HQ', tags: ['plan'] });
    await create('Lunch', '2026-05-05T12:00', {
      description: 'planning the offsite',
      tags: ['plan', 'food'],
    });
    await create('Gym', '2026-05-05T19:00', { tags: ['plan'] });
    const titles = async (q: string) => (await list(q)).items.map((i: any) => i.title);
    expect(await titles('tag=plan&q=planning')).toEqual(['Quarterly planning', 'Lunch']);
    expect(await titles('tag=plan&q=seoul')).toEqual(['Quarterly planning']);
    expect(await titles('tag=%23Food')).toEqual(['Lunch']);
    expect(await titles('tag=plan&q=planning&start_after=2026-05-05&start_before=2026-05-05')).toEqual([
      'Lunch',
    ]);
  });

  it('pages in a stable order without repeats, occurrences and one-offs merged', async () => {
    const weekly = await create('W', '2026-06-01T09:00', {
      recurrence_rule: 'FREQ=WEEKLY',
      tags: ['paging'],
    });
    for (const day of ['01', '03', '08', '08', '08', '15', '20'])
      await create(`one-off ${day}`, `2026-06-${day}T09:00`, { tags: ['paging'] });
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
    const ev = await create('Daily', '2026-07-01T08:00', { recurrence_rule: 'FREQ=DAILY', tags: ['once'] });
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
    const ev = await create('Standup', '2026-08-03T09:00', {
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
    const ev = await create('Late show', '2026-09-01T23:00', {
      end_time: '2026-09-02T01:00',
      tags: ['late'],
    });
    expect(ev.start_time).toBe('2026-09-01T14:00:00.000Z');
    expect(await listedIn('late', '2026-09-01')).toBe(1);
    expect(await listedIn('late', '2026-09-02')).toBe(1);
    expect(await listedIn('late', '2026-08-31')).toBe(0);
    expect(await listedIn('late', '2026-09-03')).toBe(0);
  });

  it('covers exactly the local day with an all-day event', async () => {
    const ev = await create('Holiday', '2026-10-09', { tags: ['allday'] });
    expect(ev).toMatchObject({
      is_all_day: true,
      start_time: '2026-10-08T15:00:00.000Z',
      end_time: '2026-10-09T15:00:00.000Z',
    });
    expect(await listedIn('allday', '2026-10-09')).toBe(1);
    expect(await listedIn('allday', '2026-10-08')).toBe(0);
    expect(await listedIn('allday', '2026-10-10')).toBe(0);
    // Touching windows: ending at its start, starting at its end.
    expect(await listedIn('allday', '2026-10-08T14:00:00Z', '2026-10-08T15:00:00Z')).toBe(0);
    expect(await listedIn('allday', '2026-10-09T15:00:00Z', '2026-10-09T16:00:00Z')).toBe(0);
    expect(await listedIn('allday', '2026-10-09T14:59:59Z', '2026-10-09T16:00:00Z')).toBe(1);
  });

  it('snaps an all-day date-time start to local midnight and reads a bare end date as the last day', async () => {
    const ev = await create('Trip', '2026-10-20T18:30', { is_all_day: true, end_time: '2026-10-22' });
    expect(ev).toMatchObject({
      is_all_day: true,
      start_time: '2026-10-19T15:00:00.000Z',
      end_time: '2026-10-22T15:00:00.000Z',
    });
    const timed = await create('Midnight', '2026-10-20', { is_all_day: false });
    expect(timed).toMatchObject({
      is_all_day: false,
      start_time: '2026-10-19T15:00:00.000Z',
      end_time: null,
    });
  });

  it('lists a timed event without an end only when it starts inside the window', async () => {
    await create('Pill', '2026-11-05T08:00', { tags: ['zero'] });
    expect(await listedIn('zero', '2026-11-04T23:00:00Z', '2026-11-04T23:00:01Z')).toBe(1);
    expect(await listedIn('zero', '2026-11-04T23:00:01Z', '2026-11-05T00:00:00Z')).toBe(0);
    expect(await listedIn('zero', '2026-11-04T22:00:00Z', '2026-11-04T23:00:00Z')).toBe(0);
  });

  it('gives other modules every occurrence overlapping a range', async () => {
    const ev = await create('Yoga', '2026-12-01T07:00', {
      end_time: '2026-12-01T08:00',
      recurrence_rule: 'FREQ=DAILY',
    });
    const one = await create('Dinner', '2026-12-02T19:00');
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
