/**
 * Chat over real HTTP, SSE and WebSocket: conversations, messages, sending, idempotency, turn
 * order, regenerate, stop, auto-titles and crash recovery. The LLM is the fake OpenAI server.
 */
import http from 'node:http';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  reply,
  startFakeOpenAI,
  type FakeOpenAI,
  type RequestBody,
} from '../../../test/fakes/fake-openai.js';
import { spawnServer, type ServerProcess } from '../../../test/helpers/process.js';
import { aiEnv, useLlmServer } from '../../../test/helpers/llm-server.js';
import { makeTempDir, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, types, type Frame, type WsClient } from '../../../test/helpers/ws.js';
import { createDatabase } from '../../db/database.js';

// Tuesday 2026-03-10, 10:00 in Seoul.
const NOW = '2026-03-10T01:00:00Z';
const isTitleRequest = (body: RequestBody | null) =>
  String(body?.messages?.[0]?.content ?? '').includes('short title');

const server = useLlmServer({ now: NOW }, (f) =>
  f.script((req) => (isTitleRequest(req.body) ? reply.text('Fake title') : undefined)),
);
let fake: FakeOpenAI;
let s: TestServer;
let ws: WsClient;

beforeAll(() => {
  ({ fake, s, ws } = server);
});

async function send(body: Record<string, unknown>) {
  const res = await s.request('POST', '/api/chat/send', body);
  expect(res.status).toBe(202);
  const frames = await ws.turn(res.json.message_id);
  return {
    ...(res.json as { message_id: string; user_message_id: string; conversation_id: string }),
    frames,
  };
}

async function messagesOf(conversationId: string) {
  return (await s.request('GET', `/api/chat/conversations/${conversationId}/messages?limit=200`)).json
    .items as any[];
}

