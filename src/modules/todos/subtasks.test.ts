/**
 * Subtasks and manual order (COMPAT.md "Todos"): `parent_id` at any depth without cycles,
 * `sort_order`, the list's `parent_id` / `root_only` / `order_by` / `order_dir` and its
 * 1000-item pages, and deleting a todo with everything below it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWs, type WsClient } from '../../../test/helpers/ws.js';
import { startTestServer, useTestServer, type TestServer } from '../../../test/helpers/server.js';

const s = useTestServer({ timezone: 'Asia/Seoul', now: '2026-03-10T01:00:00Z' });

async function todo(body: Record<string, unknown>): Promise<any> {
  const res = await s.request('POST', '/api/todos', body);
  expect(res.status, res.text).toBe(201);
  return res.json;
}

describe('parent_id and sort_order', () => {
  it('are in every todo answer, null and 0 unless given', async () => {
    const plain = await todo({ title: 'plain' });
    expect(plain).toMatchObject({ parent_id: null, sort_order: 0 });
    const child = await todo({ title: 'child', parent_id: plain.id, sort_order: 3 });
    expect(child).toMatchObject({ parent_id: plain.id, sort_order: 3 });
    expect((await s.request('GET', `/api/todos/${child.id}`)).json).toEqual(child);
    const listed = (await s.request('GET', `/api/todos?parent_id=${plain.id}`)).json.items;
    expect(listed).toEqual([child]);
  });

  it('PATCH moves a todo, reorders it and makes it a root again with null', async () => {
    const a = await todo({ title: 'a' });
    const b = await todo({ title: 'b' });
    const moved = await s.request('PATCH', `/api/todos/${b.id}`, { parent_id: a.id, sort_order: -5 });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ parent_id: a.id, sort_order: -5 });
    const root = await s.request('PATCH', `/api/todos/${b.id}`, { parent_id: null });
    expect(root.json).toMatchObject({ parent_id: null, sort_order: -5 });
    expect((await s.request('GET', `/api/todos/${b.id}`)).json.parent_id).toBeNull();
  });

  it('refuses cycles at any depth with 422, an unknown parent with 404', async () => {
    const top = await todo({ title: 'top' });
    const mid = await todo({ title: 'mid', parent_id: top.id });
    const leaf = await todo({ title: 'leaf', parent_id: mid.id });
    for (const [id, parent] of [
      [top.id, top.id],
      [top.id, mid.id],
      [top.id, leaf.id],
      [mid.id, leaf.id],
    ]) {
      const res = await s.request('PATCH', `/api/todos/${id}`, { parent_id: parent });
      expect(res.status, `${id} under ${parent}`).toBe(422);
      expect(res.json.error).toMatchObject({ code: 'UNPROCESSABLE', details: { field: 'parent_id' } });
    }
    expect((await s.request('GET', `/api/todos/${top.id}`)).json.parent_id).toBeNull();
    // Moving within the tree in a direction that keeps it a tree is fine.
    expect((await s.request('PATCH', `/api/todos/${leaf.id}`, { parent_id: top.id })).status).toBe(200);

    const unknownCreate = await s.request('POST', '/api/todos', { title: 'orphan', parent_id: 'todo_nope' });
    expect(unknownCreate.status).toBe(404);
    expect(unknownCreate.json.error.code).toBe('NOT_FOUND');
    const unknownPatch = await s.request('PATCH', `/api/todos/${leaf.id}`, { parent_id: 'todo_nope' });
    expect(unknownPatch.status).toBe(404);
  });

  it('two concurrent moves cannot close a loop together', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await todo({ title: `race a ${round}` });
      const b = await todo({ title: `race b ${round}` });
      const [ab, ba] = await Promise.all([
        s.request('PATCH', `/api/todos/${a.id}`, { parent_id: b.id }),
        s.request('PATCH', `/api/todos/${b.id}`, { parent_id: a.id }),
      ]);
      expect([ab.status, ba.status].sort()).toEqual([200, 422]);
      const parents = [
        (await s.request('GET', `/api/todos/${a.id}`)).json.parent_id,
        (await s.request('GET', `/api/todos/${b.id}`)).json.parent_id,
      ];
      expect(parents.filter((p) => p !== null)).toHaveLength(1);
    }
  });

  it('validates sort_order and parent_id types', async () => {
    for (const body of [
      { sort_order: 1.5 },
      { sort_order: '1' },
      { sort_order: 2 ** 31 },
      { parent_id: 5 },
      { parent_id: '' },
      { sort_order: null },
    ]) {
      const res = await s.request('POST', '/api/todos', { title: 'x', ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('deleting a todo deletes its subtasks at every depth and publishes each deletion', async () => {
    const ws: WsClient = await connectWs(s);
    try {
      const root = await todo({ title: 'root' });
      const kid = await todo({ title: 'kid', parent_id: root.id });
      const grandkid = await todo({ title: 'grandkid', parent_id: kid.id });
      const great = await todo({ title: 'great', parent_id: grandkid.id });
      const sibling = await todo({ title: 'sibling' });
      await ws.settle();
      const before = ws.frames.length;
      expect((await s.request('DELETE', `/api/todos/${root.id}`)).status).toBe(204);
      for (const t of [root, kid, grandkid, great])
        expect((await s.request('GET', `/api/todos/${t.id}`)).status).toBe(404);
      expect((await s.request('GET', `/api/todos/${sibling.id}`)).status).toBe(200);
      // Gone from search too (its index follows deletes made by the cascade as well).
      expect((await s.request('GET', '/api/search?q=grandkid')).json.total).toBe(0);
      await ws.settle();
      const deleted = ws.frames
        .slice(before)
        .filter((f) => f.type === 'module_data_changed')
        .map((f) => f.data);
      expect(deleted).toEqual(
        [root, kid, grandkid, great].map((t) => ({ module: 'todos', action: 'deleted', id: t.id })),
      );
    } finally {
      await ws.close();
    }
  });

  it('deletes a long chain of subtasks', async () => {
    let parent: string | null = null;
    const chain: string[] = [];
    for (let i = 0; i < 60; i++) {
      const t: any = await todo({ title: `link ${i}`, parent_id: parent });
      chain.push(t.id);
      parent = t.id;
    }
    expect((await s.request('DELETE', `/api/todos/${chain[0]}`)).status).toBe(204);
    expect((await s.request('GET', `/api/todos/${chain[59]}`)).status).toBe(404);
  });
});

describe('the list: parent_id, root_only, order_by, order_dir, limit', () => {
  let fresh: TestServer;
  let parent: any;
  let kids: any[];
  beforeAll(async () => {
    fresh = await startTestServer({ timezone: 'Asia/Seoul', now: '2026-03-10T01:00:00Z' });
    const post = async (body: Record<string, unknown>) => {
      fresh.clock.advance(1000);
      return (await fresh.request('POST', '/api/todos', body)).json;
    };
    parent = await post({ title: 'parent', priority: 'low' });
    kids = [];
    kids.push(
      await post({
        title: 'k2',
        parent_id: parent.id,
        sort_order: 2,
        priority: 'urgent',
        due_date: '2026-03-20',
      }),
    );
    kids.push(await post({ title: 'k0', parent_id: parent.id, sort_order: 0, priority: 'low' }));
    kids.push(
      await post({
        title: 'k1a',
        parent_id: parent.id,
        sort_order: 1,
        priority: 'high',
        due_date: '2026-03-12',
      }),
    );
    kids.push(await post({ title: 'k1b', parent_id: parent.id, sort_order: 1, priority: 'medium' }));
    await post({ title: 'other root', sort_order: -1 });
    await post({ title: 'grandchild', parent_id: kids[0].id });
  });
  afterAll(async () => {
    await fresh.close();
  });
  const titles = async (q: string) =>
    (await fresh.request('GET', `/api/todos${q}`)).json.items.map((t: any) => t.title);

  it('parent_id lists direct subtasks only; root_only lists todos without a parent', async () => {
    expect(await titles(`?parent_id=${parent.id}&order_by=sort_order&order_dir=asc`)).toEqual([
      'k0',
      'k1a',
      'k1b',
      'k2',
    ]);
    const roots = await fresh.request('GET', '/api/todos?root_only=true');
    expect(roots.json.total).toBe(2);
    expect(roots.json.items.map((t: any) => t.title)).toEqual(['parent', 'other root']);
    expect((await fresh.request('GET', '/api/todos?root_only=false')).json.total).toBe(7);
    expect((await fresh.request('GET', '/api/todos?parent_id=todo_unknown')).json).toMatchObject({
      items: [],
      total: 0,
    });
    // Both: a parent's subtasks that have no parent, i.e. none.
    expect((await fresh.request('GET', `/api/todos?parent_id=${parent.id}&root_only=true`)).json.total).toBe(
      0,
    );
    // With the other filters.
    expect(await titles(`?parent_id=${parent.id}&priority=high,urgent&sort=created_at`)).toEqual([
      'k2',
      'k1a',
    ]);
  });

  it('orders by each order_by in both directions, ties by id', async () => {
    const q = `?parent_id=${parent.id}`;
    // sort_order ties (k1a, k1b) follow id, which follows creation, in the order's direction.
    expect(await titles(`${q}&order_by=sort_order&order_dir=desc`)).toEqual(['k2', 'k1b', 'k1a', 'k0']);
    expect(await titles(`${q}&order_by=created_at&order_dir=asc`)).toEqual(['k2', 'k0', 'k1a', 'k1b']);
    expect(await titles(`${q}&order_by=created_at`)).toEqual(['k1b', 'k1a', 'k0', 'k2']); // desc unless given
    expect(await titles(`${q}&order_by=priority&order_dir=asc`)).toEqual(['k2', 'k1a', 'k1b', 'k0']); // urgent first
    expect(await titles(`${q}&order_by=priority&order_dir=desc`)).toEqual(['k0', 'k1b', 'k1a', 'k2']);
    expect(await titles(`${q}&order_by=due_date&order_dir=asc`)).toEqual(['k1a', 'k2', 'k0', 'k1b']); // no due date last
    expect((await titles(`${q}&order_by=due_date&order_dir=desc`)).slice(0, 2)).toEqual(['k2', 'k1a']);
    fresh.clock.advance(1000);
    await fresh.request('PATCH', `/api/todos/${kids[1].id}`, { title: 'k0 edited' });
    expect((await titles(`${q}&order_by=updated_at&order_dir=desc`))[0]).toBe('k0 edited');
    // order_dir alone turns `sort`; order_by wins over sort.
    expect(await titles(`${q}&sort=sort_order&order_dir=asc`)).toEqual(['k0 edited', 'k1a', 'k1b', 'k2']);
    expect(await titles(`${q}&sort=-created_at&order_by=sort_order&order_dir=asc`)).toEqual([
      'k0 edited',
      'k1a',
      'k1b',
      'k2',
    ]);
    // The old `sort` alone is unchanged: ascending unless prefixed.
    expect(await titles(`${q}&sort=created_at`)).toEqual(['k2', 'k0 edited', 'k1a', 'k1b']);
  });

  it('pages in a stable order with equal keys', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++)
      seen.push(
        ...(await titles(`?parent_id=${parent.id}&order_by=sort_order&order_dir=asc&limit=1&page=${page}`)),
      );
    expect(seen).toEqual(['k0 edited', 'k1a', 'k1b', 'k2']);
  });

  it('accepts limit up to 1000 and refuses the rest', async () => {
    const res = await fresh.request('GET', '/api/todos?limit=1000');
    expect(res.status).toBe(200);
    expect(res.json.limit).toBe(1000);
    for (const q of ['?limit=1001', '?order_by=title', '?order_dir=up', '?root_only=maybe', '?parent_id='])
      expect((await fresh.request('GET', `/api/todos${q}`)).status, q).toBe(400);
  });

  it('documents the new fields and parameters in OpenAPI', async () => {
    const doc = (await fresh.request('GET', '/openapi.json')).json;
    const todo = JSON.stringify(doc.components.schemas.Todo ?? doc.components.schemas['def-0'] ?? doc);
    expect(todo).toContain('parent_id');
    expect(todo).toContain('sort_order');
    const params = doc.paths['/api/todos'].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(expect.arrayContaining(['parent_id', 'root_only', 'order_by', 'order_dir']));
    expect(doc.paths['/api/todos'].get.parameters.find((p: any) => p.name === 'limit').schema.maximum).toBe(
      1000,
    );
    expect(doc.paths['/api/todos/bulk'].patch).toBeDefined();
    expect(doc.paths['/api/task-relationships'].post).toBeDefined();
    expect(doc.paths['/api/tags'].get).toBeDefined();
  });
});
