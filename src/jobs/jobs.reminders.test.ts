/**
 * Event reminders against the real server: ticks driven by hand with the ManualClock, pushes
 * in the fake Expo server, socket frames read from the hub; and what one tick may cost.
 */
import { describe, expect, it } from 'vitest';
import { created } from '../../test/helpers/factories.js';
import { tickAt } from '../../test/helpers/job-ticks.js';
import { PUSH_TOKEN, useJobServers, type Harness } from '../../test/helpers/jobs.js';
import { makeTempDir, type TestServer } from '../../test/helpers/server.js';
import { expansionTotals } from '../modules/events/recurrence.js';

const { boot, sharedHarness, pushes } = useJobServers();
const createEvent = (s: TestServer, body: Record<string, unknown>) =>
  created<{ id: string; start_time: string }>(s, '/api/events', body);
const createTodo = (s: TestServer, body: Record<string, unknown>) =>
  created<{ id: string; due_date: string }>(s, '/api/todos', body);

describe('reminder ticks stay cheap', () => {
  /** A recurring event from `start_time` (a Seoul wall time), reminded `reminder_minutes` ahead if given. */
  const series = (h: Harness, title: string, start_time: string, rule: string, reminder_minutes?: number) =>
    createEvent(h.s, { title, start_time, recurrence_rule: rule, reminder_minutes });

  it('a tick that finds nothing changed expands nothing; a write re-expands only its series', async () => {
    const h = await boot({ now: '2026-04-01T00:00:00Z' });
    await series(h, 'Dense', '2026-04-01T09:00:00', 'FREQ=HOURLY;BYMINUTE=0,15,30,45', 5);
    const daily = await series(h, 'Daily', '2026-04-01T08:00:00', 'FREQ=DAILY', 60);
    await series(h, 'Quiet', '2026-04-01T07:00:00', 'FREQ=DAILY');

    const expansions = () => expansionTotals().expansions;
    let before = expansions();
    await tickAt(h, 'reminders', '2026-04-01T10:00');
    // The two series with a reminder, once each; the one without is never expanded.
    expect(expansions() - before).toBe(2);

    before = expansions();
    for (let minute = 1; minute <= 30; minute++)
      await tickAt(h, 'reminders', `2026-04-01T10:${String(minute).padStart(2, '0')}`);
    expect(expansions()).toBe(before);
    // ...and still reminds on time: 10:15 at 10:10, 10:30 at 10:25.
    expect(h.notes().map((n) => [n.title, n.body])).toEqual([
      ['Dense', 'In 5 minutes, at 10:15'],
      ['Dense', 'In 5 minutes, at 10:30'],
    ]);

    // Writes that touch no series expand nothing; a write to one series re-expands that one.
    await createEvent(h.s, { title: 'One-off', start_time: '2026-04-01T12:00:00', reminder_minutes: 10 });
    await createTodo(h.s, { title: 'Todo', due_date: '2026-04-01T12:00:00' });
    await tickAt(h, 'reminders', '2026-04-01T10:31');
    expect(expansions()).toBe(before);
    expect((await h.s.request('PATCH', `/api/events/${daily.id}`, { title: 'Daily walk' })).status).toBe(200);
    await tickAt(h, 'reminders', '2026-04-01T10:32');
    expect(expansions()).toBe(before + 1);
  });

  it('a clock set back finds the occurrences ahead of it again', async () => {
    const h = await boot({ now: '2026-04-01T00:00:00Z' });
    await series(h, 'Every half hour', '2026-04-01T09:00:00', 'FREQ=HOURLY;BYMINUTE=0,30', 10);
    // The clock goes back (an operator fixing it): what lies ahead of it again is found again.
    await tickAt(h, 'reminders', '2026-04-01T12:20', '2026-04-01T10:50');
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

    expect(await tickAt(h, 'reminders', '2026-03-10T09:44')).toEqual({ events: 0, todos: 0 });
    expect(h.notes()).toEqual([]);

    expect(await tickAt(h, 'reminders', '2026-03-10T09:45')).toEqual({ events: 1, todos: 0 });
    await tickAt(h, 'reminders', '2026-03-10T09:46', '2026-03-10T09:59');

    expect(h.notes()).toHaveLength(1);
    expect(h.notes()[0]).toMatchObject({
      title: 'Dentist',
      body: 'In 15 minutes, at 10:00 · Gangnam',
      kind: 'reminder',
      conversation_id: null,
      action: 'open_item',
      item_id: evt.id,
    });
    expect(pushes()).toHaveLength(1);
    expect(pushes()[0]).toMatchObject({
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
    await tickAt(h, 'reminders', '2026-03-11T12:30');
    expect(h.notes().map((n) => [n.title, n.body])).toEqual([['At start', 'Starting now, at 11:00']]);
  });

  it('a reminder whose moment passed during downtime is sent once, if the event has not started', async () => {
    const h = sharedHarness();
    await createEvent(h.s, { title: 'Standup', start_time: '2026-03-12T10:00:00', reminder_minutes: 30 });
    // The reminder was due at 09:30; the server comes back at 09:50.
    await tickAt(h, 'reminders', '2026-03-12T09:50', '2026-03-12T09:51');
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
    for (const day of ['13', '14', '15', '16'])
      await tickAt(h, 'reminders', ...['17:49', '17:50', '17:55'].map((time) => `2026-03-${day}T${time}`));
    expect(h.notes()).toHaveLength(3);
    expect(h.notes().every((n) => n.item_id === evt.id && n.title === 'Gym')).toBe(true);
    expect(pushes()).toHaveLength(3);
  });

  it('moving an event re-arms its reminder', async () => {
    const h = sharedHarness();
    const evt = await createEvent(h.s, {
      title: 'Call',
      start_time: '2026-03-18T10:00:00',
      reminder_minutes: 5,
    });
    await tickAt(h, 'reminders', '2026-03-18T09:55');
    expect(
      (await h.s.request('PATCH', `/api/events/${evt.id}`, { start_time: '2026-03-18T11:00:00' })).status,
    ).toBe(200);
    await tickAt(h, 'reminders', '2026-03-18T10:30', '2026-03-18T10:55');
    expect(h.notes().map((n) => n.body)).toEqual(['In 5 minutes, at 10:00', 'In 5 minutes, at 11:00']);
  });

  it('nothing is sent again after a restart', async () => {
    const dataDir = makeTempDir();
    const first = await boot({ dataDir });
    await createEvent(first.s, { title: 'Review', start_time: '2026-03-10T10:00:00', reminder_minutes: 20 });
    await createTodo(first.s, { title: 'Send invoice', due_date: '2026-03-10T09:30:00' });
    await tickAt(first, 'reminders', '2026-03-10T09:45');
    // The invoice todo is overdue since 09:30, notified from 10:30.
    await tickAt(first, 'overdue', '2026-03-10T10:30');
    expect(first.notes().map((n) => n.kind)).toEqual(['reminder', 'reminder', 'overdue']);
    expect(pushes()).toHaveLength(3);
    await first.stop();

    // Back a minute later (the reminder window of the event is still open), then later still.
    const second = await boot({ dataDir, now: '2026-03-10T00:46:00Z' });
    for (const job of ['reminders', 'overdue', 'outbox']) await second.tick(job);
    second.at('2026-03-10T11:00');
    for (const job of ['reminders', 'overdue', 'outbox']) await second.tick(job);
    expect(second.notes()).toEqual([]);
    expect(pushes()).toHaveLength(3);
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
