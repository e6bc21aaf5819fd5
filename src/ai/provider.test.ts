import { describe, expect, it } from 'vitest';
import { closedPortUrl, reply } from '../../test/fakes/fake-openai.js';
import { useFakeOpenAI } from '../../test/helpers/llm-server.js';
import { aiConfig } from '../../test/helpers/ai-config.js';
import { createAiProvider } from './provider.js';
import { AiUnavailableError, type ChatMessage } from './types.js';

const hello: ChatMessage[] = [{ role: 'user', content: 'Say hello' }];

describe('AI provider over a fake OpenAI-compatible server', () => {
  const fake = useFakeOpenAI();

  it('streams the deltas in order and reports usage', async () => {
    fake.onChat({ chunks: ['Hel', 'lo', ', world'], usage: { prompt_tokens: 12, completion_tokens: 3 } });
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }));
    const deltas: string[] = [];

    const result = await provider.streamChat(hello, { onDelta: (d) => deltas.push(d) });

    expect(deltas).toEqual(['Hel', 'lo', ', world']);
    expect(result).toEqual({
      content: 'Hello, world',
      usage: { prompt_tokens: 12, completion_tokens: 3 },
      truncated: false,
      aborted: false,
    });
    expect(fake.requests[0]).toMatchObject({
      model: 'test-model',
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it.each(['', '/v1', '/v1/', '/'])(
    'calls /v1/chat/completions for a base URL ending in "%s"',
    async (suffix) => {
      const provider = createAiProvider(aiConfig({ baseUrl: `${fake.url}${suffix}` }));
      const result = await provider.streamChat(hello, { onDelta: () => {} });
      expect(result.content).toBe('Hello from the fake model.');
      expect(fake.log.map((r) => r.path)).toContain('/v1/chat/completions');
    },
  );

  it('sends the configured API key, and no Authorization header without one', async () => {
    await createAiProvider(aiConfig({ baseUrl: fake.url, apiKey: 'sk-test-123' })).complete(hello);
    await createAiProvider(aiConfig({ baseUrl: fake.url })).complete(hello);
    const auth = fake.log
      .filter((r) => r.path === '/v1/chat/completions')
      .map((r) => r.headers.authorization);
    expect(auth[0]).toBe('Bearer sk-test-123');
    expect(auth[1]).toBeUndefined();
    await createAiProvider(aiConfig({ baseUrl: fake.url })).streamChat(hello, { onDelta: () => {} });
    expect(fake.log.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('fails fast with AiUnavailableError when the connection is refused', async () => {
    const provider = createAiProvider(aiConfig({ baseUrl: await closedPortUrl() }));
    const started = Date.now();
    const error = await provider.streamChat(hello, { onDelta: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiUnavailableError);
    expect((error as Error).message).toMatch(/cannot be reached \(connection refused\)/);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The refusal is remembered: callers can skip the provider at once.
    expect(provider.isDown()).toBe(true);
    await expect(provider.complete(hello)).rejects.toBeInstanceOf(AiUnavailableError);
  });

  it('turns an HTTP error before any text into AiUnavailableError with the status', async () => {
    fake.onChat(reply.error(500, 'model exploded'));
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }));
    const error = await provider.streamChat(hello, { onDelta: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiUnavailableError);
    expect((error as Error).message).toBe('The AI provider answered with HTTP 500: model exploded.');
    expect(fake.requests).toHaveLength(1); // no client retries
  });

  it('keeps the text of a stream cut midway and marks it truncated', async () => {
    fake.onChat({ chunks: ['one ', 'two ', 'three'], cutAfter: 2 });
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }));
    const deltas: string[] = [];
    const result = await provider.streamChat(hello, { onDelta: (d) => deltas.push(d) });
    expect(result).toMatchObject({ content: 'one two ', truncated: true, aborted: false });
    expect(deltas).toEqual(['one ', 'two ']);
  });

  it('ends a stalled stream with the idle timeout: truncated after text, unavailable before', async () => {
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }), { idleTimeoutMs: 300 });

    fake.onChat({ chunks: ['partial', ' never'], stallAfter: 1 });
    const started = Date.now();
    const result = await provider.streamChat(hello, { onDelta: () => {} });
    expect(result).toMatchObject({ content: 'partial', truncated: true, aborted: false });
    expect(Date.now() - started).toBeLessThan(2_000);

    fake.onChat(reply.stall()); // headers, then nothing
    const error = await provider.streamChat(hello, { onDelta: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiUnavailableError);
    expect((error as Error).message).toMatch(/stopped responding/);
  });

  it('gives up waiting for a first response after the connect timeout', async () => {
    fake.onChat(reply.noResponse());
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }), { connectTimeoutMs: 300 });
    const started = Date.now();
    const error = await provider.streamChat(hello, { onDelta: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiUnavailableError);
    expect((error as Error).message).toMatch(/did not respond within 0\.3 s/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops on abort mid-stream and returns the text so far without throwing', async () => {
    fake.onChat({ chunks: ['a', 'b', 'c', 'd', 'e', 'f'], delayMs: 40 });
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }));
    const controller = new AbortController();
    const result = await provider.streamChat(hello, {
      signal: controller.signal,
      onDelta: (d) => {
        if (d === 'b') controller.abort();
      },
    });
    expect(result).toMatchObject({ content: 'ab', truncated: false, aborted: true });

    const already = await provider.streamChat(hello, { signal: AbortSignal.abort(), onDelta: () => {} });
    expect(already).toMatchObject({ content: '', aborted: true });
  });

  it('complete() returns the whole answer without streaming', async () => {
    fake.onChat('A short title');
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }));
    expect(await provider.complete(hello, { maxTokens: 20 })).toBe('A short title');
    expect(fake.requests[0]?.stream).toBeUndefined();
    expect(fake.requests[0]?.max_tokens).toBe(20);

    fake.onChat(reply.error(503));
    await expect(provider.complete(hello)).rejects.toThrow(/HTTP 503/);
  });

  it('complete() gives up on a response that never finishes', async () => {
    fake.onChat(reply.noResponse());
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }), { requestTimeoutMs: 300 });
    await expect(provider.complete(hello)).rejects.toBeInstanceOf(AiUnavailableError);
  });

  it('complete() gets the connect (first byte) timeout of streaming, and stops on its signal', async () => {
    fake.onChat(reply.noResponse());
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }), { connectTimeoutMs: 200 });
    const started = Date.now();
    const error = await provider.complete(hello).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiUnavailableError);
    expect((error as Error).message).toMatch(/did not respond within 0\.2 s/);
    expect(Date.now() - started).toBeLessThan(2_000);

    const stop = new AbortController();
    const slow = createAiProvider(aiConfig({ baseUrl: fake.url }));
    const pending = slow.complete(hello, { signal: stop.signal }).catch((e: unknown) => e);
    setTimeout(() => stop.abort(), 100);
    expect(((await pending) as Error).name).toBe('AbortError');
  });

  it('uses max_completion_tokens with AI_PROVIDER=openai', async () => {
    const provider = createAiProvider(aiConfig({ provider: 'openai', baseUrl: fake.url, apiKey: 'sk-x' }));
    await provider.complete(hello, { maxTokens: 50 });
    expect(fake.requests[0]).toMatchObject({ max_completion_tokens: 50 });
    expect(fake.requests[0]?.max_tokens).toBeUndefined();
  });

  it('assembles a tool call streamed in pieces', async () => {
    fake.onClassify(reply.toolCall({ intent: 'create_todo', title: 'Buy milk' }, { chunks: 5 }));
    const provider = createAiProvider(aiConfig({ baseUrl: fake.url }));
    const answer = await provider.request({
      messages: hello,
      tools: [{ type: 'function', function: { name: 'classify_intent', parameters: { type: 'object' } } }],
    });
    expect(answer.toolCalls).toEqual([
      { name: 'classify_intent', arguments: JSON.stringify({ intent: 'create_todo', title: 'Buy milk' }) },
    ]);
  });

  it('reports health from a cached probe', async () => {
    const up = createAiProvider(aiConfig({ baseUrl: fake.url }));
    expect(await up.health()).toBe(true);
    expect(await up.health()).toBe(true);
    expect(fake.log.filter((r) => r.path === '/v1/models')).toHaveLength(1);
    expect(up.isDown()).toBe(false);

    const down = createAiProvider(aiConfig({ baseUrl: await closedPortUrl() }));
    expect(await down.health()).toBe(false);
    expect(down.isDown()).toBe(true);
  });

  it('is disabled with AI_PROVIDER=none', async () => {
    const provider = createAiProvider(aiConfig({ provider: 'none' }));
    expect(provider.enabled).toBe(false);
    expect(await provider.health()).toBeNull();
    await expect(provider.streamChat(hello, { onDelta: () => {} })).rejects.toBeInstanceOf(
      AiUnavailableError,
    );
    await expect(provider.complete(hello)).rejects.toBeInstanceOf(AiUnavailableError);
  });
});
