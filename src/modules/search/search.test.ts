import path from 'node:path';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../db/database.js';
import { migrations } from '../../db/migrations/index.js';
import { parseSearchText } from './query.js';
import { createPortableSearchBackend, HIT_TYPES } from './search.repository.js';
import { makeTempDir, startTestServer, type TestServer } from '../../../test/helpers/server.js';

interface Hit {
  type: 'todo' | 'event' | 'memo' | 'message';
  id: string;
  title: string;
  snippet: string;
  score: number;
  created_at: string;
  conversation_id: string | null;
}
interface HitPage {
  items: Hit[];
  total: number;
  page: number;
  limit: number;
}

const HOSTILE = [
  '"',
  'a"b',
  'AND',
  'NOT x',
  'NEAR(a b)',
  '*',
  '(',
  ')',
  'x:y',
  'title:secret',
  "'; DROP TABLE todos; --",
  '🎉',
  '🎉 party 🎉',
  '^a',
  '-x',
  '+',
  '\\',
  '%_',
  '\u0000',
  'a'.repeat(5000),
  'word '.repeat(1000),
];

describe('search', () => {
  let s: TestServer;
  /** A second connection to the same file: writes through it must reach the index too. */
  let direct: Database;
  let seq = 0;

  /** The raw response: a HitPage on 200, the error envelope otherwise. */
  const search = async (query: Record<string, string | number>) =>
    s.request(
      'GET',
      `/api/search?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`,
    );
  const find = async (q: string, extra: Record<string, string | number> = {}): Promise<HitPage> => {
    const res = await search({ q, limit: 100, ...extra });
    expect(res.status, res.text).toBe(200);
    return res.json as HitPage;
  };
  const ids = async (q: string, extra: Record<string, string | number> = {}) =>
    (await find(q, extra)).items.map((h) => h.id);
  const post = async (
    path: string,
    body: Record<string, unknown>,
  ): Promise<{ id: string; created_at: string }> => {
    s.clock.advance(1000); // distinct created_at, so "newest first" is observable
    const res = await s.request('POST', path, body);
    expect(res.status, res.text).toBe(201);
    return res.json;
  };

  /** A conversation with messages, stored the way the chat module stores them. */
  async function conversationWith(
    title: string,
    contents: string[],
  ): Promise<{ id: string; messages: string[] }> {
    seq += 1;
    const now = s.clock.now().toISOString();
    const id = `conv_test${seq}`;
    await direct.db
      .insertInto('conversations')
      .values({ id, title, is_archived: 0, created_at: now, updated_at: now })
      .execute();
    const messages: string[] = [];
    for (const [i, content] of contents.entries()) {
      const mid = `msg_test${seq}_${i}`;
      await direct.db
        .insertInto('messages')
        .values({
          id: mid,
          conversation_id: id,
          role: i % 2 === 0 ? 'user' : 'assistant',
          content,
          message_type: 'text',
          status: 'complete',
          intent: null,
          metadata: null,
          created_at: now,
        })
        .execute();
      messages.push(mid);
    }
    return { id, messages };
  }

  beforeAll(async () => {
    s = await startTestServer({ now: '2026-03-02T09:00:00.000Z', timezone: 'Asia/Seoul' });
    direct = await createDatabase(s.config.database, { migrate: false });
  });
  afterAll(async () => {
    await direct.close();
    await s.close();
  });

  it('answers every hostile string with 200 (or 400 when blank), never 500', async () => {
    await post('/api/todos', { title: 'x marks the spot' });
    for (const q of HOSTILE) {
      const res = await search({ q });
      expect(res.status, `${JSON.stringify(q.slice(0, 20))}: ${res.text}`).toBe(200);
      expect(res.json.items).toBeInstanceOf(Array);
      const list = await s.request('GET', `/api/todos?${new URLSearchParams({ q: q.slice(0, 500) })}`);
      expect(list.status, `todos ${JSON.stringify(q.slice(0, 20))}`).toBe(200);
      const memos = await s.request('GET', `/api/memos?${new URLSearchParams({ q: q.slice(0, 500) })}`);
      expect(memos.status, `memos ${JSON.stringify(q.slice(0, 20))}`).toBe(200);
    }
    // Nothing searchable: an empty page, not an error.
    for (const q of ['"', '*', '(', '🎉', '%_']) {
      const page = await find(q);
      expect(page).toEqual({ items: [], total: 0, page: 1, limit: 100 });
    }
    // Operators are plain words: "x:y" looks for the words x and y.
    expect((await find('x:y')).items).toEqual([]);
    expect((await find('x:marks')).items.map((h) => h.title)).toEqual(['x marks the spot']);
    // The table the injection names is still there.
    expect((await s.request('GET', '/api/todos')).status).toBe(200);
  });

  it('refuses a blank or missing q and bad paging with a 400 envelope', async () => {
    const bad: Array<Record<string, string | number>> = [
      { q: '' },
      { q: '   ' },
      {},
      { q: 'a', limit: 101 },
      { q: 'a', limit: 0 },
      { q: 'a', page: 0 },
    ];
    for (const query of bad) {
      const res = await search(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    }
    const res = await search({ q: '   ' });
    expect(res.json.error.details.field).toBe('q');
    expect((await s.request('GET', '/api/search?q=x', undefined, { authorization: '' })).status).toBe(401);
  });

  it('matches words by prefix, needs every word, ignores case', async () => {
    const vla = await post('/api/memos', {
      title: 'VLA notes',
      content: 'Vision-language-action models for robots',
    });
    expect(await ids('VL')).toContain(vla.id);
    expect(await ids('vla')).toContain(vla.id);
    expect(await ids('vl rob')).toContain(vla.id);
    expect(await ids('VLA bananas')).not.toContain(vla.id);
    expect(await ids('ision')).not.toContain(vla.id); // prefix, not substring, for spaced scripts
    expect(await ids('otes')).not.toContain(vla.id);
  });

  it('ignores accents both ways', async () => {
    const cafe = await post('/api/todos', { title: 'Meet at Café Müller' });
    const plain = await post('/api/memos', { content: 'the resume is at the cafe' });
    expect(await ids('cafe')).toEqual(expect.arrayContaining([cafe.id, plain.id]));
    expect(await ids('CAFÉ')).toEqual(expect.arrayContaining([cafe.id, plain.id]));
    expect(await ids('muller')).toContain(cafe.id);
    expect(await ids('résumé')).toContain(plain.id);
    expect((await find('muller')).items.find((h) => h.id === cafe.id)?.snippet).toContain('**Müller**');
  });

  it('finds Korean words inside longer words and sentences', async () => {
    const minutes = await post('/api/memos', { title: '회의록', content: '3월 기획 회의 내용' });
    const weekly = await post('/api/todos', { title: '주간회의록 정리하기' });
    const sentence = await post('/api/memos', {
      content: '내일 오후에 팀 회의가 있어요. 자료를 준비해야 해요',
    });
    const event = await post('/api/events', {
      title: '디자인 리뷰',
      start_time: '2026-03-05T14:00:00+09:00',
      location: '본사 대회의실',
    });
    const other = await post('/api/memos', { content: '점심 메뉴 추천' });

    const found = await ids('회의');
    expect(found).toEqual(expect.arrayContaining([minutes.id, weekly.id, sentence.id, event.id]));
    expect(found).not.toContain(other.id);
    expect(await ids('회의록')).toEqual(expect.arrayContaining([minutes.id, weekly.id]));
    expect(await ids('회의록')).not.toContain(sentence.id);
    expect(await ids('대회의실')).toEqual([event.id]);
    expect(await ids('자료 준비')).toEqual([sentence.id]);
    expect(await ids('회의 점심')).toEqual([]);

    const hit = (await find('회의록')).items.find((h) => h.id === weekly.id)!;
    expect(hit.snippet).toContain('**회의록**');
    const short = (await find('회의')).items.find((h) => h.id === sentence.id)!;
    expect(short.snippet).toContain('**회의**');
    expect(short.score).toBeGreaterThan(0);
    expect(short.score).toBeLessThanOrEqual(1);
    // Korean mixed with Latin words.
    const mixed = await post('/api/memos', { content: 'Quarterly OKR 회의 agenda' });
    expect(await ids('okr 회의')).toEqual([mixed.id]);
    expect((await find('okr 회의')).items[0]!.snippet).toMatch(/\*\*OKR\*\*.*\*\*회의\*\*/);
    // Japanese and Chinese too.
    const jp = await post('/api/memos', { content: '明日の会議室を予約する' });
    expect(await ids('会議')).toContain(jp.id);
    expect(await ids('会議室')).toContain(jp.id);
  });

  it('ranks all types together: a title hit beats a body-only hit; scores in (0, 1], best first', async () => {
    const body = await post('/api/memos', {
      title: 'Shopping list',
      content: 'eggs, flour and a zeppelin model kit',
    });
    const event = await post('/api/events', {
      title: 'Museum visit',
      description: 'the zeppelin hall and the old airships, then lunch',
      start_time: '2026-03-07T11:00:00+09:00',
    });
    const title = await post('/api/todos', { title: 'Zeppelin essay', description: 'due next week' });
    const page = await find('zeppelin');
    expect(page.items.map((h) => h.id)).toEqual([title.id, expect.any(String), expect.any(String)]);
    expect(
      page.items
        .map((h) => h.id)
        .slice(1)
        .sort(),
    ).toEqual([body.id, event.id].sort());
    for (const h of page.items) {
      expect(h.score).toBeGreaterThan(0);
      expect(h.score).toBeLessThanOrEqual(1);
    }
    const scores = page.items.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores[0]).toBeGreaterThan(scores[1]!);

    const top = page.items[0]!;
    expect(top).toEqual({
      type: 'todo',
      id: title.id,
      title: 'Zeppelin essay',
      snippet: expect.stringContaining('**Zeppelin**'),
      score: expect.any(Number),
      created_at: title.created_at,
      conversation_id: null,
      preview: top.snippet,
      rank: top.score,
    });
    expect(page.items.find((h) => h.id === event.id)).toMatchObject({ type: 'event', title: 'Museum visit' });
    expect(page.items.find((h) => h.id === event.id)!.snippet).toContain('**zeppelin**');
    expect(page.items.find((h) => h.id === body.id)).toMatchObject({ type: 'memo', title: 'Shopping list' });
  });

  it('searches tags and event locations', async () => {
    const tagged = await post('/api/todos', { title: 'File taxes', tags: ['Finance', '#paperwork'] });
    const located = await post('/api/events', {
      title: 'Dinner',
      location: 'Gwanghwamun plaza',
      start_time: '2026-03-08T19:00:00+09:00',
    });
    expect(await ids('paperwork')).toEqual([tagged.id]);
    expect(await ids('gwanghwa')).toEqual([located.id]);
  });

  it('keeps the index in step with updates and deletes', async () => {
    const todo = await post('/api/todos', { title: 'Renew passport', description: 'bring photos' });
    const memo = await post('/api/memos', { content: 'marmalade recipe with oranges' });
    const event = await post('/api/events', {
      title: 'Dentist',
      start_time: '2026-03-10T10:00:00+09:00',
      location: 'Yeoksam clinic',
    });

    expect(
      (
        await s.request('PATCH', `/api/todos/${todo.id}`, {
          title: 'Renew driving licence',
          description: null,
        })
      ).status,
    ).toBe(200);
    expect(await ids('passport')).not.toContain(todo.id);
    expect(await ids('photos')).not.toContain(todo.id);
    expect(await ids('licence')).toEqual([todo.id]);
    // A change to another field leaves the text searchable.
    expect((await s.request('PATCH', `/api/todos/${todo.id}`, { status: 'completed' })).status).toBe(200);
    expect(await ids('licence')).toEqual([todo.id]);

    expect((await s.request('PATCH', `/api/memos/${memo.id}`, { content: 'lemon curd recipe' })).status).toBe(
      200,
    );
    expect(await ids('marmalade')).toEqual([]);
    expect(await ids('lemon curd')).toEqual([memo.id]);

    expect(
      (await s.request('PATCH', `/api/events/${event.id}`, { location: 'Seolleung clinic' })).status,
    ).toBe(200);
    expect(await ids('yeoksam')).toEqual([]);
    expect(await ids('seolleung')).toEqual([event.id]);

    // Korean text added by an update becomes searchable as a substring; removed text stops matching.
    expect((await s.request('PATCH', `/api/memos/${memo.id}`, { content: '레몬커드 만들기' })).status).toBe(
      200,
    );
    expect(await ids('커드')).toEqual([memo.id]);
    expect((await s.request('PATCH', `/api/memos/${memo.id}`, { content: 'plain again' })).status).toBe(200);
    expect(await ids('커드')).toEqual([]);

    for (const path of [`/api/todos/${todo.id}`, `/api/memos/${memo.id}`, `/api/events/${event.id}`])
      expect((await s.request('DELETE', path)).status).toBe(204);
    expect(await ids('licence')).toEqual([]);
    expect(await ids('plain again')).toEqual([]);
    expect(await ids('seolleung')).toEqual([]);
  });

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
    const streaming = (id: string) => ({
      id,
      conversation_id: conv.id,
      role: 'assistant',
      content: '',
      message_type: 'text',
      status: 'streaming',
      intent: null,
      metadata: null,
      created_at: now,
    });
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
    seq += 1;
    const conv = `conv_test${seq}`;
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

describe('search index migration', () => {
  it('renumbers an index made before 0006 by time, with the type in the low bits', async () => {
    const dataDir = makeTempDir();
    const old = await createDatabase(
      { kind: 'sqlite', file: path.join(dataDir, 'clawchat.db') },
      { migrate: false },
    );
    const names = Object.keys(migrations('sqlite'));
    const before = names[names.indexOf('0006_search_speed') - 1]!;
    const migrator = new Migrator({
      db: old.db,
      provider: { getMigrations: async () => migrations('sqlite') },
    });
    expect((await migrator.migrateTo(before)).error).toBeUndefined();
    // Written out of time order: ids from 0002 follow the writes.
    const item = (at: string) => ({
      conversation_id: null,
      message_id: null,
      created_at: at,
      updated_at: at,
    });
    await old.db
      .insertInto('memos')
      .values({
        id: 'memo_late',
        title: 'Late',
        content: 'heron count',
        tags: '[]',
        ...item('2026-02-10T08:00:00.000Z'),
      })
      .execute();
    await old.db
      .insertInto('todos')
      .values({
        id: 'todo_early',
        title: 'Heron watch',
        description: null,
        status: 'pending',
        priority: 'medium',
        priority_rank: 2,
        due_date: null,
        due_has_time: 0,
        completed_at: null,
        tags: '[]',
        ...item('2026-01-03T08:00:00.000Z'),
      })
      .execute();
    await old.close();

    const s = await startTestServer({ dataDir, now: '2026-03-01T00:00:00.000Z', database: 'sqlite' });
    try {
      const created = await s.request('POST', '/api/memos', { content: 'heron photos' });
      expect(created.status).toBe(201);
      const db = await createDatabase(s.config.database, { migrate: false });
      try {
        const { rows } = await sql<{ item_id: string; type_bits: number }>`
          select item_id, id & 3 as type_bits from search_docs order by id`.execute(db.db);
        expect(rows.map((d) => [d.item_id, d.type_bits])).toEqual([
          ['todo_early', 0],
          ['memo_late', 2],
          [created.json.id, 2],
        ]);
      } finally {
        await db.close();
      }
      const found = await s.request<HitPage>('GET', '/api/search?q=heron');
      expect(found.json.total).toBe(3);
      expect(found.json.items[0]!.id).toBe('todo_early'); // the title hit
      expect((await s.request<HitPage>('GET', '/api/search?q=heron&types=memos')).json.total).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('indexes what was stored before the index existed', async () => {
    const dataDir = makeTempDir();
    const old = await createDatabase(
      { kind: 'sqlite', file: path.join(dataDir, 'clawchat.db') },
      { migrate: false },
    );
    const migrator = new Migrator({
      db: old.db,
      provider: { getMigrations: async () => migrations('sqlite') },
    });
    expect((await migrator.migrateTo('0001_initial')).error).toBeUndefined();
    const at = '2026-01-05T00:00:00.000Z';
    const item = { conversation_id: null, message_id: null, created_at: at, updated_at: at };
    await old.db
      .insertInto('todos')
      .values({
        id: 'todo_old',
        title: 'Legacy backlog',
        description: '예전 회의록',
        status: 'pending',
        priority: 'medium',
        priority_rank: 2,
        due_date: null,
        due_has_time: 0,
        completed_at: null,
        tags: '["archive"]',
        ...item,
      })
      .execute();
    await old.db
      .insertInto('memos')
      .values({ id: 'memo_old', title: 'Old memo', content: 'legacy notes', tags: '[]', ...item })
      .execute();
    await old.db
      .insertInto('conversations')
      .values({ id: 'conv_old', title: 'Old chat', is_archived: 0, created_at: at, updated_at: at })
      .execute();
    await old.db
      .insertInto('messages')
      .values({
        id: 'msg_old',
        conversation_id: 'conv_old',
        role: 'user',
        content: 'legacy question',
        message_type: 'text',
        status: 'complete',
        intent: null,
        metadata: null,
        created_at: at,
      })
      .execute();
    await old.close();

    // The SQLite file made above (PostgreSQL's backfill: search.postgres.test.ts).
    const s = await startTestServer({ dataDir, now: '2026-03-01T00:00:00.000Z', database: 'sqlite' });
    try {
      const res = await s.request<HitPage>('GET', '/api/search?q=legacy');
      expect(res.json.items.map((h) => h.id).sort()).toEqual(['memo_old', 'msg_old', 'todo_old']);
      expect(res.json.items.find((h) => h.id === 'msg_old')).toMatchObject({
        title: 'Old chat',
        conversation_id: 'conv_old',
      });
      expect(
        (await s.request<HitPage>('GET', `/api/search?q=${encodeURIComponent('회의')}`)).json.items.map(
          (h) => h.id,
        ),
      ).toEqual(['todo_old']);
      expect((await s.request<HitPage>('GET', '/api/search?q=archive')).json.items.map((h) => h.id)).toEqual([
        'todo_old',
      ]);
      // Triggers are live for the old rows too.
      expect((await s.request('DELETE', '/api/todos/todo_old')).status).toBe(204);
      expect((await s.request<HitPage>('GET', '/api/search?q=legacy')).json.total).toBe(2);
    } finally {
      await s.close();
    }
  });
});
