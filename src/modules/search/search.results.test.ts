/**
 * Search results: messages under their conversation, type filters, paging and ranking, the q
 * filters of todos and memos, the portable path, and the OpenAPI entry.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.js';
import { assistantRow } from '../chat/chat.context.js';
import { parseSearchText } from './query.js';
import { createPortableSearchBackend, HIT_TYPES } from './search.repository.js';
import { useSearchServer, type Hit, type HitPage } from '../../../test/helpers/search.js';
import type { TestServer } from '../../../test/helpers/server.js';

describe('search', () => {
  const { server, search, find, ids, post, conversationWith, nextSeq } = useSearchServer();
  let s: TestServer, direct: Database;
  beforeAll(() => void ({ s, direct } = server));

  it('finds messages under their conversation title, and forgets them with the conversation', async () => {
    const conv = await conversationWith('Trip planning', [
      'Should we take the overnight ferry to Jeju?',
      'The ferry leaves at 9pm.',
    ]);
    const untitled = await conversationWith('', ['ferry timetable please']);
    const page = await find('ferry', { types: 'messages' });
    expect(page.total).toBe(3);
    const hit = page.items.find((h) => h.id === conv.messages[0])!;
    expect(hit).toEqual({
      type: 'message',
      id: conv.messages[0],
      title: 'Trip planning',
      snippet: expect.stringContaining('**ferry**'),
      score: expect.any(Number),
      created_at: expect.any(String),
      conversation_id: conv.id,
      preview: hit.snippet,
      rank: hit.score,
    });
    expect(page.items.find((h) => h.conversation_id === untitled.id)?.title).toBe('');

    // A renamed conversation shows its new title; an edited message its new text.
    await direct.db
      .updateTable('conversations')
      .set({ title: 'Jeju trip' })
      .where('id', '=', conv.id)
      .execute();
    await direct.db
      .updateTable('messages')
      .set({ content: 'Take the plane instead' })
      .where('id', '=', conv.messages[1]!)
      .execute();
    const again = await find('ferry');
    expect(
      again.items
        .filter((h) => h.type === 'message')
        .map((h) => h.id)
        .sort(),
    ).toEqual([conv.messages[0], untitled.messages[0]].sort());
    expect(again.items.find((h) => h.id === conv.messages[0])?.title).toBe('Jeju trip');
    expect(await ids('plane')).toEqual([conv.messages[1]]);

    await direct.db.deleteFrom('conversations').where('id', '=', conv.id).execute(); // messages go by cascade
    expect(await ids('ferry')).toEqual([untitled.messages[0]]);
    expect(await ids('plane')).toEqual([]);
  });

  it('finds a reply by the text it ended with, also one a crash cut off while it streamed', async () => {
    const conv = await conversationWith('Streaming', []);
    const now = s.clock.now().toISOString();
    // Rows as the chat module writes a reply before its first token, under ids the test names.
    const streaming = (id: string) => ({ ...assistantRow(conv.id, now), id });
    expect(streaming('msg_x')).toMatchObject({ role: 'assistant', status: 'streaming', content: '' });
    await direct.db
      .insertInto('messages')
      .values([streaming('msg_done'), streaming('msg_cut')])
      .execute();
    const save = (id: string, patch: { content?: string; status?: string }) =>
      direct.db.updateTable('messages').set(patch).where('id', '=', id).execute();
    // Checkpoints while streaming, then the final commit (new text) and a crash's recovery
    // (same text, only the status changes).
    await save('msg_done', { content: 'draft quuxly words' });
    await save('msg_cut', { content: 'half a zorblax sentence' });
    await save('msg_done', { content: 'final wibbleton answer', status: 'complete' });
    await save('msg_cut', { status: 'failed' });
    expect(await ids('wibbleton')).toEqual(['msg_done']);
    expect(await ids('quuxly')).toEqual([]);
    expect(await ids('zorblax')).toEqual(['msg_cut']);
  });

  it('filters by types and refuses unknown ones', async () => {
    const todo = await post('/api/todos', { title: 'Quokka photo album' });
    const memo = await post('/api/memos', { content: 'quokka facts' });
    const conv = await conversationWith('Animals', ['tell me about the quokka']);
    expect((await ids('quokka')).sort()).toEqual([todo.id, memo.id, conv.messages[0]].sort());
    expect(await ids('quokka', { types: 'memos' })).toEqual([memo.id]);
    expect((await ids('quokka', { types: 'todos,messages' })).sort()).toEqual(
      [todo.id, conv.messages[0]].sort(),
    );
    expect(await ids('quokka', { types: 'events' })).toEqual([]);
    for (const types of ['todo', 'todos,bogus', 'notes', ',']) {
      const res = await search({ q: 'quokka', types });
      expect(res.status, types).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'types' } });
    }
  });

  it('pages in a stable order, ties newest first', async () => {
    const created: string[] = [];
    for (let i = 0; i < 25; i++) created.push((await post('/api/todos', { title: 'Wombat census' })).id);
    const seen: string[] = [];
    for (const page of [1, 2, 3]) {
      const res = await find('wombat', { page, limit: 10 });
      expect(res.total).toBe(25);
      expect(res.page).toBe(page);
      expect(res.limit).toBe(10);
      seen.push(...res.items.map((h) => h.id));
    }
    // Equal scores: newest first, nothing repeated or skipped.
    expect(seen).toEqual([...created].reverse());
    expect(await find('wombat', { page: 4, limit: 10 })).toEqual({
      items: [],
      total: 25,
      page: 4,
      limit: 10,
    });
    const byDefault = await s.request<HitPage>('GET', '/api/search?q=wombat');
    expect(byDefault.json.limit).toBe(20);
    expect(byDefault.json.items).toHaveLength(20);
  });

  it('ranks and counts every match, however many and however old', async () => {
    // Oldest: the best match of all (a title hit), then MANY + 1 weak matches (body only, in
    // long messages, a minute apart) written newest first, then the newest todo.
    const MANY = 300;
    const oldBest = await post('/api/todos', { title: 'Gribble gribble' });
    const start = s.clock.now().getTime() + 60_000;
    const at = (i: number) => new Date(start + i * 60_000).toISOString();
    const conv = `conv_test${nextSeq()}`;
    await direct.db
      .insertInto('conversations')
      .values({ id: conv, title: 'Gribble chat', is_archived: 0, created_at: at(0), updated_at: at(0) })
      .execute();
    const weak = Array.from({ length: MANY + 1 }, (_, i) => ({
      id: `msg_gribble_${String(i).padStart(4, '0')}`,
      conversation_id: conv,
      role: 'user',
      content: `a long note that mentions gribble once among many other words ${'and more words '.repeat(8)}`,
      message_type: 'text',
      status: 'complete',
      intent: null,
      metadata: null,
      created_at: at(i),
    }));
    await direct.db
      .insertInto('messages')
      .values([...weak].reverse())
      .execute();
    s.clock.advance(start + (MANY + 10) * 60_000 - s.clock.now().getTime());
    const newBest = await post('/api/todos', { title: 'Gribble plan' });

    const expected = MANY + 3;
    const pages = Math.ceil(expected / 20);
    const seen: Hit[] = [];
    for (let page = 1; page <= pages + 1; page++) {
      const res = await find('gribble', { page, limit: 20 });
      expect(res.total).toBe(expected);
      expect(res.items).toHaveLength(page < pages ? 20 : page === pages ? expected - 20 * (pages - 1) : 0);
      seen.push(...res.items);
    }
    const ids = seen.map((h) => h.id);
    expect(new Set(ids).size).toBe(expected);
    expect(ids).toContain(weak[2]!.id);
    expect(seen[0]!.id).toBe(oldBest.id);
    expect(ids).toContain(weak[0]!.id);
    expect(ids).toContain(newBest.id);
    // Equal scores (the weak messages are alike): newest first.
    const weakOrder = seen.filter((h) => h.id.startsWith('msg_gribble_')).map((h) => h.id);
    expect(weakOrder).toEqual(weak.map((m) => m.id).reverse());
    const scores = seen.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    // A type filter counts that type only.
    const todos = await find('gribble', { types: 'todos' });
    expect(todos.total).toBe(2);
    expect(todos.items.map((h) => h.id)).toEqual([oldBest.id, newBest.id]); // the word twice ranks first
    const listed = (await s.request('GET', '/api/todos?q=gribble&limit=100')).json.items as Array<{
      id: string;
    }>;
    expect(listed.map((t) => t.id).sort()).toEqual([oldBest.id, newBest.id].sort());
  });

  it('uses the same matcher for the q filters of todos and memos', async () => {
    const todo = await post('/api/todos', {
      title: 'Prepare VLA slides',
      description: '분기보고서 첨부',
      tags: ['work'],
    });
    const memo = await post('/api/memos', { title: 'Crème brûlée', content: 'torch the sugar' });
    const titles = async (path: string) =>
      ((await s.request('GET', path)).json.items as Array<{ id: string }>).map((i) => i.id);
    expect(await titles('/api/todos?q=vl')).toEqual([todo.id]);
    expect(await titles(`/api/todos?q=${encodeURIComponent('보고')}`)).toEqual([todo.id]);
    expect(await titles('/api/todos?q=slides%20work')).toEqual([todo.id]);
    expect(await titles('/api/todos?q=slides%20play')).toEqual([]);
    expect(await titles('/api/memos?q=creme%20brulee')).toEqual([memo.id]);
    expect(await titles('/api/memos?q=TORCH')).toEqual([memo.id]);
    expect(await titles('/api/memos?q=%22')).toEqual([]);
  });

  it('has a portable path (for databases without FTS5) that finds the same items', async () => {
    const todo = await post('/api/todos', { title: 'Narwhal tusk facts' });
    const memo = await post('/api/memos', {
      title: 'Arctic wildlife',
      content: 'a pod of narwhals near Svalbard',
    });
    const event = await post('/api/events', {
      title: 'Aquarium',
      description: 'narwhal talk',
      start_time: '2026-03-09T15:00:00+09:00',
    });
    const conv = await conversationWith('Arctic', ['are narwhals real?']);
    const korean = await post('/api/memos', { content: '주간회의록 공유' });
    const portable = createPortableSearchBackend(direct.db);

    const viaApi = await find('narwhal');
    const viaPortable = await portable.page(parseSearchText('narwhal'), HIT_TYPES, 20, 0);
    expect(viaPortable.total).toBe(4);
    expect(viaPortable.rows.map((h) => h.id).sort()).toEqual(viaApi.items.map((h) => h.id).sort());
    expect(viaPortable.rows[0]).toMatchObject({
      id: todo.id,
      type: 'todo',
      title: 'Narwhal tusk facts',
      conversation_id: null,
    });
    expect(viaPortable.rows.find((h) => h.type === 'message')).toMatchObject({
      id: conv.messages[0],
      title: 'Arctic',
      conversation_id: conv.id,
    });
    for (const h of viaPortable.rows) {
      expect(h.snippet.toLowerCase()).toContain('**narwhal**');
      expect(h.score).toBeGreaterThan(0);
      expect(h.score).toBeLessThanOrEqual(1);
    }
    expect(
      (await portable.page(parseSearchText('narwhal'), ['memo', 'event'], 1, 1)).rows.map((h) => h.id),
    ).toHaveLength(1);
    expect((await portable.page(parseSearchText('회의'), HIT_TYPES, 20, 0)).rows.map((h) => h.id)).toContain(
      korean.id,
    );
    const matched = await direct.db
      .selectFrom('events')
      .select('id')
      .where(portable.matches('event', parseSearchText('NARWHAL talk'), 'id'))
      .execute();
    expect(matched).toEqual([{ id: event.id }]);
    expect(await portable.page(parseSearchText('"*'), HIT_TYPES, 20, 0)).toEqual({ rows: [], total: 0 });
    // The memo matched by a longer word ("narwhals") is one of them, with its own id.
    expect(viaPortable.rows.find((h) => h.type === 'memo')?.id).toBe(memo.id);
  });

  it('publishes the search route in the OpenAPI document', async () => {
    const doc = await s.request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.paths['/api/search'].get).toBeTruthy();
  });
});
