/**
 * Search over real HTTP: hostile input, validation, matching (prefixes, accents, Korean),
 * tags and locations, and the index kept in step with writes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, useSearchServer } from '../../../test/helpers/search.js';
import type { TestServer } from '../../../test/helpers/server.js';

describe('search', () => {
  const { server, search, find, ids, post } = useSearchServer();
  let s: TestServer;
  beforeAll(() => void ({ s } = server));

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
});
