/** `GET /api/tags` (COMPAT.md "Todos"): every tag of todos, events and memos, sorted, each once. */
import { describe, expect, it } from 'vitest';
import { migrateTo, oldItem, oldTodo } from '../../../test/helpers/legacy-rows.js';
import { unmigratedPostgres, unmigratedSqlite } from '../../../test/helpers/old-databases.js';
import { startTestServer, useTestServer, type TestServer } from '../../../test/helpers/server.js';
import { missingServices } from '../../../test/helpers/services.js';
import type { Database } from '../../db/database.js';

const s = useTestServer({ now: '2026-03-10T01:00:00Z' });

describe('GET /api/tags', () => {
  it('answers [] before anything is tagged', async () => {
    await s.request('POST', '/api/todos', { title: 'untagged' });
    const res = await s.request('GET', '/api/tags');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ tags: [] });
  });

  it('merges the tags of todos, events and memos, sorted, without duplicates', async () => {
    await s.request('POST', '/api/todos', { title: 't1', tags: ['work', '#Urgent'] });
    await s.request('POST', '/api/todos', { title: 't2', tags: ['work', 'home'] });
    await s.request('POST', '/api/events', {
      title: 'e',
      start_time: '2026-03-11T10:00:00Z',
      tags: ['home', 'Travel'],
    });
    await s.request('POST', '/api/memos', { content: 'm', tags: ['ideas', '회의', 'a b'] });
    expect((await s.request('GET', '/api/tags')).json).toEqual({
      tags: ['a b', 'home', 'ideas', 'travel', 'urgent', 'work', '회의'],
    });
  });

  it('follows changes and deletions', async () => {
    const memo = (await s.request('POST', '/api/memos', { content: 'zz', tags: ['zebra'] })).json;
    expect((await s.request('GET', '/api/tags')).json.tags).toContain('zebra');
    await s.request('PATCH', `/api/memos/${memo.id}`, { tags: ['yak'] });
    let tags = (await s.request('GET', '/api/tags')).json.tags;
    expect(tags).toContain('yak');
    expect(tags).not.toContain('zebra');
    await s.request('DELETE', `/api/memos/${memo.id}`);
    tags = (await s.request('GET', '/api/tags')).json.tags;
    expect(tags).not.toContain('yak');
  });

  it('follows bulk changes and subtasks deleted with their parent', async () => {
    const parent = (await s.request('POST', '/api/todos', { title: 'p', tags: ['alpha'] })).json;
    await s.request('POST', '/api/todos', { title: 'c', parent_id: parent.id, tags: ['beta', 'alpha'] });
    const other = (await s.request('POST', '/api/todos', { title: 'o', tags: ['gamma'] })).json;
    expect((await s.request('GET', '/api/tags')).json.tags).toEqual(
      expect.arrayContaining(['alpha', 'beta', 'gamma']),
    );
    await s.request('PATCH', '/api/todos/bulk', { ids: [other.id], tags: ['delta'] });
    await s.request('DELETE', `/api/todos/${parent.id}`);
    const tags = (await s.request('GET', '/api/tags')).json.tags;
    expect(tags).toContain('delta');
    for (const gone of ['alpha', 'beta', 'gamma']) expect(tags).not.toContain(gone);
  });

  it('needs a token', async () => {
    const res = await s.request('GET', '/api/tags', undefined, { authorization: '' });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('UNAUTHORIZED');
  });
});

/** Items written before migration 0011 are counted when it runs. */
async function taggedBeforeTheCounts(database: Database): Promise<void> {
  await migrateTo(database.db, database.dialect, '0008_quiet_streaming');
  const at = '2026-01-05T00:00:00.000Z';
  await database.db
    .insertInto('todos')
    .values([
      oldTodo(at, { id: 'todo_a', title: 'a', tags: '["legacy","shared"]' }),
      oldTodo(at, { id: 'todo_b', title: 'b', tags: '["shared"]' }),
    ] as never)
    .execute();
  await database.db
    .insertInto('memos')
    .values({ id: 'memo_a', title: 'm', content: 'm', tags: '["메모"]', ...oldItem(at) })
    .execute();
}

async function expectCounted(server: TestServer): Promise<void> {
  expect((await server.request('GET', '/api/tags')).json).toEqual({ tags: ['legacy', 'shared', '메모'] });
  // Still counted per item: one of the two todos with `shared` goes, the tag stays.
  await server.request('DELETE', '/api/todos/todo_b');
  expect((await server.request('GET', '/api/tags')).json.tags).toContain('shared');
  await server.request('DELETE', '/api/todos/todo_a');
  expect((await server.request('GET', '/api/tags')).json).toEqual({ tags: ['메모'] });
}

const missing = await missingServices(['postgres'], 'tag counts on PostgreSQL');

describe('migration 0011 counts existing tags', () => {
  it('on SQLite', async () => {
    const { dataDir, old } = await unmigratedSqlite();
    await taggedBeforeTheCounts(old);
    await old.close();
    const server = await startTestServer({ dataDir, database: 'sqlite' });
    try {
      await expectCounted(server);
    } finally {
      await server.close();
    }
  });

  it.skipIf(missing !== null)('on PostgreSQL', async () => {
    const { fresh, old } = await unmigratedPostgres();
    await taggedBeforeTheCounts(old);
    await old.close();
    const server = await startTestServer({ env: { DATABASE_URL: fresh.url } });
    try {
      await expectCounted(server);
    } finally {
      await server.close();
      await fresh.drop();
    }
  });
});
