/**
 * The unfiltered list's `total` comes from a trigger-kept count (migration 0014): it must
 * follow every way a todo appears or goes, subtasks deleted with their parent included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await s.request('POST', '/api/todos', body);
  expect(res.status, res.text).toBe(201);
  return (res.json as { id: string }).id;
}

/** The list's total, and what a filter that matches every todo counts (a real count). */
async function totals(): Promise<{ kept: number; counted: number }> {
  const kept = (await s.request('GET', '/api/todos?limit=1')).json.total as number;
  const counted = (
    await s.request('GET', '/api/todos?limit=1&status=pending,in_progress,completed,cancelled')
  ).json.total as number;
  return { kept, counted };
}

describe('the todo list total', () => {
  it('follows creates, deletes, cascaded subtasks and bulk deletes', async () => {
    expect(await totals()).toEqual({ kept: 0, counted: 0 });
    const parent = await create({ title: 'parent' });
    const child = await create({ title: 'child', parent_id: parent });
    await create({ title: 'grandchild', parent_id: child });
    const loose = await Promise.all([1, 2, 3, 4].map((i) => create({ title: `loose ${i}` })));
    expect(await totals()).toEqual({ kept: 7, counted: 7 });

    expect((await s.request('DELETE', `/api/todos/${parent}`)).status).toBe(204);
    expect(await totals()).toEqual({ kept: 4, counted: 4 });

    const bulk = await s.request('PATCH', '/api/todos/bulk', { ids: loose.slice(0, 2), delete: true });
    expect(bulk.json).toMatchObject({ deleted: 2 });
    expect(await totals()).toEqual({ kept: 2, counted: 2 });
  });
});
