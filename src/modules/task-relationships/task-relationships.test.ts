/**
 * Task relationships (COMPAT.md "Todos"): typed links between two todos, listed for either
 * end, unique per (source, target, type), removed with either todo.
 */
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../../test/helpers/server.js';
import { connectWs } from '../../../test/helpers/ws.js';

const s = useTestServer({ now: '2026-03-10T01:00:00Z' });

const todo = async (title: string): Promise<string> =>
  (await s.request('POST', '/api/todos', { title })).json.id;
const link = (source: string, target: string, type: string) =>
  s.request('POST', '/api/task-relationships', {
    source_todo_id: source,
    target_todo_id: target,
    relationship_type: type,
  });

describe('task relationships', () => {
  it('creates each type, lists a todo as source or target, oldest first', async () => {
    const [a, b, c] = [await todo('a'), await todo('b'), await todo('c')];
    const made = [];
    for (const [src, dst, type] of [
      [a, b, 'blocks'],
      [c, a, 'blocked_by'],
      [a, c, 'related'],
      [b, c, 'duplicate_of'],
    ] as const) {
      s.clock.advance(1000);
      const res = await link(src, dst, type);
      expect(res.status, res.text).toBe(201);
      expect(res.json).toEqual({
        id: expect.stringMatching(/^trel_/),
        source_todo_id: src,
        target_todo_id: dst,
        relationship_type: type,
        created_at: s.clock.now().toISOString(),
      });
      made.push(res.json);
    }
    const ofA = await s.request('GET', `/api/task-relationships?todo_id=${a}`);
    expect(ofA.status).toBe(200);
    expect(ofA.json).toEqual([made[0], made[1], made[2]]);
    expect((await s.request('GET', `/api/task-relationships?todo_id=${b}`)).json).toEqual([made[0], made[3]]);
    const lone = await todo('lone');
    expect((await s.request('GET', `/api/task-relationships?todo_id=${lone}`)).json).toEqual([]);
  });

  it('refuses self-links and unknown types (422), unknown todos (404), duplicates (409)', async () => {
    const [a, b] = [await todo('x'), await todo('y')];
    const self = await link(a, a, 'related');
    expect(self.status).toBe(422);
    expect(self.json.error.code).toBe('UNPROCESSABLE');
    const badType = await link(a, b, 'parent_of');
    expect(badType.status).toBe(422);
    expect(badType.json.error).toMatchObject({
      code: 'UNPROCESSABLE',
      details: { field: 'relationship_type' },
    });
    expect((await link(a, 'todo_nope', 'blocks')).status).toBe(404);
    expect((await link('todo_nope', b, 'blocks')).json.error.code).toBe('NOT_FOUND');
    expect((await link(a, b, 'blocks')).status).toBe(201);
    const dup = await link(a, b, 'blocks');
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('CONFLICT');
    // Another type, or the other direction, is another link.
    expect((await link(a, b, 'related')).status).toBe(201);
    expect((await link(b, a, 'blocks')).status).toBe(201);
    expect((await s.request('GET', `/api/task-relationships?todo_id=${a}`)).json).toHaveLength(3);
    // Malformed requests are 400s.
    for (const body of [
      {},
      { source_todo_id: a, target_todo_id: b },
      { source_todo_id: a, target_todo_id: 5, relationship_type: 'blocks' },
    ])
      expect((await s.request('POST', '/api/task-relationships', body)).status).toBe(400);
    expect((await s.request('GET', '/api/task-relationships')).status).toBe(400);
    expect((await s.request('GET', '/api/task-relationships?todo_id=todo_nope')).status).toBe(404);
  });

  it('deletes a link (204, then 404) and publishes it as a change of both todos', async () => {
    const [a, b] = [await todo('p'), await todo('q')];
    const ws = await connectWs(s);
    try {
      const rel = (await link(a, b, 'blocks')).json;
      await ws.settle();
      const changed = ws.frames.filter((f) => f.type === 'module_data_changed').map((f) => f.data);
      expect(changed).toEqual([
        { module: 'todos', action: 'updated', id: a },
        { module: 'todos', action: 'updated', id: b },
      ]);
      expect((await s.request('DELETE', `/api/task-relationships/${rel.id}`)).status).toBe(204);
      expect((await s.request('DELETE', `/api/task-relationships/${rel.id}`)).status).toBe(404);
      expect((await s.request('GET', `/api/task-relationships?todo_id=${a}`)).json).toEqual([]);
    } finally {
      await ws.close();
    }
  });

  it('deleting a todo removes its links, also through a deleted parent', async () => {
    const [a, b, c] = [await todo('m'), await todo('n'), await todo('o')];
    const sub = (await s.request('POST', '/api/todos', { title: 'sub', parent_id: c })).json.id;
    const ab = (await link(a, b, 'blocks')).json;
    await link(b, sub, 'related');
    expect((await s.request('DELETE', `/api/todos/${a}`)).status).toBe(204);
    expect(
      (await s.request('GET', `/api/task-relationships?todo_id=${b}`)).json.map((r: any) => r.id),
    ).not.toContain(ab.id);
    expect((await s.request('DELETE', `/api/todos/${c}`)).status).toBe(204);
    expect((await s.request('GET', `/api/task-relationships?todo_id=${b}`)).json).toEqual([]);
    // The link can be made again between todos that exist.
    expect((await link(b, await todo('r'), 'blocks')).status).toBe(201);
  });
});