describe('conversations', () => {
  it('creates without a body, lists by newest activity with a preview, renames, archives and un-archives', async () => {
    const empty = await s.raw('POST', '/api/chat/conversations', {
      headers: { authorization: `Bearer ${s.token}` },
    });
    expect(empty.status).toBe(201);
    expect(empty.json).toMatchObject({
      title: '',
      is_archived: false,
      last_message_preview: null,
      last_message: null,
    });
    expect(empty.json.id).toMatch(/^conv_/);
    await ws.waitForType('conversation_updated', (d) => d.conversation_id === empty.json.id);

    const named = await s.request('POST', '/api/chat/conversations', { title: 'Plans' });
    expect(named.status).toBe(201);
    expect(named.json.title).toBe('Plans');

    s.clock.advance(1000);
    fake.onChat('y'.repeat(150));
    await send({ conversation_id: empty.json.id, content: 'hello' });
    const list = await s.request('GET', '/api/chat/conversations?limit=100');
    expect(list.status).toBe(200);
    expect(list.json.items[0].id).toBe(empty.json.id);
    expect(list.json.items[0].last_message_preview).toBe('y'.repeat(100));
    expect(list.json.items[0].last_message).toBe('y'.repeat(100));
    // Titled at creation: the first turn does not rename it.
    expect(list.json.items.find((c: any) => c.id === named.json.id).title).toBe('Plans');

    const renamed = await s.request('PATCH', `/api/chat/conversations/${named.json.id}`, {
      title: 'Trip plans',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.title).toBe('Trip plans');
    await ws.waitForType(
      'conversation_updated',
      (d) => d.title === 'Trip plans' && d.conversation.id === named.json.id,
    );
    expect((await s.request('PATCH', `/api/chat/conversations/${named.json.id}`, {})).json.title).toBe(
      'Trip plans',
    );

    expect((await s.request('DELETE', `/api/chat/conversations/${empty.json.id}`)).status).toBe(204);
    const active = await s.request('GET', '/api/chat/conversations');
    expect(active.json.items.map((c: any) => c.id)).not.toContain(empty.json.id);
    const archived = await s.request('GET', '/api/chat/conversations?archived=true');
    expect(archived.json.items.map((c: any) => c.id)).toContain(empty.json.id);
    expect(archived.json.items[0].is_archived).toBe(true);

    // Sending to an archived conversation brings it back.
    await send({ conversation_id: empty.json.id, content: 'back again' });
    const back = await s.request('GET', `/api/chat/conversations/${empty.json.id}`);
    expect(back.json.is_archived).toBe(false);

    const missing = await s.request('GET', '/api/chat/conversations/conv_nope');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
  });

  it('deletes permanently with its messages; items it created stay, unlinked', async () => {
    fake.onClassify({ intent: 'create_todo', title: 'Keep me' });
    const sent = await send({ content: 'add keep me' });
    const card = sent.frames.find((f) => f.type === 'action_card')!;
    const todoId = card.data.payload.id as string;
    expect((await s.request('GET', `/api/todos/${todoId}`)).json.conversation_id).toBe(sent.conversation_id);

    expect(
      (await s.request('DELETE', `/api/chat/conversations/${sent.conversation_id}?permanent=true`)).status,
    ).toBe(204);
    await ws.waitForType(
      'conversation_updated',
      (d) => d.conversation_id === sent.conversation_id && d.deleted === true,
    );
    expect((await s.request('GET', `/api/chat/conversations/${sent.conversation_id}`)).status).toBe(404);
    expect((await s.request('GET', `/api/chat/conversations/${sent.conversation_id}/messages`)).status).toBe(
      404,
    );
    const todo = await s.request('GET', `/api/todos/${todoId}`);
    expect(todo.status).toBe(200);
    expect(todo.json).toMatchObject({ title: 'Keep me', conversation_id: null, message_id: null });
  });
});

describe('messages', () => {
  it('pages newest window first, oldest first within a page, with stable cursors for equal timestamps', async () => {
    fake.onChat('ok');
    const first = await send({ content: 'message 0' });
    const conv = first.conversation_id;
    for (let i = 1; i < 12; i++) await send({ conversation_id: conv, content: `message ${i}` });
    // 24 messages, all at the same (frozen) instant: order falls back to the time-ordered ids.
    const all = await messagesOf(conv);
    expect(all).toHaveLength(24);
    const ids = all.map((m) => m.id);
    expect([...ids].sort()).toEqual(ids);
    expect(all[0].content).toBe('message 0');

    const page1 = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=10`);
    expect(page1.json).toMatchObject({ total: 24, page: 1, limit: 10 });
    expect(page1.json.items.map((m: any) => m.id)).toEqual(ids.slice(14));
    const page2 = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=10&page=2`);
    expect(page2.json.items.map((m: any) => m.id)).toEqual(ids.slice(4, 14));
    const page3 = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=10&page=3`);
    expect(page3.json.items.map((m: any) => m.id)).toEqual(ids.slice(0, 4));
    const past = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=10&page=4`);
    expect(past.json).toMatchObject({ items: [], total: 24 });

    const before = await s.request(
      'GET',
      `/api/chat/conversations/${conv}/messages?limit=10&before=${ids[14]}`,
    );
    expect(before.json.items.map((m: any) => m.id)).toEqual(ids.slice(4, 14));
    const after = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=5&after=${ids[13]}`);
    expect(after.json.items.map((m: any) => m.id)).toEqual(ids.slice(14, 19));

    const mixed = await s.request('GET', `/api/chat/conversations/${conv}/messages?page=1&before=${ids[5]}`);
    expect(mixed.status).toBe(400);
    expect(mixed.json.error.code).toBe('VALIDATION_ERROR');
    expect((await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=201`)).status).toBe(400);
    expect(
      (await s.request('GET', `/api/chat/conversations/${conv}/messages?before=msg_unknown`)).status,
    ).toBe(404);

    // The conversation itself carries the newest 50, oldest first.
    const full = await s.request('GET', `/api/chat/conversations/${conv}`);
    expect(full.json.messages.map((m: any) => m.id)).toEqual(ids);
  });

  it('edits and deletes a message, telling every device', async () => {
    fake.onChat('ok');
    const sent = await send({ content: 'typo here' });
    const base = `/api/chat/conversations/${sent.conversation_id}/messages/${sent.user_message_id}`;
    const edited = await s.request('PUT', base, { content: 'no typo here' });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ id: sent.user_message_id, content: 'no typo here', role: 'user' });
    await ws.waitForType(
      'message_updated',
      (d) => d.id === sent.user_message_id && d.content === 'no typo here',
    );
    expect((await s.request('PUT', base, { content: '' })).status).toBe(400);
    expect(
      (
        await s.request('PUT', `/api/chat/conversations/${sent.conversation_id}/messages/msg_nope`, {
          content: 'x',
        })
      ).status,
    ).toBe(404);

    expect((await s.request('DELETE', base)).status).toBe(204);
    await ws.waitForType(
      'message_deleted',
      (d) => d.id === sent.user_message_id && d.conversation_id === sent.conversation_id,
    );
    expect((await messagesOf(sent.conversation_id)).map((m) => m.id)).toEqual([sent.message_id]);
    expect((await s.request('DELETE', base)).status).toBe(404);
  });

  it('deleting a user message drops the reply queued or streaming for it, with no turn frames and no error', async () => {
    // Queued: the first reply streams slowly; the todo request waits behind it and is deleted.
    fake.onChat({ chunks: ['slow ', 'reply'], delayMs: 250 });
    fake.onClassify((body) =>
      String(body.messages.at(-1).content).includes('dentist')
        ? { intent: 'create_todo', title: 'Call the dentist' }
        : { intent: 'general_chat' },
    );
    const first = await s.request('POST', '/api/chat/send', { content: 'tell me a story' });
    const conv = first.json.conversation_id as string;
    const queued = await s.request('POST', '/api/chat/send', {
      content: 'add call the dentist',
      conversation_id: conv,
    });
    const remove = (id: string) => s.request('DELETE', `/api/chat/conversations/${conv}/messages/${id}`);
    expect((await remove(queued.json.user_message_id)).status).toBe(204);
    await ws.waitForType('message_deleted', (d) => d.id === queued.json.message_id);
    await ws.turn(first.json.message_id);

    // Streaming: the reply goes midway.
    fake.onChat({ chunks: ['one ', 'two ', 'three ', 'four'], delayMs: 150 });
    const streaming = await s.request('POST', '/api/chat/send', { content: 'count', conversation_id: conv });
    await ws.waitForType('stream_chunk', (d) => d.message_id === streaming.json.message_id);
    expect((await remove(streaming.json.user_message_id)).status).toBe(204);
    const gone = await ws.waitForType('message_deleted', (d) => d.id === streaming.json.message_id);

    // The conversation's queue moves on.
    fake.onChat('Still here.');
    const after = await send({ content: 'are you there?', conversation_id: conv });
    expect(after.frames.find((f) => f.type === 'stream_end')!.data.full_content).toBe('Still here.');

    const of = (id: string) => ws.frames.filter((f) => f.data?.message_id === id);
    expect(of(queued.json.message_id)).toEqual([]); // never started
    const goneAt = ws.frames.indexOf(gone);
    expect(of(streaming.json.message_id).filter((f) => ws.frames.indexOf(f) > goneAt)).toEqual([]);
    expect(types(of(streaming.json.message_id))).not.toContain('stream_end');
    expect((await s.request('GET', '/api/todos?q=dentist')).json.total).toBe(0);
    expect((await messagesOf(conv)).map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'complete', 'tell me a story'],
      ['assistant', 'complete', 'slow reply'],
      ['user', 'complete', 'are you there?'],
      ['assistant', 'complete', 'Still here.'],
    ]);
    // A dropped reply is not resumable: its id is gone.
    ws.send('resume', { message_id: streaming.json.message_id, from_index: 0 });
    expect((await ws.waitForType('error', (d) => d.message_id === streaming.json.message_id)).data.code).toBe(
      'NOT_FOUND',
    );
  });
});

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

