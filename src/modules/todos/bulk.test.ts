/**
 * `PATCH /api/todos/bulk` (COMPAT.md "Todos"): one change to up to 500 todos or their
 * deletion, in one transaction, unknown ids reported, every change published like a single one.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../db/database.js';
import { connectWs, type WsClient } from '../../../test/helpers/ws.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';

let s: TestServer;
let ws: WsClient;
beforeAll(async () => {
  s = await startTestServer({ timezone: 'Asia/Seoul', now: '2026-03-10T01:00:00Z' });
  ws = await connectWs(s);
});
afterAll(async () => {
  await ws.close();
  await s.close();
});

async function todo(body: Record<string, unknown>): Promise<any> {
  const res = await s.request('POST', '/api/todos', body);
  expect(res.status, res.text).toBe(201);
  return res.json;
}

/** The module_data_changed frames `act` causes. */
async function changes(act: () => Promise<unknown>): Promise<Array<{ action: string; id: string }>> {
  await ws.settle();
  const before = ws.frames.length;
  await act();
  await ws.settle();
  return ws.frames
    .slice(before)
    .filter((f) => f.type === 'module_data_changed')
    .map((f) => ({ action: f.data.action, id: f.data.id }));
}

describe('PATCH /api/todos/bulk', () => {
  it('changes status, priority and tags of every known todo and reports the unknown ones', async () => {
    const a = await todo({ title: 'a', tags: ['old'] });
    const b = await todo({ title: 'b', status: 'completed' });
    s.clock.advance(60_000);
    const now = s.clock.now().toISOString();
    let res: any;
    const seen = await changes(async () => {
      res = await s.request('PATCH', '/api/todos/bulk', {
        ids: [a.id, 'todo_missing', b.id, a.id],
        status: 'completed',
        priority: 'urgent',
        tags: ['#Work', 'work', 'Home'],
      });
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ updated: 2, deleted: 0, errors: ['Todo todo_missing not found'] });
    expect(seen).toEqual([
      { action: 'updated', id: a.id },
      { action: 'updated', id: b.id },
    ]);
    const gotA = (await s.request('GET', `/api/todos/${a.id}`)).json;
    expect(gotA).toMatchObject({
      status: 'completed',
      completed_at: now,
      priority: 'urgent',
      tags: ['work', 'home'],
      updated_at: now,
    });
    // Already completed: completed_at is kept, as a single PATCH keeps it.
    const gotB = (await s.request('GET', `/api/todos/${b.id}`)).json;
    expect(gotB.completed_at).toBe(b.completed_at);
    // Priority sorts by its rank afterwards, so the rank changed with it.
    const urgent = (await s.request('GET', '/api/todos?sort=priority&limit=2')).json.items.map(
      (t: any) => t.id,
    );
    expect(urgent.sort()).toEqual([a.id, b.id].sort());

    const reopened = await s.request('PATCH', '/api/todos/bulk', { ids: [a.id], status: 'pending' });
    expect(reopened.json).toEqual({ updated: 1, deleted: 0, errors: [] });
    expect((await s.request('GET', `/api/todos/${a.id}`)).json).toMatchObject({
      status: 'pending',
      completed_at: null,
    });
  });

  it('deletes the todos with their subtasks, publishing each deletion', async () => {
    const p = await todo({ title: 'p' });
    const kid = await todo({ title: 'kid', parent_id: p.id });
    const grandkid = await todo({ title: 'grandkid', parent_id: kid.id });
    const other = await todo({ title: 'other' });
    const keep = await todo({ title: 'keep' });
    let res: any;
    const seen = await changes(async () => {
      // The parent and its own subtask both asked for: each counted once.
      res = await s.request('PATCH', '/api/todos/bulk', {
        ids: [kid.id, p.id, other.id, 'todo_gone'],
        delete: true,
        status: 'completed',
      });
    });
    expect(res.json).toEqual({ updated: 0, deleted: 3, errors: ['Todo todo_gone not found'] });
    expect(seen.every((c) => c.action === 'deleted')).toBe(true);
    expect(seen.map((c) => c.id).sort()).toEqual([p.id, kid.id, grandkid.id, other.id].sort());
    for (const t of [p, kid, grandkid, other])
      expect((await s.request('GET', `/api/todos/${t.id}`)).status).toBe(404);
    expect((await s.request('GET', `/api/todos/${keep.id}`)).json.status).toBe('pending');
  });

  it('with nothing to change updates nothing and publishes nothing', async () => {
    const t = await todo({ title: 'untouched' });
    s.clock.advance(1000);
    let res: any;
    const seen = await changes(async () => {
      res = await s.request('PATCH', '/api/todos/bulk', { ids: [t.id], delete: false });
    });
    expect(res.json).toEqual({ updated: 0, deleted: 0, errors: [] });
    expect(seen).toEqual([]);
    expect((await s.request('GET', `/api/todos/${t.id}`)).json.updated_at).toBe(t.updated_at);
  });

  it('handles 500 ids at once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 40; i++) made.push((await todo({ title: `many ${i}` })).id);
    const ids = [...made, ...Array.from({ length: 460 }, (_, i) => `todo_none_${i}`)];
    const res = await s.request('PATCH', '/api/todos/bulk', { ids, priority: 'high' });
    expect(res.json.updated).toBe(40);
    expect(res.json.errors).toHaveLength(460);
    expect(res.json.errors[0]).toBe('Todo todo_none_0 not found');
    const high = await s.request('GET', '/api/todos?priority=high&q=many&limit=100');
    expect(high.json.total).toBe(40);
  });

  it('deleting the same todos from several requests at once counts each todo once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await todo({ title: `raced ${i}` })).id);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => s.request('PATCH', '/api/todos/bulk', { ids, delete: true })),
    );
    for (const a of answers) {
      expect(a.status).toBe(200);
      // Every id is either deleted by this request or reported as not found by it.
      expect(a.json.deleted + a.json.errors.length).toBe(ids.length);
    }
    expect(answers.reduce((n, a) => n + (a.json.deleted as number), 0)).toBe(ids.length);
    for (const id of ids) expect((await s.request('GET', `/api/todos/${id}`)).status).toBe(404);
  });

  it('validates the body; the route is not taken for a todo id', async () => {
    const t = await todo({ title: 'x' });
    for (const body of [
      {},
      { ids: [] },
      { ids: Array.from({ length: 501 }, (_, i) => `todo_${i}`) },
      { ids: 'todo_x' },
      { ids: [t.id], status: 'done' },
      { ids: [t.id], priority: 'top' },
      { ids: [t.id], tags: 'a' },
      { ids: [t.id], delete: 'yes' },
    ]) {
      const res = await s.request('PATCH', '/api/todos/bulk', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    }
    // `bulk` is no todo id for the other methods either.
    expect((await s.request('GET', '/api/todos/bulk')).status).toBe(404);
    expect((await s.request('GET', `/api/todos/${t.id}`)).json.status).toBe('pending');
  });

  it('is one transaction: a failure part-way leaves every todo as it was', async () => {
    const p = await todo({ title: 'atomic parent' });
    const kid = await todo({ title: 'atomic kid', parent_id: p.id });
    // The database refuses to delete the parent, after the kid (deleted first) is gone.
    const side = await createDatabase(s.config.database, { migrate: false });
    try {
      if (side.dialect === 'sqlite')
        await sql
          .raw(
            `create trigger refuse_delete before delete on todos when old.id = '${p.id}'
                begin select raise(abort, 'refused'); end`,
          )
          .execute(side.db);
      else {
        await sql
          .raw(
            `create function refuse_delete() returns trigger language plpgsql as
                $$ begin raise exception 'refused'; end $$`,
          )
          .execute(side.db);
        await sql
          .raw(
            `create trigger refuse_delete before delete on todos for each row
                when (old.id = '${p.id}') execute function refuse_delete()`,
          )
          .execute(side.db);
      }
      const res = await s.request('PATCH', '/api/todos/bulk', { ids: [p.id], delete: true });
      expect(res.status).toBe(500);
      expect(res.json.error.code).toBe('INTERNAL_ERROR');
      expect((await s.request('GET', `/api/todos/${kid.id}`)).status).toBe(200);
      await sql
        .raw('drop trigger refuse_delete' + (side.dialect === 'sqlite' ? '' : ' on todos'))
        .execute(side.db);
    } finally {
      await side.close();
    }
    expect((await s.request('PATCH', '/api/todos/bulk', { ids: [p.id], delete: true })).json.deleted).toBe(1);
    expect((await s.request('GET', `/api/todos/${kid.id}`)).status).toBe(404);
  });
});
