import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, useTestServer, type TestServer } from '../../../test/helpers/server.js';

// 10:00 in Seoul on 2026-03-10.
const s = useTestServer({ timezone: 'Asia/Seoul', now: '2026-03-10T01:00:00Z' });

describe('todos CRUD', () => {
  it('creates with defaults and every field, and reads it back', async () => {
    const min = await s.request('POST', '/api/todos', { title: 'buy milk' });
    expect(min.status).toBe(201);
    expect(min.json).toMatchObject({
      title: 'buy milk',
      description: null,
      status: 'pending',
      priority: 'medium',
      due_date: null,
      due_has_time: false,
      completed_at: null,
      tags: [],
      conversation_id: null,
      message_id: null,
    });
    expect(min.json.id).toMatch(/^todo_/);
    expect(min.json.created_at).toMatch(/Z$/);

    const full = await s.request('POST', '/api/todos', {
      title: 'file taxes',
      description: 'before the deadline',
      priority: 'urgent',
      status: 'in_progress',
      due_date: '2026-03-12T15:00:00',
      tags: ['#Money', 'money', ' Home '],
      id: 'ignored',
      created_at: '1999-01-01T00:00:00Z',
      unknown_field: true,
    });
    expect(full.status).toBe(201);
    expect(full.json.id).not.toBe('ignored');
    expect(full.json.created_at).not.toMatch(/^1999/);
    // 15:00 Seoul (UTC+9) is 06:00 UTC.
    expect(full.json.due_date).toBe('2026-03-12T06:00:00.000Z');
    expect(full.json.due_has_time).toBe(true);
    expect(full.json.tags).toEqual(['money', 'home']);

    const got = await s.request('GET', `/api/todos/${full.json.id}`);
    expect(got.json).toEqual(full.json);
  });

  it('reads a bare due date as the end of that local day', async () => {
    const res = await s.request('POST', '/api/todos', { title: 'pay rent', due_date: '2026-03-11' });
    expect(res.json.due_date).toBe('2026-03-11T14:59:59.999Z');
    expect(res.json.due_has_time).toBe(false);
    const withOffset = await s.request('POST', '/api/todos', {
      title: 'x',
      due_date: '2026-03-11T10:00:00+02:00',
    });
    expect(withOffset.json.due_date).toBe('2026-03-11T08:00:00.000Z');
  });

  it('patches: {} changes nothing, null clears, completed_at follows status', async () => {
    const t = (
      await s.request('POST', '/api/todos', { title: 'patch me', due_date: '2026-03-11', description: 'd' })
    ).json;
    const same = await s.request('PATCH', `/api/todos/${t.id}`, {});
    expect(same.status).toBe(200);
    expect(same.json).toEqual(t);

    const cleared = await s.request('PATCH', `/api/todos/${t.id}`, { due_date: null, description: null });
    expect(cleared.json).toMatchObject({ due_date: null, due_has_time: false, description: null });

    const timed = await s.request('PATCH', `/api/todos/${t.id}`, { due_date: '2026-03-11T09:30:00' });
    expect(timed.json).toMatchObject({ due_date: '2026-03-11T00:30:00.000Z', due_has_time: true });

    s.clock.advance(1000);
    const done = await s.request('PATCH', `/api/todos/${t.id}`, { status: 'completed' });
    expect(done.json.completed_at).toBe(s.clock.now().toISOString());
    expect(done.json.updated_at).toBe(s.clock.now().toISOString());
    s.clock.advance(1000);
    const stillDone = await s.request('PATCH', `/api/todos/${t.id}`, {
      status: 'completed',
      title: 'renamed',
    });
    expect(stillDone.json.completed_at).toBe(done.json.completed_at);
    const reopened = await s.request('PATCH', `/api/todos/${t.id}`, { status: 'pending' });
    expect(reopened.json.completed_at).toBeNull();

    for (const body of [
      { title: null },
      { status: null },
      { priority: null },
      { tags: null },
      { title: '' },
      { status: 'done' },
    ]) {
      const bad = await s.request('PATCH', `/api/todos/${t.id}`, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('deletes, then 404s', async () => {
    const t = (await s.request('POST', '/api/todos', { title: 'delete me' })).json;
    expect((await s.request('DELETE', `/api/todos/${t.id}`)).status).toBe(204);
    for (const [method, body] of [['GET'], ['PATCH', {}], ['DELETE']] as const) {
      const res = await s.request(method, `/api/todos/${t.id}`, body);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('NOT_FOUND');
    }
  });

  it('validates create input', async () => {
    // Each body and the field the error must name.
    const cases: Array<[unknown, string]> = [
      [{}, 'title'],
      [{ title: '' }, 'title'],
      [{ title: 5 }, 'title'],
      [{ title: 'x'.repeat(501) }, 'title'],
      [{ title: '   ' }, 'title'],
      [{ title: 'x', priority: 'critical' }, 'priority'],
      [{ title: 'x', status: 'done' }, 'status'],
      [{ title: 'x', due_date: 'tomorrow' }, 'due_date'],
      [{ title: 'x', due_date: '2026-02-30' }, 'due_date'],
      [{ title: 'x', tags: 'work' }, 'tags'],
      [{ title: 'x', tags: [1] }, 'tags.0'],
    ];
    for (const [body, field] of cases) {
      const res = await s.request('POST', '/api/todos', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
      expect(res.json.error.details.field, JSON.stringify(body)).toBe(field);
    }
  });

  it('needs a token', async () => {
    const res = await s.request('GET', '/api/todos', undefined, { authorization: '' });
    expect(res.status).toBe(401);
  });
});

describe('todo lists', () => {
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await startTestServer({ timezone: 'Asia/Seoul', now: '2026-03-10T01:00:00Z' });
    const mk = (body: object) => fresh.request('POST', '/api/todos', body);
    await mk({ title: 'low one', priority: 'low', due_date: '2026-03-15', tags: ['home'] });
    await mk({ title: 'urgent one', priority: 'urgent', due_date: '2026-03-11T09:00:00', tags: ['work'] });
    await mk({ title: 'high one', priority: 'high', tags: ['work', 'q1'] });
    await mk({ title: 'medium done', status: 'completed', due_date: '2026-03-10' });
    await mk({ title: 'second urgent', priority: 'urgent' });
  });
  afterAll(async () => {
    await fresh.close();
  });
  const titles = async (q: string) =>
    ((await fresh.request('GET', `/api/todos${q}`)).json.items as { title: string }[]).map((t) => t.title);

  it('pages with a stable order and the real total', async () => {
    const p1 = await fresh.request('GET', '/api/todos?limit=2&page=1');
    const p2 = await fresh.request('GET', '/api/todos?limit=2&page=2');
    const p3 = await fresh.request('GET', '/api/todos?limit=2&page=3');
    const past = await fresh.request('GET', '/api/todos?limit=2&page=9');
    expect(p1.json).toMatchObject({ total: 5, page: 1, limit: 2 });
    const ids = [...p1.json.items, ...p2.json.items, ...p3.json.items].map((t: { id: string }) => t.id);
    expect(new Set(ids).size).toBe(5);
    expect(past.json).toMatchObject({ items: [], total: 5, page: 9 });
  });

  it('filters by status, priority, tag, due range and text', async () => {
    expect(await titles('?status=completed')).toEqual(['medium done']);
    expect((await titles('?status=pending,in_progress')).length).toBe(4);
    expect(await titles('?priority=urgent&sort=created_at')).toEqual(['urgent one', 'second urgent']);
    expect(await titles('?tag=work')).toEqual(['urgent one', 'high one']);
    expect(await titles('?tag=%23WORK')).toEqual(['urgent one', 'high one']);
    // Bare dates as bounds: _after = start of the local day, _before = its end.
    expect(await titles('?due_after=2026-03-11&due_before=2026-03-11')).toEqual(['urgent one']);
    expect(await titles('?due_before=2026-03-10')).toEqual(['medium done']);
    expect(await titles('?q=URGENT')).toEqual(['urgent one', 'second urgent']);
    expect(await titles('?q=one%20high')).toEqual(['high one']);
    expect(await titles('?q=%25')).toEqual([]);
  });

  it('sorts priority by rank, due dates with nulls last', async () => {
    expect(await titles('?sort=priority')).toEqual([
      'urgent one',
      'second urgent',
      'high one',
      'medium done',
      'low one',
    ]);
    expect((await titles('?sort=-priority'))[0]).toBe('low one');
    expect((await titles('?sort=due_date')).slice(0, 3)).toEqual(['medium done', 'urgent one', 'low one']);
  });

  it('rejects bad list parameters', async () => {
    for (const q of [
      '?limit=abc',
      '?limit=0',
      '?limit=1001',
      '?page=0',
      '?page=-1',
      '?sort=title',
      '?status=done',
      '?priority=x',
      '?due_before=soon',
    ]) {
      const res = await fresh.request('GET', `/api/todos${q}`);
      expect(res.status, q).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    }
  });
});
