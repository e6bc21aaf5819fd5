import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';

describe('fake OpenAI-compatible server', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  const post = (body: unknown) =>
    fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers a plain request with the default text and usage', async () => {
    const res = await post({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    const json = (await res.json()) as any;
    expect(json.object).toBe('chat.completion');
    expect(json.choices[0].message).toEqual({ role: 'assistant', content: 'Hello from the fake model.' });
    expect(json.usage.total_tokens).toBeGreaterThan(0);
    expect(fake.requests).toEqual([{ model: 'm', messages: [{ role: 'user', content: 'hi' }] }]);
  });

  it('streams SSE chunks, the usage chunk and [DONE]', async () => {
    const res = await post({
      model: 'm',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('Hello from the fake model.');
    expect(chunks.filter((c) => c.choices[0]?.delta?.content)).toHaveLength(3);
    expect(chunks.at(-1).usage).toBeDefined();
  });

  it('answers a tools request with a tool call, whole or in pieces', async () => {
    fake.onClassify({ intent: 'search', query: 'VLA' });
    const whole = (await (await post({ model: 'm', messages: [], tools: [{}] })).json()) as any;
    expect(whole.choices[0].finish_reason).toBe('tool_calls');
    expect(JSON.parse(whole.choices[0].message.tool_calls[0].function.arguments)).toEqual({
      intent: 'search',
      query: 'VLA',
    });

    const events = (await (await post({ model: 'm', messages: [], tools: [{}], stream: true })).text())
      .split('\n\n')
      .filter((e) => e && e !== 'data: [DONE]')
      .map((e) => JSON.parse(e.slice('data: '.length)));
    const pieces = events
      .flatMap((c) => c.choices[0]?.delta?.tool_calls ?? [])
      .map((t: any) => t.function.arguments);
    expect(pieces.filter(Boolean).length).toBeGreaterThan(1);
    expect(JSON.parse(pieces.join(''))).toEqual({ intent: 'search', query: 'VLA' });
  });

  it('serves queued replies first, then the defaults', async () => {
    fake.queue(reply.error(500, 'boom'));
    const failed = await post({ model: 'm', messages: [] });
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as any).error.message).toBe('boom');
    expect((await post({ model: 'm', messages: [] })).status).toBe(200);
  });

  it('lists models and answers unknown paths with 404', async () => {
    const models = (await (await fetch(`${fake.url}/v1/models`)).json()) as any;
    expect(models.data[0].id).toBe('fake-model');
    expect((await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
