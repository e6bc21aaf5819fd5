/**
 * The SSE route (POST /api/chat/stream), regenerate and stop.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { reply, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { isTitleRequest, parseSse, useChatServer } from '../../../test/helpers/chat.js';
import type { TestServer } from '../../../test/helpers/server.js';
import type { WsClient } from '../../../test/helpers/ws.js';

const { server, send, messagesOf, stream } = useChatServer('Fake title');
let fake: FakeOpenAI, s: TestServer, ws: WsClient;
beforeAll(() => void ({ fake, s, ws } = server));

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
