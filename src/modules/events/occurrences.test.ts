/**
 * Recurring events one occurrence at a time (COMPAT.md), against the real server: a weekly
 * series with one day removed, one moved and the series ended in a month. The window listing,
 * "today", the reminders (ManualClock, the reminders job ticked by hand) and the iCalendar
 * export read by a real calendar parser (ical.js, expanded by it) must all agree.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event } from '../../../test/helpers/factories.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';

interface Occurrence {
  id: string;
  title: string;
  start_time: string;
  end_time: string | null;
  is_occurrence: boolean;
  occurrence_date: string | null;
  recurring_event_id: string | null;
}

let s: TestServer;
let seriesId: string;

/** Seoul wall time -> instant. */
const seoul = (wall: string) => new Date(`${wall}:00+09:00`).toISOString();

/** What every view must show: the weekly Monday stand-up after the changes. */
const EXPECTED = [
  { date: '2026-03-02', start: seoul('2026-03-02T10:00'), title: 'Stand-up' },
  { date: '2026-03-16', start: seoul('2026-03-17T14:00'), title: 'Stand-up (moved)' },
  { date: '2026-03-23', start: seoul('2026-03-23T10:00'), title: 'Stand-up' },
  { date: '2026-03-30', start: seoul('2026-03-30T10:00'), title: 'Stand-up' },
];

async function windowListing(): Promise<Occurrence[]> {
  const res = await s.request('GET', '/api/events?start_after=2026-02-01&start_before=2026-06-30&limit=200');
  expect(res.status, res.text).toBe(200);
  return res.json.items as Occurrence[];
}

/** The Seoul (UTC+9, no DST) date of an instant. */
const seoulDate = (iso: string) => new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 10);

/** The occurrences of the calendar's one series, expanded by ical.js (at most 100). */
function icsOccurrences(text: string): { start: string; title: string }[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const tz of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const vevents = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
  const master = vevents.find((e) => !e.isRecurrenceException())!;
  for (const e of vevents) if (e.isRecurrenceException()) master.relateException(e);
  const got: { start: string; title: string }[] = [];
  const it = master.iterator();
  for (let next = it.next(); next && got.length < 100; next = it.next()) {
    const details = master.getOccurrenceDetails(next);
    // All-day occurrences are floating dates in iCalendar: compared as dates.
    const start = details.startDate.isDate
      ? details.startDate.toString()
      : details.startDate.toJSDate().toISOString();
    got.push({ start, title: details.item.summary });
  }
  return got;
}

beforeAll(async () => {
  s = await startTestServer({
    timezone: 'Asia/Seoul',
    now: '2026-03-01T00:00:00Z',
    env: { JWT_EXPIRY_HOURS: '2000' }, // the token outlives the weeks the clock walks through
  });
  const series = await event(s, {
    title: 'Stand-up',
    start_time: '2026-03-02T10:00:00',
    end_time: '2026-03-02T10:30:00',
    recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO',
    reminder_minutes: 15,
    location: 'Room 1',
  });
  expect(series).toMatchObject({ recurrence_end: null, recurrence_exceptions: [] });
  seriesId = series.id;

  // One day removed, one moved (and renamed), the series ended after a month.
  const removed = await s.request('DELETE', `/api/events/${seriesId}/occurrences/2026-03-09`);
  expect(removed.status, removed.text).toBe(204);
  const moved = await s.request('PATCH', `/api/events/${seriesId}/occurrences/2026-03-16`, {
    start_time: '2026-03-17T14:00:00',
    title: 'Stand-up (moved)',
  });
  expect(moved.status, moved.text).toBe(200);
  expect(moved.json).toMatchObject({
    id: seriesId,
    title: 'Stand-up (moved)',
    start_time: seoul('2026-03-17T14:00'),
    end_time: seoul('2026-03-17T14:30'), // the length is kept
    location: 'Room 1',
    is_occurrence: true,
    occurrence_date: '2026-03-16',
    recurring_event_id: seriesId,
  });
  const ended = await s.request(
    'DELETE',
    `/api/events/${seriesId}/occurrences/2026-04-06?mode=this_and_future`,
  );
  expect(ended.status, ended.text).toBe(204);
});

afterAll(async () => {
  await s?.close();
});

