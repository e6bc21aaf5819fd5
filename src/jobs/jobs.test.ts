/**
 * The scheduler's jobs against the real server: ticks are driven by hand with the ManualClock
 * (`services.scheduler.tick(name)`), pushes land in the fake Expo server, socket frames are
 * read from the hub every socket is fed from.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeExpo, type FakeExpo } from '../../test/fakes/fake-expo.js';
import {
  makeTempDir,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../test/helpers/server.js';
import { expansionTotals } from '../modules/events/recurrence.js';
import type { ServerEvents, ServerFrame } from '../realtime/events.js';

let expo: FakeExpo;
const open: TestServer[] = [];
/** One server for the tests that only look at their own day (each uses different dates). */
let shared: Harness;
const PUSH_TOKEN = 'ExponentPushToken[jobs-phone]';

interface Harness {
  s: TestServer;
  frames: ServerFrame[];
  /** `notification` frames' data, in order. */
  notes(): ServerEvents['notification'][];
  /** Sets the clock to a Seoul wall time (`2026-03-10T09:45`) or an instant with `Z`. */
  at(time: string): void;
  tick(name: string): Promise<unknown>;
  /** Forgets the frames seen so far. */
  reset(): void;
}

async function boot(opts: TestServerOptions = {}): Promise<Harness> {
  const s = await startTestServer({
    timezone: 'Asia/Seoul',
    now: '2026-03-10T00:00:00Z', // 09:00 in Seoul
    ...opts,
    // Tokens outlive the days these tests jump across.
    env: { EXPO_BASE_URL: expo.url, JWT_EXPIRY_HOURS: '720', ...opts.env },
  });
  open.push(s);
  await s.request('POST', '/api/notifications/register-token', { token: PUSH_TOKEN });
  const frames: ServerFrame[] = [];
  s.built.services.hub.subscribe((f) => frames.push(f));
  return {
    s,
    frames,
    notes: () => frames.flatMap((f) => (f.type === 'notification' ? [f.data] : [])),
    at(time) {
      s.clock.set(time.endsWith('Z') ? time : `${time}:00+09:00`);
    },
    async tick(name) {
      const result = await s.built.services.scheduler.tick(name);
      await s.built.services.notifications.idle();
      return result;
    },
    reset() {
      frames.length = 0;
    },
  };
}

/** The shared server, its frames forgotten. */
function sharedHarness(): Harness {
  shared.reset();
  return shared;
}

async function createEvent(s: TestServer, body: Record<string, unknown>) {
  const res = await s.request('POST', '/api/events', body);
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; start_time: string };
}

async function createTodo(s: TestServer, body: Record<string, unknown>) {
  const res = await s.request('POST', '/api/todos', body);
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; due_date: string };
}

beforeAll(async () => {
  expo = await startFakeExpo();
  shared = await boot();
  open.length = 0; // closed in afterAll, not after each test
});
afterEach(async () => {
  while (open.length) await open.pop()!.close();
  expo.reset();
});
afterAll(async () => {
  await shared.s.close();
  await expo.close();
});

