import { describe, expect, it } from 'vitest';
import { closedPortUrl, reply } from '../../test/fakes/fake-openai.js';
import { useFakeOpenAI } from '../../test/helpers/llm-server.js';
import { aiConfig } from '../../test/helpers/ai-config.js';
import type { Config } from '../config.js';
import { createClassifier, type OfflineUnderstander } from './classifier.js';
import type { Classification } from './intents.js';
import { createAiProvider } from './provider.js';
import type { ClassifyInput } from './types.js';

// Monday 2026-03-02 05:30 in Seoul (+09:00) is still Sunday in UTC: a slip shows.
const NOW = new Date('2026-03-01T20:30:00Z');
const SEOUL = 'Asia/Seoul';

/** A stand-in for the offline understander: reads two fixed phrases. */
const offline: OfflineUnderstander = (text) => {
  if (text.startsWith('add ')) return { intent: 'create_todo', params: { title: text.slice(4) } };
  if (text.includes('tomorrow at 3pm')) {
    return { intent: 'create_event', params: { title: 'Meeting', start_time: '2026-03-03T15:00:00' } };
  }
  return { intent: 'general_chat', params: {} };
};

function input(text: string, extra: Partial<ClassifyInput> = {}): ClassifyInput {
  return { text, now: NOW, timezone: SEOUL, history: [], ...extra };
}

