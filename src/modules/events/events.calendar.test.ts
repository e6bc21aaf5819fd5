/**
 * The iCalendar export and feed, long one-off events, and the series cache between writes.
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { created } from '../../../test/helpers/factories.js';
import { startTestServer, useTestServer } from '../../../test/helpers/server.js';
import { createDatabase } from '../../db/database.js';

const SEOUL = 'Asia/Seoul';

// 09:00 in Seoul on 2026-02-20.
const s = useTestServer({ timezone: SEOUL, now: '2026-02-20T00:00:00Z' });
const create = (body: Record<string, unknown>) => created(s, '/api/events', body);
const localOf = (iso: string, zone: string) =>
  DateTime.fromISO(iso, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');

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
    const other = await create({ title: 'Also in the feed', start_time: '2026-04-03T09:00' });
    const res = await s.request('GET', '/api/calendar.ics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const text = unfold(physicalLines(res.text));
    expect(text).toContain(`UID:${ev.id}@clawchat`);
    expect(text).toContain('DTSTART;VALUE=DATE:20260402');
    expect(text).toContain('RRULE:FREQ=YEARLY');
    expect(text).toContain(`UID:${other.id}@clawchat`);
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
