/** `idempotency_key`, the apps' name for `client_message_id` (COMPAT.md "Chat"). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('idempotency_key', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { AI_PROVIDER: 'none' } });
  });
  afterAll(async () => s?.close());

  it('makes a send idempotent like client_message_id, under either name', async () => {
    const first = await s.request('POST', '/api/chat/send', {
      content: 'add buy milk tomorrow',
      idempotency_key: 'k-1',
    });
    expect(first.status).toBe(202);
    const again = await s.request('POST', '/api/chat/send', {
      content: 'add buy milk tomorrow',
      idempotency_key: 'k-1',
    });
    expect(again.json).toEqual(first.json);
    const other = await s.request('POST', '/api/chat/send', {
      content: 'add buy milk tomorrow',
      client_message_id: 'k-1',
    });
    expect(other.json).toEqual(first.json);
    const messages = (
      await s.request('GET', `/api/chat/conversations/${first.json.conversation_id}/messages`)
    ).json;
    expect(messages.items.filter((m: { role: string }) => m.role === 'user')).toHaveLength(1);

    const changed = await s.request('POST', '/api/chat/send', {
      content: 'something else',
      idempotency_key: 'k-1',
    });
    expect(changed.status).toBe(409);
  });

  it('refuses two different keys in one body', async () => {
    const res = await s.request('POST', '/api/chat/send', {
      content: 'hi',
      idempotency_key: 'a',
      client_message_id: 'b',
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'idempotency_key' } });
    const same = await s.request('POST', '/api/chat/send', {
      content: 'hi',
      idempotency_key: 'c',
      client_message_id: 'c',
    });
    expect(same.status).toBe(202);
  });

  it('is taken by the SSE endpoint too', async () => {
    const res = await s.raw('POST', '/api/chat/stream', {
      body: JSON.stringify({ content: 'note: the gate code is 4411', idempotency_key: 'sse-1' }),
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const head = JSON.parse(res.text.split('\n')[0]!.replace(/^data: /, '')) as { message_id: string };
    const bad = await s.raw('POST', '/api/chat/stream', {
      body: JSON.stringify({ content: 'x', idempotency_key: 'a', client_message_id: 'b' }),
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(head.message_id).toMatch(/^msg_/);
  });
});
