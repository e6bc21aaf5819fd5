/**
 * Every way the LLM can fail inside a turn: the turn still ends (stream_end, and an error
 * frame when it failed) with a readable explanation stored. AI_TIMEOUT_SECONDS=1 makes the
 * idle timeout short enough to test stalls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl, reply, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { CHAT_NOW as NOW, useChatServer } from '../../../test/helpers/chat.js';
import { aiEnv, useFakeOpenAI } from '../../../test/helpers/llm-server.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, types, type WsClient } from '../../../test/helpers/ws.js';

async function turnOf(server: TestServer, sock: WsClient, content: string) {
  const res = await server.request('POST', '/api/chat/send', { content });
  expect(res.status).toBe(202);
  const frames = (await sock.turn(res.json.message_id)).filter((f) => f.type !== 'conversation_updated');
  const stored = (await server.request('GET', `/api/chat/conversations/${res.json.conversation_id}/messages`))
    .json.items[1];
  return { frames, stored, end: frames.find((f) => f.type === 'stream_end')!.data, ids: res.json };
}

/** A failed turn: stream_start -> stream_end (the stored explanation) -> error. */
function expectFailed(t: Awaited<ReturnType<typeof turnOf>>, code: string) {
  expect(types(t.frames).slice(0, 3)).toEqual(['stream_start', 'stream_end', 'error']);
  expect(t.frames[2]!.data).toMatchObject({ message_id: t.ids.message_id, code });
  expect(t.frames[2]!.data.message).toEqual(expect.any(String));
  expect(t.stored).toMatchObject({
    role: 'assistant',
    message_type: 'system',
    status: 'failed',
    content: t.end.full_content,
  });
  expect(t.end.full_content.length).toBeGreaterThan(10);
}

describe('with the LLM unreachable (connection refused)', () => {
  let s: TestServer;
  let sock: WsClient;
  beforeAll(async () => {
    s = await startTestServer({ now: NOW, env: aiEnv(await closedPortUrl()) });
    sock = await connectWs(s);
  });
  afterAll(async () => {
    await sock.close();
    await s.close();
  });

  it('free-form chat fails with AI_UNAVAILABLE and a stored explanation', async () => {
    const t = await turnOf(s, sock, 'what do you think about jazz?');
    expectFailed(t, 'AI_UNAVAILABLE');
    expect(t.end.full_content).toMatch(/AI provider/);
  });

  it('data intents still work through the offline understander', async () => {
    const t = await turnOf(s, sock, 'add buy milk tomorrow');
    expect(t.end.intent).toBe('create_todo');
    expect(t.frames.find((f) => f.type === 'action_card')!.data.card_type).toBe('todo_created');
    expect(t.frames.some((f) => f.type === 'error')).toBe(false);
  });
});