describe('LLM classifier over a fake OpenAI-compatible server', () => {
  const fake = useFakeOpenAI();

  function classifier(overrides: Partial<Config['ai']> = {}, timeouts: { connectTimeoutMs?: number } = {}) {
    const ai = aiConfig({ baseUrl: fake.url, ...overrides });
    const provider = createAiProvider(ai, { idleTimeoutMs: 1_000 });
    return createClassifier({ provider, ai, offline, ...timeouts });
  }
  const chatRequests = () => fake.requests;

  it('forces the classify_intent tool and returns its validated arguments', async () => {
    fake.onClassify({
      intent: 'create_todo',
      title: '  Buy milk ',
      due_date: '2026-03-03',
      priority: 'High',
      tags: ['home', '#errands', 'home'],
    });
    const result = await classifier().classify(input('add buy milk tomorrow, high priority'));

    expect(result).toEqual<Classification & { source: string }>({
      intent: 'create_todo',
      params: { title: 'Buy milk', due_date: '2026-03-03', priority: 'high', tags: ['home', 'errands'] },
      source: 'llm',
    });
    const body = chatRequests()[0]!;
    expect(body.tools).toHaveLength(1);
    expect(body.tools[0].function.name).toBe('classify_intent');
    expect(body.tools[0].function.parameters.properties.intent.enum).toHaveLength(17);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'classify_intent' } });
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'add buy milk tomorrow, high priority' });
  });

  it('drops every argument that fails validation', async () => {
    fake.onClassify({
      intent: 'create_event',
      title: 42,
      description: '',
      priority: 'super',
      status: 'done',
      tags: 'work',
      reminder_minutes: 50_000,
      is_all_day: 'maybe',
      recurrence_rule: 'FREQ=SECONDLY',
      start_time: 'not a date at all',
      location: '  Cafe Onion  ',
      end_time: '2026-03-03T07:00:00Z',
      target: 'x'.repeat(600),
      task_type: 'cooking',
      unknown_param: 'ignored',
    });
    const result = await classifier().classify(input('coffee at Cafe Onion'));
    expect(result).toEqual({
      intent: 'create_event',
      // An instant with Z becomes the owner's wall-clock time: 07:00Z is 16:00 in Seoul.
      params: { location: 'Cafe Onion', end_time: '2026-03-03T16:00:00' },
      source: 'llm',
    });
  });

  it('keeps well-formed optional values, small-model spellings included', async () => {
    fake.onClassify({
      intent: 'create_event',
      title: 'Standup',
      start_time: '2026-03-09 09:30',
      is_all_day: 'false',
      reminder_minutes: '15',
      recurrence_rule: 'RRULE:freq=weekly;byday=MO',
    });
    const result = await classifier().classify(input('weekly standup mondays 9:30'));
    expect(result.params).toEqual({
      title: 'Standup',
      start_time: '2026-03-09T09:30:00',
      is_all_day: false,
      reminder_minutes: 15,
      recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO',
    });
  });

  it('turns an unknown intent into general_chat', async () => {
    fake.onClassify({ intent: 'order_pizza', query: 'pepperoni' });
    const result = await classifier().classify(input('order me a pizza'));
    expect(result).toEqual({ intent: 'general_chat', params: { query: 'pepperoni' }, source: 'llm' });
  });

  it('re-resolves a relative date in the owner zone', async () => {
    fake.onClassify({
      intent: 'create_event',
      title: 'Dentist',
      start_time: 'tomorrow at 3pm',
      due_date: 'Friday',
    });
    const result = await classifier().classify(input('dentist tomorrow at 3pm'));
    // Seoul is on Monday 2026-03-02 although UTC is still on Sunday.
    expect(result.params.start_time).toBe('2026-03-03T15:00:00');
    expect(result.params.due_date).toBe('2026-03-06');
  });

  it('prefers the offline date when the LLM slipped by the zone offset, not when it read differently', async () => {
    fake.onClassify({ intent: 'create_event', title: 'Meeting', start_time: '2026-03-03T06:00:00' });
    const slipped = await classifier().classify(input('meeting tomorrow at 3pm'));
    expect(slipped.params.start_time).toBe('2026-03-03T15:00:00');

    fake.onClassify({ intent: 'create_event', title: 'Meeting', start_time: '2026-03-06T15:00:00' });
    const different = await classifier().classify(input('meeting tomorrow at 3pm'));
    expect(different.params.start_time).toBe('2026-03-06T15:00:00');

    fake.onClassify({ intent: 'create_event', title: 'Meeting' });
    const missing = await classifier().classify(input('meeting tomorrow at 3pm'));
    expect(missing).toMatchObject({ source: 'llm', params: { start_time: '2026-03-03T15:00:00' } });
  });

  it('reads the JSON from the reply text when the model ignores the tool', async () => {
    fake.onClassify(
      reply.text('Sure!\n```json\n{"intent": "create_memo", "content": "wifi password is 1234"}\n```'),
    );
    const c = classifier();
    const result = await c.classify(input('note: wifi password is 1234'));
    expect(result).toEqual({
      intent: 'create_memo',
      params: { content: 'wifi password is 1234' },
      source: 'llm',
    });
    expect(chatRequests()).toHaveLength(1);
    expect(c.stepFor('test-model')).toBe('text_json');
  });

  it('unwraps a tool call written as text, the way Ollama models do', async () => {
    fake.onClassify(
      reply.text('{"name": "classify_intent", "parameters": {"intent": "search", "query": "VLA"}}'),
    );
    const result = await classifier().classify(input('search VLA'));
    expect(result).toEqual({ intent: 'search', params: { query: 'VLA' }, source: 'llm' });
  });

  it('retries once in JSON mode, then starts there for that model', async () => {
    fake.onClassify((body) =>
      body.tools ? reply.text('I would love to help with that!') : { intent: 'daily_briefing' },
    );
    const c = classifier();

    const first = await c.classify(input('brief me'));
    expect(first).toEqual({ intent: 'daily_briefing', params: {}, source: 'llm' });
    expect(chatRequests()).toHaveLength(2);
    expect(chatRequests()[1]).toMatchObject({ response_format: { type: 'json_object' } });
    expect(chatRequests()[1]?.tools).toBeUndefined();
    expect(c.stepFor('test-model')).toBe('json_mode');

    const second = await c.classify(input('brief me again'));
    expect(second.intent).toBe('daily_briefing');
    expect(chatRequests()).toHaveLength(3);
    expect(chatRequests()[2]).toMatchObject({ response_format: { type: 'json_object' } });
  });

  it('retries in JSON mode after broken tool-call JSON or a refused tools request', async () => {
    fake.onClassify((body) =>
      body.tools
        ? reply.toolCall('{"intent": "create_todo", "title": ')
        : { intent: 'create_todo', title: 'Call mom' },
    );
    expect(await classifier().classify(input('remind me to call mom'))).toMatchObject({
      intent: 'create_todo',
      params: { title: 'Call mom' },
      source: 'llm',
    });

    fake.reset();
    fake.onClassify((body) =>
      body.tools ? reply.error(400, 'test-model does not support tools') : { intent: 'query_todos' },
    );
    expect(await classifier().classify(input('my open tasks'))).toMatchObject({
      intent: 'query_todos',
      source: 'llm',
    });
  });

  it('falls back to the offline understander when nothing usable comes back', async () => {
    fake.onClassify(reply.text('no idea'));
    const result = await classifier().classify(input('add buy milk'));
    expect(result).toEqual({ intent: 'create_todo', params: { title: 'buy milk' }, source: 'offline' });
    expect(chatRequests()).toHaveLength(2);
  });

  it('answers offline when the provider errors, times out or is down', async () => {
    fake.onClassify(reply.error(500));
    expect(await classifier().classify(input('add buy milk'))).toMatchObject({
      intent: 'create_todo',
      source: 'offline',
    });
    expect(chatRequests()).toHaveLength(1);

    fake.onClassify(reply.noResponse());
    const started = Date.now();
    const slow = await classifier({}, { connectTimeoutMs: 200 }).classify(input('add buy milk'));
    expect(slow.source).toBe('offline');
    expect(Date.now() - started).toBeLessThan(2_000);

    const refused = await classifier({ baseUrl: await closedPortUrl() }).classify(input('add buy milk'));
    expect(refused).toEqual({ intent: 'create_todo', params: { title: 'buy milk' }, source: 'offline' });
  });

  it('skips the LLM at once while the health probe says it is down', async () => {
    fake.script((req) => (req.path === '/v1/models' ? reply.error(503) : undefined));
    const ai = aiConfig({ baseUrl: fake.url });
    const provider = createAiProvider(ai);
    expect(await provider.health()).toBe(false);
    const result = await createClassifier({ provider, ai, offline }).classify(input('add buy milk'));
    expect(result.source).toBe('offline');
    expect(chatRequests()).toHaveLength(0);
  });

  it('goes straight to the offline understander with AI_PROVIDER=none', async () => {
    const ai = aiConfig({ provider: 'none' });
    const result = await createClassifier({ provider: createAiProvider(ai), ai, offline }).classify(
      input('add tea'),
    );
    expect(result).toEqual({ intent: 'create_todo', params: { title: 'tea' }, source: 'offline' });
  });

  it('gives the model the local date-time with offset, weekday, zone and the recent turns', async () => {
    await classifier().classify(
      input('move it to Friday', {
        history: [
          { role: 'user', content: 'dentist tomorrow at 3pm' },
          { role: 'assistant', content: 'Added "Dentist" for Tue 3 Mar at 15:00.' },
        ],
      }),
    );
    const system = chatRequests()[0]!.messages[0];
    expect(system.role).toBe('system');
    expect(system.content).toContain('2026-03-02T05:30:00+09:00');
    expect(system.content).toContain('Monday');
    expect(system.content).toContain('Asia/Seoul');
    expect(system.content).toContain('Fri 2026-03-06');
    expect(system.content).toContain('User: dentist tomorrow at 3pm');
    expect(system.content).toContain('Assistant: Added "Dentist" for Tue 3 Mar at 15:00.');
  });

  it('rejects when the turn is aborted', async () => {
    fake.onClassify(reply.noResponse());
    const controller = new AbortController();
    const pending = classifier().classify(input('add milk'), controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
