/**
 * The fast path in the running server (AI_FAST_PATH, default on): with an LLM configured, an
 * obvious command is acted on without a classification request to the LLM; with
 * AI_FAST_PATH=false the LLM is asked as before. Real server, real socket, fake LLM over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeOpenAI, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, type WsClient } from '../../../test/helpers/ws.js';

const NOW = '2026-03-10T01:00:00Z';
let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  fake.onClassify(reply.toolCall({ intent: 'create_todo', title: 'What the LLM read' }));
});
afterAll(() => fake.close());

const classifications = () =>
  fake.requests.filter((r) => JSON.stringify(r.tool_choice ?? '').includes('classify_intent')).length;

async function withServer(fastPath: 'true' | 'false', run: (s: TestServer, ws: WsClient) => Promise<void>) {
  const s = await startTestServer({
    now: NOW,
    env: { AI_PROVIDER: 'openai', AI_BASE_URL: fake.url, AI_MODEL: 'fake', AI_FAST_PATH: fastPath },
  });
  const ws = await connectWs(s);
  try {
    await run(s, ws);
  } finally {
    await ws.close();
    await s.close();
  }
}

async function say(s: TestServer, ws: WsClient, content: string) {
  const res = await s.request('POST', '/api/chat/send', { content });
  expect(res.status).toBe(202);
  await ws.turn(res.json.message_id);
  return (await s.request('GET', '/api/todos')).json.items.map((t: { title: string }) => t.title);
}

describe('the fast path in the server', () => {
  it('creates the todo from the words without asking the LLM', async () => {
    await withServer('true', async (s, ws) => {
      const before = classifications();
      expect(await say(s, ws, 'remind me to call mom at 6pm')).toEqual(['call mom']);
      expect(classifications()).toBe(before);
    });
  });

  it('asks the LLM when AI_FAST_PATH=false, and its answer wins', async () => {
    await withServer('false', async (s, ws) => {
      const before = classifications();
      expect(await say(s, ws, 'remind me to call mom at 6pm')).toEqual(['What the LLM read']);
      expect(classifications()).toBe(before + 1);
    });
  });
});
