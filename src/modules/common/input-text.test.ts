/**
 * Input the storage cannot keep faithfully is refused at the API alike on SQLite and PostgreSQL
 * (instants past 9999, impossible offsets, lone surrogates), and tags match however their
 * accents were typed (NFC).
 */
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../../test/helpers/server.js';

const s = useTestServer({ timezone: 'America/New_York' });

function expectField(res: { status: number; json: any }, field: string): void {
  expect(res.status, JSON.stringify(res.json)).toBe(400);
  expect(res.json.error.code).toBe('VALIDATION_ERROR');
  expect(res.json.error.details.field).toBe(field);
}

describe('instants', () => {
  it('refuses an instant past year 9999 once in UTC, naming the field', async () => {
    const late = '9999-12-31T23:00:00-05:00';
    expectField(await s.request('POST', '/api/events', { title: 'x', start_time: late }), 'start_time');
    expectField(
      await s.request('POST', '/api/events', {
        title: 'x',
        start_time: '9999-12-31T20:00:00Z',
        end_time: late,
      }),
      'end_time',
    );
    expectField(await s.request('POST', '/api/todos', { title: 'x', due_date: late }), 'due_date');
    // Local time and a bare date in the owner's zone (New York) also cross into year 10000.
    expectField(
      await s.request('POST', '/api/todos', { title: 'x', due_date: '9999-12-31T22:00' }),
      'due_date',
    );
    expectField(await s.request('POST', '/api/todos', { title: 'x', due_date: '9999-12-31' }), 'due_date');
    expectField(await s.request('GET', `/api/todos?due_before=${encodeURIComponent(late)}`), 'due_before');
    // The last moment that stays in 9999 is fine.
    const ok = await s.request('POST', '/api/events', {
      title: 'x',
      start_time: '9999-12-31T18:00:00-05:00',
    });
    expect(ok.status).toBe(201);
    expect(ok.json.start_time).toBe('9999-12-31T23:00:00.000Z');
  });

  it('refuses offsets that are no offset (+25:00, -24:00, +05:60)', async () => {
    for (const offset of ['+25:00', '-24:00', '+05:60', '+9900']) {
      const value = `2026-03-01T10:00:00${offset}`;
      expectField(await s.request('POST', '/api/events', { title: 'x', start_time: value }), 'start_time');
      expectField(await s.request('POST', '/api/todos', { title: 'x', due_date: value }), 'due_date');
    }
    const ok = await s.request('POST', '/api/todos', { title: 'x', due_date: '2026-03-01T10:00:00+14:00' });
    expect(ok.status).toBe(201);
  });
});

describe('lone surrogates', () => {
  const json = () => ({ 'content-type': 'application/json', authorization: `Bearer ${s.token}` });

  it('a lone surrogate in any string is a 400 naming the field', async () => {
    const cases: [string, string, string][] = [
      ['/api/todos', '{"title": "a\\ud800b"}', 'title'],
      ['/api/todos', '{"title": "x", "tags": ["ok", "\\uDC00"]}', 'tags.1'],
      ['/api/memos', '{"content": "tail \\udbff"}', 'content'],
      ['/api/events', '{"title": "x", "start_time": "2026-03-01", "location": "\\udfff\\ud800"}', 'location'],
    ];
    for (const [path, body, field] of cases) {
      const res = await s.raw('POST', path, { body, headers: json() });
      expectField(res, field);
    }
    const list = await s.request('GET', '/api/todos');
    expect(list.json.items.filter((t: { title: string }) => t.title !== 'x')).toEqual([]);
  });

  it('a proper pair (an emoji written as escapes) is text like any other', async () => {
    const res = await s.raw('POST', '/api/todos', {
      body: '{"title": "cake \\ud83c\\udf82"}',
      headers: json(),
    });
    expect(res.status).toBe(201);
    expect(res.json.title).toBe('cake 🎂');
  });
});

describe('tags are NFC', () => {
  const decomposed = 'Cafe\u0301';
  const composed = 'caf\u00e9';

  it('a tag typed decomposed is found by the composed filter, and the other way round', async () => {
    const todo = await s.request('POST', '/api/todos', { title: 'tag me', tags: [decomposed] });
    const memo = await s.request('POST', '/api/memos', { content: 'tag me', tags: [decomposed] });
    const event = await s.request('POST', '/api/events', {
      title: 'tag me',
      start_time: '2026-03-01T10:00:00Z',
      tags: [decomposed],
    });
    for (const created of [todo, memo, event]) {
      expect(created.status).toBe(201);
      expect(created.json.tags).toEqual([composed]);
    }
    for (const [path, id] of [
      ['/api/todos', todo.json.id],
      ['/api/memos', memo.json.id],
      ['/api/events', event.json.id],
    ]) {
      const byComposed = await s.request('GET', `${path}?tag=${encodeURIComponent(composed)}`);
      expect(
        byComposed.json.items.map((i: { id: string }) => i.id),
        path,
      ).toEqual([id]);
      const byDecomposed = await s.request('GET', `${path}?tag=${encodeURIComponent(decomposed)}`);
      expect(
        byDecomposed.json.items.map((i: { id: string }) => i.id),
        path,
      ).toEqual([id]);
    }
    // Composed and decomposed in one list are one tag.
    const both = await s.request('PATCH', `/api/todos/${todo.json.id}`, {
      tags: [composed, decomposed, 'CAFE\u0301'],
    });
    expect(both.json.tags).toEqual([composed]);
  });
});
