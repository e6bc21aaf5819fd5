import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../../test/helpers/server.js';

const s = useTestServer();

describe('memos', () => {
  it('derives the title from the first line when none is given', async () => {
    const res = await s.request('POST', '/api/memos', {
      content: '\n  Wifi password\nhunter2',
      tags: ['#Home'],
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      title: 'Wifi password',
      content: '\n  Wifi password\nhunter2',
      tags: ['home'],
    });
    const long = await s.request('POST', '/api/memos', { content: 'word '.repeat(40) });
    expect([...long.json.title].length).toBeLessThanOrEqual(80);
    const titled = await s.request('POST', '/api/memos', { content: 'body', title: 'Given' });
    expect(titled.json.title).toBe('Given');
  });

  it('gets, patches, lists newest change first, deletes', async () => {
    const a = (await s.request('POST', '/api/memos', { content: 'alpha memo' })).json;
    s.clock.advance(1000);
    const b = (await s.request('POST', '/api/memos', { content: 'beta memo' })).json;
    s.clock.advance(1000);
    const patched = await s.request('PATCH', `/api/memos/${a.id}`, { content: 'alpha edited' });
    expect(patched.json).toMatchObject({ content: 'alpha edited', title: 'alpha edited' });
    expect((await s.request('PATCH', `/api/memos/${a.id}`, {})).json).toEqual(patched.json);

    const list = await s.request('GET', '/api/memos?q=memo');
    expect(list.json.items.map((m: { id: string }) => m.id)).toEqual([b.id]);
    const all = await s.request('GET', '/api/memos?limit=2');
    expect(all.json.items[0].id).toBe(a.id);
    expect(all.json.total).toBeGreaterThanOrEqual(2);
    expect((await s.request('GET', '/api/memos?tag=home')).json.total).toBe(1);

    expect((await s.request('GET', `/api/memos/${b.id}`)).json).toEqual(b);
    expect((await s.request('DELETE', `/api/memos/${b.id}`)).status).toBe(204);
    expect((await s.request('GET', `/api/memos/${b.id}`)).status).toBe(404);
  });

  it('validates', async () => {
    for (const body of [
      {},
      { content: '' },
      { content: ' \n ' },
      { content: 5 },
      { content: 'x', tags: 'a' },
      { content: 'x', title: 7 },
    ]) {
      const res = await s.request('POST', '/api/memos', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await s.request('GET', '/api/memos?limit=101')).status).toBe(400);
    expect((await s.request('PATCH', '/api/memos/memo_nope', {})).status).toBe(404);
  });
});