describe('reminder ticks stay cheap', () => {
  it('a tick that finds nothing changed expands nothing; a write re-expands only its series', async () => {
    const h = await boot({ now: '2026-04-01T00:00:00Z' });
    await createEvent(h.s, {
      title: 'Dense',
      start_time: '2026-04-01T09:00:00',
      recurrence_rule: 'FREQ=HOURLY;BYMINUTE=0,15,30,45',
      reminder_minutes: 5,
    });
    const daily = await createEvent(h.s, {
      title: 'Daily',
      start_time: '2026-04-01T08:00:00',
      recurrence_rule: 'FREQ=DAILY',
      reminder_minutes: 60,
    });
    await createEvent(h.s, {
      title: 'Quiet',
      start_time: '2026-04-01T07:00:00',
      recurrence_rule: 'FREQ=DAILY',
    });

    const expansions = () => expansionTotals().expansions;
    h.at('2026-04-01T10:00');
    let before = expansions();
    await h.tick('reminders');
    // The two series with a reminder, once each; the one without is never expanded.
    expect(expansions() - before).toBe(2);

    before = expansions();
    for (let minute = 1; minute <= 30; minute++) {
      h.at(`2026-04-01T10:${String(minute).padStart(2, '0')}`);
      await h.tick('reminders');
    }
    expect(expansions()).toBe(before);
    // ...and still reminds on time: 10:15 at 10:10, 10:30 at 10:25.
    expect(h.notes().map((n) => [n.title, n.body])).toEqual([
      ['Dense', 'In 5 minutes, at 10:15'],
      ['Dense', 'In 5 minutes, at 10:30'],
    ]);

    // Writes that touch no series expand nothing; a write to one series re-expands that one.
    await createEvent(h.s, { title: 'One-off', start_time: '2026-04-01T12:00:00', reminder_minutes: 10 });
    await createTodo(h.s, { title: 'Todo', due_date: '2026-04-01T12:00:00' });
    h.at('2026-04-01T10:31');
    await h.tick('reminders');
    expect(expansions()).toBe(before);
    expect((await h.s.request('PATCH', `/api/events/${daily.id}`, { title: 'Daily walk' })).status).toBe(200);
    h.at('2026-04-01T10:32');
    await h.tick('reminders');
    expect(expansions()).toBe(before + 1);
  });

  it('a clock set back finds the occurrences ahead of it again', async () => {
    const h = await boot({ now: '2026-04-01T00:00:00Z' });
    await createEvent(h.s, {
      title: 'Every half hour',
      start_time: '2026-04-01T09:00:00',
      recurrence_rule: 'FREQ=HOURLY;BYMINUTE=0,30',
      reminder_minutes: 10,
    });
    h.at('2026-04-01T12:20');
    await h.tick('reminders');
    // The clock goes back (an operator fixing it): what lies ahead of it again is found again.
    h.at('2026-04-01T10:50');
    await h.tick('reminders');
    expect(h.notes().map((n) => n.body)).toEqual(['In 10 minutes, at 12:30', 'In 10 minutes, at 11:00']);
  });
});

