/**
 * Due-time reminders, overdue notices and the scheduler itself against the real server: ticks
 * driven by hand with the ManualClock, pushes in the fake Expo server, frames read from the hub.
 */
import { describe, expect, it } from 'vitest';
import { created } from '../../test/helpers/factories.js';
import { tickAt } from '../../test/helpers/job-ticks.js';
import { useJobServers } from '../../test/helpers/jobs.js';
import { makeTempDir, type TestServer } from '../../test/helpers/server.js';

const { boot, sharedHarness, pushes } = useJobServers();
const createTodo = (s: TestServer, body: Record<string, unknown>) =>
  created<{ id: string; due_date: string }>(s, '/api/todos', body);

describe('due-time reminders', () => {
  it('reminds a timed todo at its due time once; rescheduling re-arms it; bare dates get none', async () => {
    const h = sharedHarness();
    const todo = await createTodo(h.s, { title: 'Call the bank', due_date: '2026-03-20T14:00:00' });
    await createTodo(h.s, { title: 'Bare date', due_date: '2026-03-20' });

    await tickAt(h, 'reminders', '2026-03-20T13:59');
    expect(h.notes()).toEqual([]);
    expect(await tickAt(h, 'reminders', '2026-03-20T14:00')).toEqual({ events: 0, todos: 1 });
    await tickAt(h, 'reminders', '2026-03-20T14:01');
    expect(h.notes().map((n) => [n.title, n.body, n.item_id, n.action])).toEqual([
      ['Call the bank', 'Due now (14:00)', todo.id, 'open_item'],
    ]);

    expect(
      (await h.s.request('PATCH', `/api/todos/${todo.id}`, { due_date: '2026-03-20T16:00:00' })).status,
    ).toBe(200);
    await tickAt(h, 'reminders', '2026-03-20T16:00', '2026-03-20T16:01');
    expect(h.notes()).toHaveLength(2);
    expect(h.notes()[1]!.body).toBe('Due now (16:00)');

    // Completed todos are not reminded.
    const done = await createTodo(h.s, { title: 'Done already', due_date: '2026-03-20T17:00:00' });
    await h.s.request('PATCH', `/api/todos/${done.id}`, { status: 'completed' });
    await tickAt(h, 'reminders', '2026-03-20T17:00', '2026-03-21T00:00');
    expect(h.notes()).toHaveLength(2);
  });
});

describe('overdue', () => {
  it('once per (todo, due date), an hour after a timed due and at the next local day for a bare date', async () => {
    const h = await boot();
    const timed = await createTodo(h.s, { title: 'Pay rent', due_date: '2026-03-10T14:00:00' });
    const bare = await createTodo(h.s, { title: 'Water plants', due_date: '2026-03-10' });

    await tickAt(h, 'overdue', '2026-03-10T14:59');
    expect(h.notes()).toEqual([]);
    expect(await tickAt(h, 'overdue', '2026-03-10T15:00')).toBe(1);
    await tickAt(h, 'overdue', '2026-03-10T23:59');
    expect(h.notes().map((n) => [n.title, n.body, n.item_id])).toEqual([
      ['Overdue: Pay rent', 'Was due 14:00', timed.id],
    ]);

    // The bare date at the next local day; the timed one never repeated daily.
    await tickAt(h, 'overdue', '2026-03-11T00:00', '2026-03-12T00:00');
    expect(h.notes().map((n) => [n.title, n.body, n.item_id, n.action])).toEqual([
      ['Overdue: Pay rent', 'Was due 14:00', timed.id, 'open_item'],
      ['Overdue: Water plants', 'Was due yesterday', bare.id, 'open_item'],
    ]);

    // A new due date is a new (todo, due date): notified again when that one is missed.
    await h.s.request('PATCH', `/api/todos/${timed.id}`, { due_date: '2026-03-12T09:00:00' });
    await tickAt(h, 'overdue', '2026-03-12T10:00');
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
    expect(await tickAt(h, 'overdue', '2026-03-11T08:00')).toBe(3);
    await tickAt(h, 'overdue', '2026-03-11T09:00', '2026-03-12T09:00');

    expect(h.notes()).toEqual([
      expect.objectContaining({
        kind: 'overdue',
        title: '3 tasks are overdue',
        body: 'Report, Invoice, Groceries',
        item_id: null,
        action: 'open_today',
      }),
    ]);
    expect(pushes()).toHaveLength(1);
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
    await before.stop();

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
    await h.stop();
    expect(h.s.built.services.scheduler.running).toBe(false);
  });
});