describe('a weekly series with one day removed, one moved and an end', () => {
  it('the series says so', async () => {
    const res = await s.request('GET', `/api/events/${seriesId}`);
    expect(res.json).toMatchObject({ recurrence_end: '2026-04-05', recurrence_exceptions: ['2026-03-09'] });
  });

  it('the window listing shows the changed occurrences', async () => {
    const items = await windowListing();
    expect(items.map((o) => ({ date: o.occurrence_date, start: o.start_time, title: o.title }))).toEqual(
      EXPECTED,
    );
    for (const o of items)
      expect(o).toMatchObject({ id: seriesId, is_occurrence: true, recurring_event_id: seriesId });
    // Without both bounds the series appears once, as itself.
    const plain = await s.request('GET', '/api/events');
    expect(plain.json.items[0]).toMatchObject({
      is_occurrence: false,
      occurrence_date: null,
      recurring_event_id: null,
    });
  });

  it('"today" shows each day as the listing does', async () => {
    const days = [
      '2026-03-02',
      '2026-03-09',
      '2026-03-16',
      '2026-03-17',
      '2026-03-23',
      '2026-03-30',
      '2026-04-06',
    ];
    const seen: { date: string; start: string; title: string }[] = [];
    for (const day of days) {
      s.clock.set(`${day}T08:00:00+09:00`);
      const res = await s.request('GET', '/api/today');
      expect(res.status, res.text).toBe(200);
      for (const o of res.json.today_events as Occurrence[])
        seen.push({ date: o.occurrence_date!, start: o.start_time, title: o.title });
    }
    expect(seen).toEqual(EXPECTED);
  });

  it('reminders come at the changed times, never for the removed day or after the end', async () => {
    const reminders: { at: string; title: string }[] = [];
    s.built.services.hub.subscribe((f) => {
      if (f.type !== 'notification') return;
      const n = f.data;
      if (n.kind === 'reminder') reminders.push({ at: s.clock.now().toISOString(), title: n.title });
    });
    // A tick ten minutes before each working hour (08:50 to 17:50, Seoul), 1 March to 10 April:
    // every original start (10:00) and the moved one (14:00) have a tick inside their reminder.
    for (
      let day = Date.parse(seoul('2026-03-01T08:50'));
      day <= Date.parse(seoul('2026-04-10T08:50'));
      day += 86_400_000
    ) {
      for (let hour = 0; hour < 10; hour++) {
        s.clock.set(new Date(day + hour * 3_600_000).toISOString());
        await s.built.services.scheduler.tick('reminders');
        await s.built.services.notifications.idle();
      }
      // A request each day: the test's keep-alive connection never sits idle for seconds.
      expect((await s.request('GET', '/api/health')).status).toBe(200);
    }
    expect(reminders).toEqual(
      EXPECTED.map((e) => ({
        at: new Date(Date.parse(e.start) - 10 * 60_000).toISOString(),
        title: e.title,
      })),
    );
  }, 120_000);

  it('the iCalendar export, expanded by ical.js, has the same occurrences', async () => {
    const res = await s.request('GET', `/api/events/${seriesId}/ics`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('EXDATE;TZID=Asia/Seoul:20260309T100000');
    expect(res.text).toContain('RECURRENCE-ID;TZID=Asia/Seoul:20260316T100000');
    const got = icsOccurrences(res.text);
    expect(got).toEqual(EXPECTED.map(({ start, title }) => ({ start, title })));
  });
});

describe('an all-day series with a COUNT, written with its end and exceptions', () => {
  it('the listing and the parsed ICS agree; a new start drops the changes', async () => {
    const { id, ...trip } = await event(s, {
      title: 'Trip',
      start_time: '2026-07-01',
      recurrence_rule: 'FREQ=DAILY;COUNT=10',
      recurrence_end: '2026-07-06',
      recurrence_exceptions: ['2026-07-03', '2026-07-03', '2026-07-02'],
    });
    expect(trip).toMatchObject({
      is_all_day: true,
      recurrence_end: '2026-07-06',
      recurrence_exceptions: ['2026-07-02', '2026-07-03'],
    });
    const moved = await s.request('PATCH', `/api/events/${id}/occurrences/2026-07-05`, {
      title: 'Trip (beach)',
    });
    expect(moved.status, moved.text).toBe(200);
    const list = await s.request('GET', '/api/events?start_after=2026-06-01&start_before=2026-08-31');
    const listed = (list.json.items as Occurrence[])
      .filter((o) => o.id === id)
      .map((o) => ({ start: seoulDate(o.start_time), title: o.title }));
    expect(listed.map((o) => o.title)).toEqual(['Trip', 'Trip', 'Trip (beach)', 'Trip']);
    const ics = await s.request('GET', `/api/events/${id}/ics`);
    expect(ics.text).toContain('UNTIL=20260706');
    expect(icsOccurrences(ics.text)).toEqual(listed);

    const early = await s.request('PATCH', `/api/events/${id}`, { recurrence_end: '2026-06-30' });
    expect(early.status).toBe(422);
    const renamed = await s.request('PATCH', `/api/events/${id}`, { start_time: '2026-07-02' });
    expect(renamed.json).toMatchObject({ recurrence_end: null, recurrence_exceptions: [] });
    const after = await s.request('GET', '/api/events?start_after=2026-06-01&start_before=2026-08-31');
    const titles = (after.json.items as Occurrence[]).filter((o) => o.id === id).map((o) => o.title);
    expect(titles).toEqual(Array(10).fill('Trip'));
  });
});

describe('the first occurrence moved before the series starts', () => {
  it('is listed on its new day', async () => {
    const { id } = await event(s, {
      title: 'Class',
      start_time: '2026-09-07T18:00:00',
      recurrence_rule: 'FREQ=WEEKLY',
    });
    const moved = await s.request('PATCH', `/api/events/${id}/occurrences/2026-09-07`, {
      start_time: '2026-09-05T18:00:00',
    });
    expect(moved.status, moved.text).toBe(200);
    const day = await s.request('GET', '/api/events?start_after=2026-09-05&start_before=2026-09-05');
    expect(day.json.items).toMatchObject([
      { id, start_time: seoul('2026-09-05T18:00'), occurrence_date: '2026-09-07' },
    ]);
    const week = await s.request('GET', '/api/events?start_after=2026-09-06&start_before=2026-09-14');
    expect(week.json.items.map((o: Occurrence) => o.occurrence_date)).toEqual(['2026-09-14']);
  });
});

describe('search', () => {
  it('finds a changed occurrence by its own title, as a hit on its series', async () => {
    const res = await s.request('GET', '/api/search?q=moved&types=events');
    expect(res.status, res.text).toBe(200);
    expect(res.json.total).toBe(1);
    expect(res.json.items[0]).toMatchObject({
      type: 'event',
      id: seriesId,
      title: 'Stand-up (moved)',
      snippet: expect.stringContaining('**moved**'),
    });
    // Other types asked for only: not there.
    expect((await s.request('GET', '/api/search?q=moved&types=memos')).json.total).toBe(0);
  });
});

describe('occurrence requests that are wrong', () => {
  it('answers 404 for an unknown event or a date that is not an occurrence, 422 for a bad mode', async () => {
    const base = `/api/events/${seriesId}/occurrences`;
    const cases: [string, string, number][] = [
      ['DELETE', '/api/events/evt_missing/occurrences/2026-03-02', 404],
      ['DELETE', `${base}/2026-03-03`, 404], // a Tuesday
      ['DELETE', `${base}/2026-03-09`, 404], // already removed
      ['DELETE', `${base}/2026-04-13`, 404], // after the end
      ['DELETE', `${base}/not-a-date`, 404],
      ['DELETE', `${base}/2026-03-23?mode=sometimes`, 422],
      ['PATCH', `${base}/2026-03-03`, 404],
      // Changing "this and the following" is refused, not silently narrowed to one occurrence.
      ['PATCH', `${base}/2026-03-23?mode=this_and_future`, 422],
    ];
    for (const [method, path, status] of cases) {
      const res = await s.request(method, path, method === 'PATCH' ? { title: 'x' } : undefined);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
      expect(res.json.error.code).toBeTypeOf('string');
    }
  });

  it('mode=all deletes the series with its overrides', async () => {
    const { id } = await event(s, {
      title: 'Gone',
      start_time: '2026-05-04T09:00:00',
      recurrence_rule: 'FREQ=DAILY',
    });
    const moved = await s.request('PATCH', `/api/events/${id}/occurrences/2026-05-05`, { title: 'Gone too' });
    expect(moved.status, moved.text).toBe(200);
    const res = await s.request('DELETE', `/api/events/${id}/occurrences/2026-05-06?mode=all`);
    expect(res.status).toBe(204);
    expect((await s.request('GET', `/api/events/${id}`)).status).toBe(404);
    const left = await s.request('GET', '/api/events?start_after=2026-05-01&start_before=2026-05-31');
    expect(left.json.items.filter((o: Occurrence) => o.id === id)).toEqual([]);
  });
});

describe('changes to one series made at the same time', () => {
  it('keeps every removed day and every moved one (no change overwrites another)', async () => {
    const { id } = await event(s, {
      title: 'Daily',
      start_time: '2026-06-01T09:00:00',
      recurrence_rule: 'FREQ=DAILY',
    });
    const removed = Array.from({ length: 8 }, (_, i) => `2026-06-${String(2 + i).padStart(2, '0')}`);
    const moved = ['2026-06-20', '2026-06-21', '2026-06-22'];
    const answers = await Promise.all([
      ...removed.map((date) => s.request('DELETE', `/api/events/${id}/occurrences/${date}`)),
      ...moved.map((date) =>
        s.request('PATCH', `/api/events/${id}/occurrences/${date}`, { title: `Moved ${date}` }),
      ),
    ]);
    expect(answers.map((a) => a.status)).toEqual([...removed.map(() => 204), ...moved.map(() => 200)]);
    const series = (await s.request('GET', `/api/events/${id}`)).json;
    expect(series.recurrence_exceptions).toEqual(removed);
    const june = await s.request(
      'GET',
      `/api/events?start_after=2026-06-01&start_before=2026-06-30&limit=200`,
    );
    const ours = (june.json.items as Occurrence[]).filter((o) => o.id === id);
    expect(ours.map((o) => o.occurrence_date)).not.toContain(removed[0]);
    expect(ours.filter((o) => o.title.startsWith('Moved')).map((o) => o.occurrence_date)).toEqual(moved);
  });
});
