/**
 * POST /api/chat/send: the 202 before the turn, the stored messages, validation, idempotency
 * with client_message_id, and the order of turns in one conversation.
 */
import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { useChatServer } from '../../../test/helpers/chat.js';
import type { TestServer } from '../../../test/helpers/server.js';
import { types, type Frame, type WsClient } from '../../../test/helpers/ws.js';

const { server, send, messagesOf } = useChatServer('Fake title');
let fake: FakeOpenAI, s: TestServer, ws: WsClient;
beforeAll(() => void ({ fake, s, ws } = server));

describe('send', () => {
  it('writes the 202 before the turn starts: no stream_start arrives before its 202 (20 sends)', async () => {
    fake.onChat(['ok']);
    const agent = new http.Agent({ keepAlive: true });
    const post = (content: string) =>
      new Promise<{ at: bigint; json: any }>((resolve, reject) => {
        const req = http.request(
          `${s.url}/api/chat/send`,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
          },
          (res) => {
            const at = process.hrtime.bigint(); // the 202's headers arrived
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString('utf8')));
            res.on('end', () => resolve({ at, json: JSON.parse(body) }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ content }));
      });
    const startedAt = new Map<string, bigint>();
    const onFrame = (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as Frame;
      if (frame.type === 'stream_start') startedAt.set(frame.data.message_id, process.hrtime.bigint());
    };
    ws.ws.on('message', onFrame);
    try {
      let early = 0;
      for (let i = 0; i < 20; i++) {
        const sent = await post(`quick one ${i}`);
        await ws.turn(sent.json.message_id);
        if (startedAt.get(sent.json.message_id)! < sent.at) early += 1;
      }
      expect(early).toBe(0);
    } finally {
      ws.ws.off('message', onFrame);
      agent.destroy();
    }
  });

  it('stores the user message before the 202; the reply row is readable at once', async () => {
    fake.onChat({ chunks: ['Hello', ' there', '!'], delayMs: 40 });
    const res = await s.request('POST', '/api/chat/send', { content: 'hi' });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 'processing' });
    expect(res.json.message_id).toMatch(/^msg_/);
    expect(res.json.user_message_id).toMatch(/^msg_/);
    expect(res.json.conversation_id).toMatch(/^conv_/);
    const now = await messagesOf(res.json.conversation_id);
    expect(now[0]).toMatchObject({
      id: res.json.user_message_id,
      role: 'user',
      content: 'hi',
      status: 'complete',
    });
    expect(now[1]).toMatchObject({ id: res.json.message_id, role: 'assistant', status: 'streaming' });
    await ws.waitForType('message_created', (d) => d.id === res.json.user_message_id && d.content === 'hi');

    const frames = await ws.turn(res.json.message_id);
    expect(types(frames).slice(0, 5)).toEqual([
      'stream_start',
      'stream_chunk',
      'stream_chunk',
      'stream_chunk',
      'stream_end',
    ]);
    expect(frames.filter((f) => f.type === 'stream_chunk').map((f) => f.data.index)).toEqual([0, 1, 2]);
    const end = frames.find((f) => f.type === 'stream_end')!;
    expect(end.data).toMatchObject({
      conversation_id: res.json.conversation_id,
      full_content: 'Hello there!',
      intent: 'general_chat',
    });
    expect(end.data.usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
    const done = await messagesOf(res.json.conversation_id);
    expect(done[1]).toMatchObject({
      content: 'Hello there!',
      status: 'complete',
      message_type: 'text',
      intent: 'general_chat',
    });
  });

  it('validates the body', async () => {
    const bad = async (body: unknown) => {
      const res = await s.request('POST', '/api/chat/send', body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    };
    await bad({ content: '' });
    await bad({ content: '   ' });
    await bad({});
    await bad({ content: 5 });
    await bad({ content: 'x'.repeat(32_001) });
    const unknown = await s.request('POST', '/api/chat/send', {
      content: 'hi',
      conversation_id: 'conv_nope',
    });
    expect(unknown.status).toBe(404);
    fake.onChat('ok');
    const longest = await s.request('POST', '/api/chat/send', { content: 'x'.repeat(32_000) });
    expect(longest.status).toBe(202);
    await ws.turn(longest.json.message_id);
  });

  it('is idempotent with client_message_id: same body, same ids and nothing new; other body, 409', async () => {
    fake.onChat('ok');
    const body = { content: 'only once', client_message_id: 'device-1-msg-1' };
    const first = await send(body);
    // The auto-title (an LLM call after the turn) is done before counting calls.
    await ws.waitForType(
      'conversation_updated',
      (d) => d.conversation_id === first.conversation_id && d.title !== '',
    );
    const classifyCalls = fake.requests.length;
    const again = await s.request('POST', '/api/chat/send', body);
    expect(again.status).toBe(202);
    expect(again.json).toEqual({
      message_id: first.message_id,
      user_message_id: first.user_message_id,
      conversation_id: first.conversation_id,
      status: 'processing',
    });
    expect(await messagesOf(first.conversation_id)).toHaveLength(2);
    expect(fake.requests.length).toBe(classifyCalls);
    const list = await s.request('GET', '/api/chat/conversations?limit=100');
    expect(list.json.items.filter((c: any) => c.id === first.conversation_id)).toHaveLength(1);

    const other = await s.request('POST', '/api/chat/send', {
      content: 'something else',
      client_message_id: 'device-1-msg-1',
    });
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe('CONFLICT');

    // Two identical sends at the same moment start one turn.
    const both = await Promise.all([
      s.request('POST', '/api/chat/send', { content: 'twice', client_message_id: 'race-1' }),
      s.request('POST', '/api/chat/send', { content: 'twice', client_message_id: 'race-1' }),
    ]);
    expect(both.map((r) => r.status)).toEqual([202, 202]);
    const [one, two] = both;
    expect(one.json).toEqual(two.json);
    await ws.turn(one.json.message_id);
    expect(await messagesOf(one.json.conversation_id)).toHaveLength(2);
  });

  it('keeps the text of every reply streaming at once in the database while they stream', async () => {
    fake.onChat({ chunks: ['One, ', 'two, ', 'three.'], delayMs: 600 });
    const sent = await Promise.all(
      ['a', 'b', 'c'].map(async (content) => (await s.request('POST', '/api/chat/send', { content })).json),
    );
    await Promise.all(
      sent.map((t) => ws.waitForType('stream_chunk', (d) => d.message_id === t.message_id && d.index === 1)),
    );
    await new Promise((r) => setTimeout(r, 400)); // the third chunk is 600 ms after the second
    for (const t of sent) {
      const reply = (await messagesOf(t.conversation_id)).find((m) => m.id === t.message_id);
      expect(reply).toMatchObject({ status: 'streaming', content: 'One, two, ' });
    }
    for (const t of sent) await ws.turn(t.message_id);
    for (const t of sent) {
      const reply = (await messagesOf(t.conversation_id)).find((m) => m.id === t.message_id);
      expect(reply).toMatchObject({ status: 'complete', content: 'One, two, three.' });
    }
  });

  it('runs the turns of one conversation one at a time, in order; a queued send is answered at once', async () => {
    fake.onChat({ chunks: ['a', 'b', 'c'], delayMs: 150 });
    const a = await s.request('POST', '/api/chat/send', { content: 'first' });
    const b = await s.request('POST', '/api/chat/send', {
      content: 'second',
      conversation_id: a.json.conversation_id,
    });
    expect(b.status).toBe(202);
    // Answered while the reply before it is still streaming, not held back by it.
    expect(ws.frames.some((f) => f.type === 'stream_end' && f.data.message_id === a.json.message_id)).toBe(
      false,
    );
    await ws.turn(b.json.message_id);
    const seq = ws.frames
      .filter(
        (f) =>
          ['stream_start', 'stream_end'].includes(f.type) &&
          [a.json.message_id, b.json.message_id].includes(f.data.message_id),
      )
      .map((f) => `${f.type}:${f.data.message_id === a.json.message_id ? 'a' : 'b'}`);
    expect(seq).toEqual(['stream_start:a', 'stream_end:a', 'stream_start:b', 'stream_end:b']);
    const stored = await messagesOf(a.json.conversation_id);
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ['user', 'first'],
      ['assistant', 'abc'],
      ['user', 'second'],
      ['assistant', 'abc'],
    ]);
  });
});
