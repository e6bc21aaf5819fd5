/** `GET /api/tags` (COMPAT.md "Todos"): every tag of todos, events and memos, sorted, each once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ now: '2026-03-10T01:00:00Z' });
});
afterAll(async () => {
  await s.close();
});

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

  it('needs a token', async () => {
    const res = await s.request('GET', '/api/tags', undefined, { authorization: '' });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('UNAUTHORIZED');
  });
});
