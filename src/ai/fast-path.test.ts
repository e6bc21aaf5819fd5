/**
 * The offline fast path beside an LLM (issue 18): an obvious command is acted on without the
 * LLM; everything else still goes to the LLM, whose answer wins. A real fake OpenAI server
 * over HTTP answers slowly, as models do; the shipped offline understander reads.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeOpenAI, type FakeOpenAI } from '../../test/fakes/fake-openai.js';
import type { Config } from '../config.js';
import { createClassifier } from './classifier.js';
import { fastPath, understandOffline } from './offline/understand.js';
import { createAiProvider } from './provider.js';
import type { ClassifyInput } from './types.js';

// Tuesday 2026-03-10, 10:00 in Seoul.
const NOW = new Date('2026-03-10T01:00:00Z');
const SEOUL = 'Asia/Seoul';
// Three chunks of 120 ms: a quick hosted model's tool call.
const LLM_DELAY_MS = 120;

const input = (text: string): ClassifyInput => ({ text, now: NOW, timezone: SEOUL, history: [] });

describe('the fast path with an LLM configured', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  function classifier(provider: Config['ai']['provider'] = 'openai') {
    const ai: Config['ai'] = {
      provider,
      baseUrl: fake.url,
      apiKey: null,
      model: 'fake',
      shareContext: true,
      systemPrompt: null,
      timeoutSeconds: 60,
      fastPath: true,
    };
    return createClassifier({
      provider: createAiProvider(ai),
      ai,
      offline: understandOffline,
      fast: fastPath,
    });
  }

  const LLM_ANSWER = { intent: 'create_todo', title: 'What the LLM read' };
  const slowLlm = () => fake.onClassify(reply.toolCall(LLM_ANSWER, { delayMs: LLM_DELAY_MS }));

  it('acts on an obvious command at once, without asking the LLM', async () => {
    slowLlm();
    const c = classifier();
    const cases = [
      ['remind me to call mom at 6pm', 'create_todo', { title: 'call mom', due_date: '2026-03-10T18:00:00' }],
      [
        'schedule a design review tomorrow from 2pm to 4pm',
        'create_event',
        { title: 'design review', start_time: '2026-03-11T14:00:00', end_time: '2026-03-11T16:00:00' },
      ],
      ['note: the wifi password is hunter2', 'create_memo', { content: 'the wifi password is hunter2' }],
      ['search for dentist', 'search', { query: 'dentist' }],
    ] as const;
    // The first reading of each kind loads the date parsers: not what a message costs.
    for (const [text] of cases) fastPath(text, { now: NOW, timezone: SEOUL });
    for (const [text, intent, params] of cases) {
      const started = performance.now();
      const got = await c.classify(input(text));
      // Sooner than the LLM could have answered (and it was not asked at all, below).
      expect(performance.now() - started).toBeLessThan(LLM_DELAY_MS * 3);
      expect(got).toMatchObject({ source: 'fast', intent, params });
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('leaves everything else to the LLM, whose answer wins', async () => {
    slowLlm();
    const c = classifier();
    const unsure = [
      'move the dentist to friday', // a change: the LLM reads those better
      'delete it', // refers back to the conversation
      'draft an email to the landlord about the heater', // a delegation
      'how do I stop procrastinating', // chat
      'wifi password', // no rule recognises it
      'mark the one I just added as done', // points back into the conversation
      'mark them all done',
      'mark my last todo as done',
      'remind me to call mom at 6pm, no wait 7pm', // corrects itself
    ];
    for (const text of unsure) {
      const started = performance.now();
      const got = await c.classify(input(text));
      expect(performance.now() - started).toBeGreaterThanOrEqual(LLM_DELAY_MS * 3 - 5);
      expect(got).toMatchObject({
        source: 'llm',
        intent: 'create_todo',
        params: { title: 'What the LLM read' },
      });
    }
    expect(fake.requests).toHaveLength(unsure.length);
  });

  it('is not what answers with no LLM: the whole offline understander is', async () => {
    const got = await classifier('none').classify(input('remind me to call mom at 6pm'));
    expect(got).toMatchObject({ source: 'offline', intent: 'create_todo' });
    expect(fake.requests).toHaveLength(0);
  });

  it('takes only commands the rules recognised and the model is sure of, with what they act on', () => {
    const ctx = { now: NOW, timezone: SEOUL };
    expect(fastPath('dentist thursday 3pm', ctx)).toBeNull(); // a guess, not a recognised command
    expect(fastPath('schedule a meeting', ctx)).toBeNull(); // no start: the LLM may ask better
    expect(fastPath('mark it as done', ctx)).toBeNull();
    expect(fastPath(`add ${'a very long title '.repeat(8)}`, ctx)).toBeNull();
    expect(fastPath('cross off call mom', ctx)).toMatchObject({
      intent: 'complete_todo',
      params: { target: 'call mom' },
    });
  });
});