describe('with a misbehaving LLM', () => {
  const { server } = useChatServer('Title', { env: { AI_TIMEOUT_SECONDS: '1' } });
  let fake: FakeOpenAI, s: TestServer, sock: WsClient;
  beforeAll(() => void ({ fake, s, ws: sock } = server));

  it('HTTP 500 on the chat call: AI_UNAVAILABLE', async () => {
    fake.onChat(reply.error(500, 'model exploded'));
    expectFailed(await turnOf(s, sock, 'tell me something'), 'AI_UNAVAILABLE');
  });

  it('HTTP 500 on classification: the offline understander takes over', async () => {
    fake.onClassify(reply.error(500));
    const t = await turnOf(s, sock, 'add call the bank tomorrow');
    expect(t.end.intent).toBe('create_todo');
    expect(t.frames.find((f) => f.type === 'action_card')!.data.payload.title).toMatch(/call the bank/i);
  });

  it('a stream cut midway keeps the text, marks it truncated and ends normally', async () => {
    fake.onChat({ chunks: ['Hello', ' wor', 'ld'], cutAfter: 2 });
    const t = await turnOf(s, sock, 'say hello');
    expect(types(t.frames).filter((x) => x !== 'stream_chunk')).toEqual(['stream_start', 'stream_end']);
    expect(t.end.full_content).toBe('Hello wor');
    expect(t.stored).toMatchObject({
      status: 'complete',
      message_type: 'text',
      content: 'Hello wor',
      metadata: { truncated: true },
    });
  });

  it('a stall after some text ends at the idle timeout, truncated', async () => {
    fake.onChat({ chunks: ['Partial', ' answer'], stallAfter: 1 });
    const t = await turnOf(s, sock, 'go slowly');
    expect(t.end.full_content).toBe('Partial');
    expect(t.frames.some((f) => f.type === 'error')).toBe(false);
    expect(t.stored.metadata).toEqual({ truncated: true });
  });

  it('a stall before any text is AI_UNAVAILABLE', async () => {
    fake.onChat(reply.stall());
    expectFailed(await turnOf(s, sock, 'anyone there?'), 'AI_UNAVAILABLE');
  });

  it('invalid tool-call JSON falls back to the offline understander', async () => {
    fake.onClassify(reply.toolCall('{"intent": "create_todo", "title": '));
    const t = await turnOf(s, sock, 'add renew passport tomorrow');
    expect(t.end.intent).toBe('create_todo');
    expect(t.frames.some((f) => f.type === 'error')).toBe(false);
  });

  it('an unknown intent becomes general_chat', async () => {
    fake.onClassify({ intent: 'launch_rocket' });
    fake.onChat('No rockets today.');
    const t = await turnOf(s, sock, 'launch the rocket');
    expect(t.end).toMatchObject({ intent: 'general_chat', full_content: 'No rockets today.' });
  });

  it('a service refusing the request fails the turn with its code and a readable message', async () => {
    fake.onClassify({
      intent: 'create_event',
      title: 'Backwards',
      start_time: '2026-03-12T15:00:00',
      end_time: '2026-03-12T14:00:00',
    });
    const t = await turnOf(s, sock, 'backwards meeting');
    expectFailed(t, 'UNPROCESSABLE');
    expect((await s.request('GET', '/api/events?q=backwards')).json.total).toBe(0);
  });
});

describe('the provider health probe', () => {
  const fake = useFakeOpenAI();
  const boot = () =>
    startTestServer({
      now: NOW,
      env: aiEnv(fake.url),
    });

  it('counts a provider without a /models route (404) as reachable: the LLM still classifies', async () => {
    fake.script((req) => (req.method === 'GET' ? reply.error(404) : undefined));
    const s = await boot();
    const sock = await connectWs(s);
    try {
      expect((await s.request('GET', '/api/health')).json).toMatchObject({
        ai_connected: true,
        status: 'ok',
      });
      fake.onClassify({ intent: 'create_memo', title: 'Locker', content: 'my locker code is 1234' });
      const t = await turnOf(s, sock, 'remember that my locker code is 1234');
      expect(t.end.intent).toBe('create_memo');
      expect(t.frames.find((f) => f.type === 'action_card')!.data.payload.title).toBe('Locker');
      expect(fake.requests.filter((b) => b.tools)).toHaveLength(1);
    } finally {
      await sock.close();
      await s.close();
    }
  });

  it('while the probe says down (5xx), the briefing skips the LLM at once and uses the template', async () => {
    fake.script((req) => (req.method === 'GET' ? reply.error(503) : undefined));
    fake.onChat(reply.noResponse());
    const s = await boot();
    const sock = await connectWs(s);
    try {
      expect((await s.request('GET', '/api/health')).json).toMatchObject({ ai_connected: false });
      const started = Date.now();
      const t = await turnOf(s, sock, 'brief me');
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(t.end.intent).toBe('daily_briefing');
      expect(t.end.full_content).toMatch(/briefing for Tuesday, March 10/);
      expect(fake.requests).toHaveLength(0); // neither the classifier nor the briefing called it
    } finally {
      await sock.close();
      await s.close();
    }
  });
});