function parseSse(text: string): { lines: string[]; events: any[] } {
  const lines = text.split('\n\n').filter((l) => l.length > 0);
  for (const line of lines) expect(line.startsWith('data: ')).toBe(true);
  const payloads = lines.map((l) => l.slice('data: '.length));
  return { lines: payloads, events: payloads.filter((p) => p !== '[DONE]').map((p) => JSON.parse(p)) };
}

async function stream(body: unknown, signal?: AbortSignal) {
  return fetch(`${s.url}/api/chat/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

describe('POST /api/chat/stream (SSE)', () => {
  it('streams ids, tokens, done and [DONE] last; the sockets see the same turn', async () => {
    const res = await stream({ content: 'hello' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const { lines, events } = parseSse(await res.text());
    expect(lines.at(-1)).toBe('[DONE]');
    expect(lines.filter((l) => l === '[DONE]')).toHaveLength(1);
    const ids = events[0];
    expect(Object.keys(ids).sort()).toEqual(['conversation_id', 'message_id', 'user_message_id']);
    const tokens = events.filter((e) => 'token' in e).map((e) => e.token);
    expect(tokens.join('')).toBe('Hello from the fake model.');
    expect(events.at(-1)).toMatchObject({ done: true, intent: 'general_chat' });
    expect(events.at(-1).usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });

    const frames = await ws.turn(ids.message_id);
    expect(
      frames
        .filter((f) => f.type === 'stream_chunk')
        .map((f) => f.data.content)
        .join(''),
    ).toBe('Hello from the fake model.');
    const stored = await messagesOf(ids.conversation_id);
    expect(stored.map((m) => m.id)).toEqual([ids.user_message_id, ids.message_id]);
  });

  it('carries the action card after done, and errors inside the stream', async () => {
    fake.onClassify({ intent: 'create_todo', title: 'Stream todo' });
    const action = parseSse(await (await stream({ content: 'add stream todo' })).text()).events;
    const doneAt = action.findIndex((e) => e.done === true);
    expect(action[doneAt]).toMatchObject({ intent: 'create_todo' });
    expect(action[doneAt + 1].action_card).toMatchObject({
      card_type: 'todo_created',
      payload: { title: 'Stream todo' },
    });

    fake.reset();
    fake.onChat(reply.error(500));
    const failed = parseSse(await (await stream({ content: 'hello again' })).text());
    expect(failed.lines.at(-1)).toBe('[DONE]');
    const last = failed.events.at(-1);
    expect(last.error).toMatchObject({ code: 'AI_UNAVAILABLE' });
    expect(failed.events.at(-2)).toMatchObject({ done: true, intent: 'general_chat' });
    expect(failed.events.some((e) => 'token' in e)).toBe(false);

    const invalid = await stream({ content: '' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as any).error.code).toBe('VALIDATION_ERROR');
  });

  it('answers a repeated client_message_id with the first reply, starting nothing new', async () => {
    const body = { content: 'stream once', client_message_id: 'sse-once' };
    const first = parseSse(await (await stream(body)).text()).events;
    const turnCalls = () => fake.requests.filter((b) => !isTitleRequest(b)).length;
    const calls = turnCalls();
    const again = parseSse(await (await stream(body)).text());
    expect(again.lines.at(-1)).toBe('[DONE]');
    expect(again.events[0]).toEqual(first[0]);
    expect(
      again.events
        .filter((e) => 'token' in e)
        .map((e) => e.token)
        .join(''),
    ).toBe('Hello from the fake model.');
    expect(again.events.at(-1)).toMatchObject({ done: true, intent: 'general_chat' });
    expect(turnCalls()).toBe(calls);
  });

  it('completes and stores the turn when the client goes away', async () => {
    fake.onChat({ chunks: ['one ', 'two ', 'three ', 'four'], delayMs: 60 });
    const abort = new AbortController();
    const res = await stream({ content: 'long answer please' }, abort.signal);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const ids = JSON.parse(first.split('\n\n')[0]!.slice('data: '.length));
    abort.abort();
    await ws.waitForType('stream_end', (d) => d.message_id === ids.message_id);
    const stored = await messagesOf(ids.conversation_id);
    expect(stored[1]).toMatchObject({
      id: ids.message_id,
      content: 'one two three four',
      status: 'complete',
    });
  });
});

describe('regenerate and stop', () => {
  it('regenerates the text over the history up to that user message, replacing the old reply', async () => {
    const first = await send({ content: 'tell me a joke' });
    fake.onChat('A different answer.');
    const res = await s.request('POST', `/api/chat/conversations/${first.conversation_id}/regenerate`, {});
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({
      user_message_id: first.user_message_id,
      conversation_id: first.conversation_id,
      status: 'processing',
    });
    expect(res.json.message_id).not.toBe(first.message_id);
    await ws.waitForType('message_deleted', (d) => d.id === first.message_id);
    const frames = await ws.turn(res.json.message_id);
    expect(frames.find((f) => f.type === 'stream_end')!.data.full_content).toBe('A different answer.');
    const stored = await messagesOf(first.conversation_id);
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ['user', 'tell me a joke'],
      ['assistant', 'A different answer.'],
    ]);
    const chatCall = fake.requests.filter((b) => !b.tools && !isTitleRequest(b)).at(-1)!;
    expect(chatCall.messages.at(-1)).toEqual({ role: 'user', content: 'tell me a joke' });
  });

  it('refuses to regenerate a card reply', async () => {
    fake.onClassify({ intent: 'create_todo', title: 'Once only' });
    const sent = await send({ content: 'add once only' });
    const res = await s.request('POST', `/api/chat/conversations/${sent.conversation_id}/regenerate`, {
      message_id: sent.message_id,
    });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('CONFLICT');
    expect((await s.request('POST', '/api/chat/conversations/conv_nope/regenerate', {})).status).toBe(404);
  });

  it('stops a streaming reply, keeping what was produced', async () => {
    fake.onChat({ chunks: ['one ', 'two ', 'three ', 'four ', 'five'], delayMs: 150 });
    const res = await s.request('POST', '/api/chat/send', { content: 'count slowly' });
    await ws.waitForType('stream_chunk', (d) => d.message_id === res.json.message_id);
    const stop = await s.request('POST', `/api/chat/messages/${res.json.message_id}/stop`);
    expect(stop.status).toBe(202);
    const frames = await ws.turn(res.json.message_id);
    const end = frames.find((f) => f.type === 'stream_end')!;
    expect(end.data.full_content.startsWith('one ')).toBe(true);
    expect(end.data.full_content).not.toContain('five');
    expect(frames.some((f) => f.type === 'error')).toBe(false);
    const stored = (await messagesOf(res.json.conversation_id))[1];
    expect(stored).toMatchObject({ status: 'stopped', content: end.data.full_content });
    expect((await s.request('POST', '/api/chat/messages/msg_nope/stop')).status).toBe(404);
  });

  it('a reply deleted while it streams gets nothing after message_deleted; the queue moves on', async () => {
    fake.onChat({ chunks: ['a ', 'b ', 'c ', 'd'], delayMs: 150 });
    const res = await s.request('POST', '/api/chat/send', { content: 'stream then vanish' });
    const conv = res.json.conversation_id as string;
    const next = await s.request('POST', '/api/chat/send', { content: 'and then?', conversation_id: conv });
    await ws.waitForType('stream_chunk', (d) => d.message_id === res.json.message_id);
    const del = await s.request('DELETE', `/api/chat/conversations/${conv}/messages/${res.json.message_id}`);
    expect(del.status).toBe(204);
    const gone = await ws.waitForType('message_deleted', (d) => d.id === res.json.message_id);
    await ws.turn(next.json.message_id); // the next turn of the conversation still runs
    const goneAt = ws.frames.indexOf(gone);
    const later = ws.frames.filter((f, i) => i > goneAt && f.data?.message_id === res.json.message_id);
    expect(later).toEqual([]);
    expect((await messagesOf(conv)).map((m) => [m.role, m.content])).toEqual([
      ['user', 'stream then vanish'],
      ['user', 'and then?'],
      ['assistant', 'a b c d'],
    ]);
  });
});

describe('auto-title', () => {
  it('titles an untitled conversation after its first turn, last in the turn, at most 6 words', async () => {
    fake.script((req) =>
      isTitleRequest(req.body) ? reply.text('"Planning A Very Long Weekend Trip To The Coast."') : undefined,
    );
    const sent = await send({ content: 'help me plan a weekend trip' });
    const titled = await ws.waitForType(
      'conversation_updated',
      (d) => d.conversation_id === sent.conversation_id && d.title !== '',
    );
    expect(titled.data.title).toBe('Planning A Very Long Weekend Trip');
    expect(titled.data.conversation).toMatchObject({
      id: sent.conversation_id,
      title: 'Planning A Very Long Weekend Trip',
    });
    const titleAt = ws.frames.indexOf(titled);
    const endAt = ws.frames.findIndex(
      (f: Frame) => f.type === 'stream_end' && f.data.message_id === sent.message_id,
    );
    expect(titleAt).toBeGreaterThan(endAt);

    fake.script((req) => (isTitleRequest(req.body) ? reply.text('Another title') : undefined));
    await send({ conversation_id: sent.conversation_id, content: 'and what should I pack?' });
    expect((await s.request('GET', `/api/chat/conversations/${sent.conversation_id}`)).json.title).toBe(
      'Planning A Very Long Weekend Trip',
    );
  });

  it('a slow title never holds the next turn up: after ~1.5 s the first words do; a title set meanwhile stays', async () => {
    fake.script((req) => (isTitleRequest(req.body) ? reply.noResponse() : undefined));
    const first = await send({ content: 'help me plan a birthday party please' });
    const endedAt = Date.now();
    const second = await send({ conversation_id: first.conversation_id, content: 'and the cake?' });
    expect(Date.now() - endedAt).toBeLessThan(1_400); // not behind the title's LLM call
    const titled = await ws.waitForType(
      'conversation_updated',
      (d) => d.conversation_id === first.conversation_id && d.title !== '',
      5_000,
    );
    expect(titled.data.title).toBe('help me plan a birthday party');
    const secondEnd = ws.frames.findIndex(
      (f) => f.type === 'stream_end' && f.data.message_id === second.message_id,
    );
    expect(ws.frames.indexOf(titled)).toBeGreaterThan(secondEnd);
    // The title call was given up (the fake sees its connection close).
    for (let i = 0; i < 40 && fake.aborted < 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fake.aborted).toBe(1);

    // The user names the conversation while the title's LLM call hangs: their title stays.
    const other = await send({ content: 'what should I cook tonight' });
    const renamed = await s.request('PATCH', `/api/chat/conversations/${other.conversation_id}`, {
      title: 'Dinner',
    });
    expect(renamed.status).toBe(200);
    // Until the title call is given up, and a little more for the (refused) write.
    for (let i = 0; i < 40 && fake.aborted < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(fake.aborted).toBe(2);
    await new Promise((r) => setTimeout(r, 200));
    expect((await s.request('GET', `/api/chat/conversations/${other.conversation_id}`)).json.title).toBe(
      'Dinner',
    );
  });
});

describe('start-up and shutdown', () => {
  it('shutting down stops streaming turns, so open SSE responses end', async () => {
    const local = await startFakeOpenAI();
    local.onChat(reply.text(['Half ', 'an answer'], { stallAfter: 1 }));
    const server = await startTestServer({ now: NOW, env: aiEnv(local.url) });
    const res = await fetch(`${server.url}/api/chat/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'talk to me' }),
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('token')) text += new TextDecoder().decode((await reader.read()).value);
    const started = Date.now();
    const closing = server.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await closing;
    expect(Date.now() - started).toBeLessThan(5_000); // not the 60 s idle timeout
    const { lines, events } = parseSse(text);
    expect(lines.at(-1)).toBe('[DONE]');
    expect(events.find((e) => e.done)).toMatchObject({ intent: 'general_chat' });
    await local.close();
  });

  it('marks replies a crash left streaming as failed, keeping their text', async () => {
    const dataDir = makeTempDir();
    const first = await startTestServer({ now: NOW, dataDir });
    const sock = await connectWs(first);
    const res = await first.request('POST', '/api/chat/send', { content: 'hello' });
    await sock.turn(res.json.message_id);
    await sock.close();
    await first.close();
    // What a kill -9 in the middle of a stream leaves behind.
    const direct = await createDatabase(first.config.database, { migrate: false });
    await direct.db
      .updateTable('messages')
      .set({ status: 'streaming', content: 'partial answer', message_type: 'text' })
      .where('id', '=', res.json.message_id)
      .execute();
    await direct.close();

    const second = await startTestServer({ now: NOW, dataDir });
    const stored = (
      await second.request('GET', `/api/chat/conversations/${res.json.conversation_id}/messages`)
    ).json.items;
    expect(stored[1]).toMatchObject({
      id: res.json.message_id,
      status: 'failed',
      content: 'partial answer',
      metadata: { truncated: true },
    });
    await second.close();
  });

  it('keeps the text streamed before a kill -9; a shutdown mid-stream stores failed (not stopped), truncated', async () => {
    const local = await startFakeOpenAI();
    const dataDir = makeTempDir();
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:///${path.join(dataDir, 'clawchat.db')}`,
      PIN: '424242',
      ENABLE_SCHEDULER: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      ...aiEnv(local.url),
    };
    const procs: ServerProcess[] = [];
    const boot = async () => {
      const proc = await spawnServer(env);
      procs.push(proc);
      const login = await fetch(`${proc.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pin: '424242' }),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      const call = async (method: string, p: string, body?: unknown) =>
        (await fetch(`${proc.url}${p}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then((r) => r.json())) as any;
      return {
        proc,
        call,
        sock: await connectWs({ wsUrl: proc.url.replace('http', 'ws'), token: access_token }),
      };
    };
    try {
      local.onChat({ chunks: ['First part, ', 'second part, ', 'third part.'], delayMs: 600 });
      const one = await boot();
      const sent = await one.call('POST', '/api/chat/send', { content: 'tell me slowly' });
      await one.sock.waitForType('stream_chunk', (d) => d.message_id === sent.message_id && d.index === 1);
      await new Promise((r) => setTimeout(r, 250)); // before the third chunk (600 ms apart)
      await one.proc.kill();

      const two = await boot();
      const after = await two.call('GET', `/api/chat/conversations/${sent.conversation_id}`);
      expect(after.messages[1]).toMatchObject({
        id: sent.message_id,
        status: 'failed',
        content: 'First part, second part, ',
        metadata: { truncated: true },
      });

      // SIGTERM while a reply streams: `stopped` is only for `stop`.
      const again = await two.call('POST', '/api/chat/send', { content: 'and again' });
      await two.sock.waitForType('stream_chunk', (d) => d.message_id === again.message_id);
      await two.proc.stop();
      const three = await boot();
      const stored = (await three.call('GET', `/api/chat/conversations/${again.conversation_id}`))
        .messages[1];
      expect(stored).toMatchObject({ id: again.message_id, status: 'failed', metadata: { truncated: true } });
      expect(stored.content.startsWith('First part, ')).toBe(true);
      await three.sock.close();
    } finally {
      for (const proc of procs) if (proc.child.exitCode === null) await proc.stop();
      await local.close();
    }
  }, 60_000);
});
