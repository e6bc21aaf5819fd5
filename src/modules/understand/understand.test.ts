/** POST /api/understand: the quick-add preview, read by the offline understander, acting on nothing. */
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../../test/helpers/server.js';

// Tuesday 2026-03-10, 10:00 in Seoul.
const s = useTestServer({ now: '2026-03-10T01:00:00Z', timezone: 'Asia/Seoul' });

describe('POST /api/understand', () => {
  it('reads the quick-add shorthand into a todo, dates in UTC as the todo would store them', async () => {
    const res = await s.request('POST', '/api/understand', { text: 'pay rent friday !high #home' });
    expect(res.status).toBe(200);
    // The same day given to POST /api/todos: the preview's due date is what the todo gets.
    const stored = await s.request('POST', '/api/todos', { title: 'x', due_date: '2026-03-13' });
    expect(res.json).toEqual({
      intent: 'create_todo',
      params: {
        title: 'pay rent',
        due_date: stored.json.due_date,
        due_has_time: false,
        priority: 'high',
        tags: ['home'],
      },
    });
    expect(res.json.params.due_date).toBe('2026-03-13T14:59:59.999Z');
    await s.request('DELETE', `/api/todos/${stored.json.id}`);
  });

  it('gives an event its start and end in UTC', async () => {
    const res = await s.request('POST', '/api/understand', { text: 'meeting with Bob tomorrow 3pm to 4pm' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      intent: 'create_event',
      params: {
        title: 'meeting with Bob',
        start_time: '2026-03-11T06:00:00.000Z',
        end_time: '2026-03-11T07:00:00.000Z',
      },
    });
  });

  it('gives a due time when one was said', async () => {
    const res = await s.request('POST', '/api/understand', { text: 'submit the report by tomorrow 5pm' });
    expect(res.json.params).toMatchObject({ due_date: '2026-03-11T08:00:00.000Z', due_has_time: true });
  });

  it('creates nothing', async () => {
    await s.request('POST', '/api/understand', { text: 'add buy milk tomorrow' });
    await s.request('POST', '/api/understand', { text: 'note: the wifi password is hunter2' });
    expect((await s.request('GET', '/api/todos')).json.total).toBe(0);
    expect((await s.request('GET', '/api/memos')).json.total).toBe(0);
    expect((await s.request('GET', '/api/chat/conversations')).json.items).toEqual([]);
  });

  it('refuses a missing, blank or over-long text with the envelope', async () => {
    for (const body of [{}, { text: '' }, { text: '   \n' }, { text: 'x'.repeat(2001) }, { text: 5 }]) {
      const res = await s.request('POST', '/api/understand', body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'VALIDATION_ERROR' });
    }
    expect((await s.request('POST', '/api/understand', { text: 'x'.repeat(2000) })).status).toBe(200);
  });

  it('needs a token', async () => {
    const res = await s.raw('POST', '/api/understand', {
      body: JSON.stringify({ text: 'buy milk' }),
      headers: { 'content-type': 'application/json', authorization: '' },
    });
    expect(res.status).toBe(401);
  });
});
