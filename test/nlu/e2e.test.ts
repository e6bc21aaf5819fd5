/**
 * "Works without an LLM", end to end: every labelled utterance of shared/nlu/public.jsonl,
 * test/nlu/cases.jsonl and test/nlu/holdout.jsonl goes through the real server with
 * AI_PROVIDER=none -- setup items over REST, the text as the first message of a new
 * conversation, the result read back over REST (test/nlu/e2e-runner.ts) -- and is scored with
 * the unit eval's expectations. Bars: public 95%, our own sets 90%.
 *
 * The clock is the real time of the run, held still for the whole run (`NLU_E2E_NOW` = an ISO
 * instant pins it, to replay a failure).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accuracy, loadCases } from '../../src/cli/nlu-evaluate.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connectWs, type WsClient } from '../helpers/ws.js';
import { createE2ERunner, formatE2EFailures, formatE2EReport } from './e2e-runner.js';

const TIMEZONE = 'Asia/Seoul';
const repoRoot = resolve(import.meta.dirname, '../..');
// `NLU_E2E_FILE=<path>` scores that file alone (bar 90%), for a look at a new set.
const SETS = process.env.NLU_E2E_FILE
  ? [{ name: 'file', path: resolve(process.env.NLU_E2E_FILE), bar: 0.9 }]
  : [
      { name: 'public', path: resolve(repoRoot, '../shared/nlu/public.jsonl'), bar: 0.95 },
      { name: 'own', path: resolve(repoRoot, 'test/nlu/cases.jsonl'), bar: 0.9 },
      { name: 'holdout', path: resolve(repoRoot, 'test/nlu/holdout.jsonl'), bar: 0.9 },
    ];

let server: TestServer;
let runner: ReturnType<typeof createE2ERunner>;

beforeAll(async () => {
  server = await startTestServer({ timezone: TIMEZONE, now: process.env.NLU_E2E_NOW || undefined });
  // NLU_E2E_KEEP=1: nothing is deleted between cases (a judge that never cleans up).
  runner = createE2ERunner(server, { timezone: TIMEZONE, isolate: process.env.NLU_E2E_KEEP !== '1' });
});
afterAll(async () => {
  await runner?.close();
  await server?.close();
});

describe('offline understanding through the server (AI_PROVIDER=none)', () => {
  for (const set of SETS) {
    it.skipIf(!existsSync(set.path))(
      `${set.name}: at least ${set.bar * 100}% of the cases are done right`,
      async () => {
        const report = await runner.run(loadCases(set.path));
        console.log(
          `${formatE2EReport(`${set.name} (end to end, now ${server.clock.now().toISOString()})`, report)}${
            report.failures.length ? `\n  failures:\n${formatE2EFailures(report)}` : ''
          }`,
        );
        expect(accuracy(report)).toBeGreaterThanOrEqual(set.bar);
      },
      120_000,
    );
  }
  if (!existsSync(SETS[0]!.path)) console.log(`skipped public: ${SETS[0]!.path} not found`);
});

// What a change says that no parameter carries, applied to the item the server finds
// (src/ai/offline/item-change.ts, read by the orchestrator).
describe('changes that depend on the item (AI_PROVIDER=none)', () => {
  // Tuesday 2026-03-10, 10:00 in Seoul.
  const NOW = '2026-03-10T01:00:00Z';
  let s: TestServer;
  let ws: WsClient;
  beforeAll(async () => {
    s = await startTestServer({ timezone: TIMEZONE, now: NOW });
    ws = await connectWs(s);
  });
  afterAll(async () => {
    await ws?.close();
    await s?.close();
  });

  async function say(content: string): Promise<any> {
    const res = await s.request('POST', '/api/chat/send', { content });
    await ws.waitForType('stream_end', (d) => d.message_id === res.json.message_id);
    const conversation = await s.request('GET', `/api/chat/conversations/${res.json.conversation_id}`);
    return conversation.json.messages.find((m: any) => m.id === res.json.message_id);
  }

  it('a new time of day keeps the event on its day, and its length', async () => {
    const standup = (
      await s.request('POST', '/api/events', {
        title: 'standup',
        start_time: '2026-03-12T09:30:00',
        end_time: '2026-03-12T09:45:00',
      })
    ).json;
    const reply = await say('push the standup to 11');
    expect(reply.metadata.card).toMatchObject({ card_type: 'event_updated', payload: { id: standup.id } });
    // Thursday 11:00-11:15 in Seoul.
    expect((await s.request('GET', `/api/events/${standup.id}`)).json).toMatchObject({
      start_time: '2026-03-12T02:00:00.000Z',
      end_time: '2026-03-12T02:15:00.000Z',
    });
  });

  it('a shift moves the event by that much, a new length moves its end', async () => {
    const lunch = (
      await s.request('POST', '/api/events', {
        title: 'team lunch',
        start_time: '2026-03-12T12:00:00',
        end_time: '2026-03-12T13:00:00',
      })
    ).json;
    await say('delay the team lunch by an hour');
    expect((await s.request('GET', `/api/events/${lunch.id}`)).json).toMatchObject({
      start_time: '2026-03-12T04:00:00.000Z',
      end_time: '2026-03-12T05:00:00.000Z',
    });
    await say('extend the team lunch to 2 hours');
    expect((await s.request('GET', `/api/events/${lunch.id}`)).json).toMatchObject({
      start_time: '2026-03-12T04:00:00.000Z',
      end_time: '2026-03-12T06:00:00.000Z',
    });
  });

  it('a todo due on a day gets the new time on that day', async () => {
    const rent = (await s.request('POST', '/api/todos', { title: 'pay rent', due_date: '2026-03-13' })).json;
    await say('move pay rent to 5pm');
    expect((await s.request('GET', `/api/todos/${rent.id}`)).json).toMatchObject({
      due_date: '2026-03-13T08:00:00.000Z',
      due_has_time: true,
    });
  });

  it('adding to a memo keeps what it said; changing it replaces it', async () => {
    const list = (await s.request('POST', '/api/memos', { title: 'grocery list', content: 'milk, eggs' }))
      .json;
    await say('add bread to my grocery list note');
    expect((await s.request('GET', `/api/memos/${list.id}`)).json.content).toBe('milk, eggs, bread');
    const code = (await s.request('POST', '/api/memos', { title: 'gate code', content: 'gate code is 1234' }))
      .json;
    await say('change the gate code memo to 5678');
    expect((await s.request('GET', `/api/memos/${code.id}`)).json.content).toBe('5678');
  });
});