describe('event reminders', () => {
  it('sends one reminder at start - reminder_minutes, over the socket and as a push', async () => {
    const h = sharedHarness();
    // ENABLE_SCHEDULER=false (the test default): no timers, the jobs are ticked by hand.
    expect(h.s.built.services.scheduler.running).toBe(false);
    expect(h.s.built.services.scheduler.jobNames).toEqual([
      'reminders',
      'overdue',
      'briefing',
      'outbox',
      'push-receipts',
    ]);
    await expect(h.s.built.services.scheduler.tick('nope')).rejects.toThrow(/Unknown job/);
    const evt = await createEvent(h.s, {
      title: 'Dentist',
      start_time: '2026-03-10T10:00:00',
      reminder_minutes: 15,
      location: 'Gangnam',
    });

    h.at('2026-03-10T09:44');
    expect(await h.tick('reminders')).toEqual({ events: 0, todos: 0 });
    expect(h.notes()).toEqual([]);

    h.at('2026-03-10T09:45');
    expect(await h.tick('reminders')).toEqual({ events: 1, todos: 0 });
    h.at('2026-03-10T09:46');
    await h.tick('reminders');
    h.at('2026-03-10T09:59');
    await h.tick('reminders');

    expect(h.notes()).toHaveLength(1);
    expect(h.notes()[0]).toMatchObject({
      title: 'Dentist',
      body: 'In 15 minutes, at 10:00 · Gangnam',
      kind: 'reminder',
      conversation_id: null,
      action: 'open_item',
      item_id: evt.id,
    });
    expect(expo.messages).toHaveLength(1);
    expect(expo.messages[0]).toMatchObject({
      to: PUSH_TOKEN,
      title: 'Dentist',
      data: { kind: 'reminder', item_id: evt.id },
    });

    const list = await h.s.request('GET', '/api/notifications');
    expect(list.json.items[0]).toMatchObject({
      kind: 'reminder',
      item_id: evt.id,
      title: 'Dentist',
      read_at: null,
    });
  });

  it('is never sent after the event started; reminder_minutes 0 may be one interval late', async () => {
    const h = sharedHarness();
    await createEvent(h.s, { title: 'Missed', start_time: '2026-03-11T10:00:00', reminder_minutes: 15 });
    await createEvent(h.s, { title: 'At start', start_time: '2026-03-11T11:00:00', reminder_minutes: 0 });
    await createEvent(h.s, { title: 'Too late', start_time: '2026-03-11T12:00:00', reminder_minutes: 0 });
    await createEvent(h.s, { title: 'No reminder', start_time: '2026-03-11T12:30:00' });

    // Down from 09:00 until just after the first event started.
    h.s.clock.set('2026-03-11T10:00:01+09:00');
    await h.tick('reminders');
    expect(h.notes()).toEqual([]);

    h.s.clock.set('2026-03-11T11:00:30+09:00'); // 30 s into the 0-minute event: within one interval (60 s)
    await h.tick('reminders');
    h.s.clock.set('2026-03-11T12:01:30+09:00'); // 90 s after: too late
    await h.tick('reminders');
    h.at('2026-03-11T12:30');
    await h.tick('reminders');
    expect(h.notes().map((n) => [n.title, n.body])).toEqual([['At start', 'Starting now, at 11:00']]);
  });

  it('a reminder whose moment passed during downtime is sent once, if the event has not started', async () => {
    const h = sharedHarness();
    await createEvent(h.s, { title: 'Standup', start_time: '2026-03-12T10:00:00', reminder_minutes: 30 });
    // The reminder was due at 09:30; the server comes back at 09:50.
    h.at('2026-03-12T09:50');
    await h.tick('reminders');
    h.at('2026-03-12T09:51');
    await h.tick('reminders');
    expect(h.notes().map((n) => [n.title, n.body])).toEqual([['Standup', 'In 10 minutes, at 10:00']]);
  });

  it('reminds every occurrence of a recurring event, each once', async () => {
    const h = sharedHarness();
    const evt = await createEvent(h.s, {
      title: 'Gym',
      start_time: '2026-03-13T18:00:00',
      end_time: '2026-03-13T19:00:00',
      reminder_minutes: 10,
      recurrence_rule: 'FREQ=DAILY;COUNT=3',
    });
    for (const day of ['13', '14', '15', '16']) {
      for (const time of ['17:49', '17:50', '17:55']) {
        h.at(`2026-03-${day}T${time}`);
        await h.tick('reminders');
      }
    }
    expect(h.notes()).toHaveLength(3);
    expect(h.notes().every((n) => n.item_id === evt.id && n.title === 'Gym')).toBe(true);
    expect(expo.messages).toHaveLength(3);
  });

  it('moving an event re-arms its reminder', async () => {
    const h = sharedHarness();
    const evt = await createEvent(h.s, {
      title: 'Call',
      start_time: '2026-03-18T10:00:00',
      reminder_minutes: 5,
    });
    h.at('2026-03-18T09:55');
    await h.tick('reminders');
    expect(
      (await h.s.request('PATCH', `/api/events/${evt.id}`, { start_time: '2026-03-18T11:00:00' })).status,
    ).toBe(200);
    h.at('2026-03-18T10:30');
    await h.tick('reminders');
    h.at('2026-03-18T10:55');
    await h.tick('reminders');
    expect(h.notes().map((n) => n.body)).toEqual(['In 5 minutes, at 10:00', 'In 5 minutes, at 11:00']);
  });

  it('nothing is sent again after a restart', async () => {
    const dataDir = makeTempDir();
    const first = await boot({ dataDir });
    await createEvent(first.s, { title: 'Review', start_time: '2026-03-10T10:00:00', reminder_minutes: 20 });
    await createTodo(first.s, { title: 'Send invoice', due_date: '2026-03-10T09:30:00' });
    first.at('2026-03-10T09:45');
    await first.tick('reminders');
    first.at('2026-03-10T10:30'); // the invoice todo is overdue since 09:30, notified from 10:30
    await first.tick('overdue');
    expect(first.notes().map((n) => n.kind)).toEqual(['reminder', 'reminder', 'overdue']);
    expect(expo.messages).toHaveLength(3);
    await first.s.close();
    open.splice(open.indexOf(first.s), 1);

    // Back a minute later (the reminder window of the event is still open), then later still.
    const second = await boot({ dataDir, now: '2026-03-10T00:46:00Z' });
    for (const job of ['reminders', 'overdue', 'outbox']) await second.tick(job);
    second.at('2026-03-10T11:00');
    for (const job of ['reminders', 'overdue', 'outbox']) await second.tick(job);
    expect(second.notes()).toEqual([]);
    expect(expo.messages).toHaveLength(3);
  });

  it('an event created inside its own reminder window is reminded at once (running scheduler)', async () => {
    // No briefing: at 09:00 the start-up tick would send one of its own.
    const h = await boot({
      env: { ENABLE_SCHEDULER: 'true', ENABLE_BRIEFING: 'false', REMINDER_CHECK_INTERVAL: '3600' },
    });
    // Let the start-up ticks finish, so only the creation can trigger the reminder.
    await new Promise((r) => setTimeout(r, 100));
    const evt = await createEvent(h.s, {
      title: 'Soon',
      start_time: '2026-03-10T09:05:00',
      reminder_minutes: 10,
    });
    const deadline = Date.now() + 3000;
    while (h.notes().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(h.notes().map((n) => [n.item_id, n.body])).toEqual([[evt.id, 'In 5 minutes, at 09:05']]);
  });
});

describe('due-time reminders', () => {
  it('reminds a timed todo at its due time once; rescheduling re-arms it; bare dates get none', async () => {
    const h = sharedHarness();
    const todo = await createTodo(h.s, { title: 'Call the bank', due_date: '2026-03-20T14:00:00' });
    await createTodo(h.s, { title: 'Bare date', due_date: '2026-03-20' });

    h.at('2026-03-20T13:59');
    await h.tick('reminders');
    expect(h.notes()).toEqual([]);
    h.at('2026-03-20T14:00');
    expect(await h.tick('reminders')).toEqual({ events: 0, todos: 1 });
    h.at('2026-03-20T14:01');
    await h.tick('reminders');
    expect(h.notes().map((n) => [n.title, n.body, n.item_id, n.action])).toEqual([
      ['Call the bank', 'Due now (14:00)', todo.id, 'open_item'],
    ]);

    expect(
      (await h.s.request('PATCH', `/api/todos/${todo.id}`, { due_date: '2026-03-20T16:00:00' })).status,
    ).toBe(200);
    h.at('2026-03-20T16:00');
    await h.tick('reminders');
    h.at('2026-03-20T16:01');
    await h.tick('reminders');
    expect(h.notes()).toHaveLength(2);
    expect(h.notes()[1]!.body).toBe('Due now (16:00)');

    // Completed todos are not reminded.
    const done = await createTodo(h.s, { title: 'Done already', due_date: '2026-03-20T17:00:00' });
    await h.s.request('PATCH', `/api/todos/${done.id}`, { status: 'completed' });
    h.at('2026-03-20T17:00');
    await h.tick('reminders');
    h.at('2026-03-21T00:00');
    await h.tick('reminders');
    expect(h.notes()).toHaveLength(2);
  });
});

describe('overdue', () => {
  it('once per (todo, due date), an hour after a timed due and at the next local day for a bare date', async () => {
    const h = await boot();
    const timed = await createTodo(h.s, { title: 'Pay rent', due_date: '2026-03-10T14:00:00' });
    const bare = await createTodo(h.s, { title: 'Water plants', due_date: '2026-03-10' });

    h.at('2026-03-10T14:59');
    await h.tick('overdue');
    expect(h.notes()).toEqual([]);
    h.at('2026-03-10T15:00');
    expect(await h.tick('overdue')).toBe(1);
    h.at('2026-03-10T23:59');
    await h.tick('overdue');
    expect(h.notes().map((n) => [n.title, n.body, n.item_id])).toEqual([
      ['Overdue: Pay rent', 'Was due 14:00', timed.id],
    ]);

    h.at('2026-03-11T00:00');
    await h.tick('overdue');
    h.at('2026-03-12T00:00'); // never repeated daily
    await h.tick('overdue');
    expect(h.notes().map((n) => [n.title, n.body, n.item_id, n.action])).toEqual([
      ['Overdue: Pay rent', 'Was due 14:00', timed.id, 'open_item'],
      ['Overdue: Water plants', 'Was due yesterday', bare.id, 'open_item'],
    ]);

    // A new due date is a new (todo, due date): notified again when that one is missed.
    await h.s.request('PATCH', `/api/todos/${timed.id}`, { due_date: '2026-03-12T09:00:00' });
    h.at('2026-03-12T10:00');
    await h.tick('overdue');
    expect(h.notes()).toHaveLength(3);
    expect(h.notes()[2]!.title).toBe('Overdue: Pay rent');
  });

  it('after downtime, several overdue items are ONE summary, sent once', async () => {
    const h = await boot();
    const a = await createTodo(h.s, { title: 'Report', due_date: '2026-03-10T10:00:00' });
    const b = await createTodo(h.s, { title: 'Invoice', due_date: '2026-03-10T12:00:00' });
    const c = await createTodo(h.s, { title: 'Groceries', due_date: '2026-03-10' });
    const done = await createTodo(h.s, { title: 'Finished', due_date: '2026-03-10T11:00:00' });
    await h.s.request('PATCH', `/api/todos/${done.id}`, { status: 'completed' });

    // The server was down from 09:00 on the 10th until the 11th at 08:00.
    h.at('2026-03-11T08:00');
    expect(await h.tick('overdue')).toBe(3);
    h.at('2026-03-11T09:00');
    await h.tick('overdue');
    h.at('2026-03-12T09:00');
    await h.tick('overdue');

    expect(h.notes()).toEqual([
      expect.objectContaining({
        kind: 'overdue',
        title: '3 tasks are overdue',
        body: 'Report, Invoice, Groceries',
        item_id: null,
        action: 'open_today',
      }),
    ]);
    expect(expo.messages).toHaveLength(1);
    const list = (await h.s.request('GET', '/api/notifications')).json;
    expect(list.total).toBe(1);
    expect([a.id, b.id, c.id]).toHaveLength(3);
  });
});

describe('scheduler', () => {
  it('ENABLE_SCHEDULER=true ticks every job at start (the catch-up) and stops on close', async () => {
    const dataDir = makeTempDir();
    const before = await boot({ dataDir });
    await createTodo(before.s, { title: 'Late', due_date: '2026-03-09T08:00:00' });
    await before.s.close();
    open.pop();

    // Back at 09:00: the overdue notice and the 08:00 briefing were missed; no tick by hand.
    const h = await boot({ dataDir, env: { ENABLE_SCHEDULER: 'true', REMINDER_CHECK_INTERVAL: '3600' } });
    expect(h.s.built.services.scheduler.running).toBe(true);
    let kinds: string[] = [];
    const deadline = Date.now() + 5000;
    while (kinds.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      kinds = (await h.s.request('GET', '/api/notifications')).json.items.map((n: any) => n.kind);
    }
    expect(kinds.sort()).toEqual(['briefing', 'overdue']);
    await h.s.close();
    open.pop();
    expect(h.s.built.services.scheduler.running).toBe(false);
  });
});
