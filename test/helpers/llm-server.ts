/**
 * The chat tests' shared setup: the real server (on a ManualClock), the fake OpenAI server as
 * its LLM, and one WebSocket of the owner. `useLlmServer()` wires it into the file's
 * beforeAll / afterAll / beforeEach (the fake's script is reset before every test).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';
import { connectWs, type WsClient } from './ws.js';

/** The environment that points the server's LLM at `url` (the fake). */
export const aiEnv = (url: string) => ({
  AI_PROVIDER: 'openai',
  AI_BASE_URL: url,
  AI_MODEL: 'fake',
  AI_API_KEY: 'test',
});

export interface LlmServer {
  fake: FakeOpenAI;
  s: TestServer;
  ws: WsClient;
}

export async function startLlmServer(
  opts: TestServerOptions = {},
): Promise<LlmServer & { close(): Promise<void> }> {
  const fake = await startFakeOpenAI();
  const s = await startTestServer({ ...opts, env: { ...aiEnv(fake.url), ...opts.env } });
  const ws = await connectWs(s);
  return {
    fake,
    s,
    ws,
    async close() {
      await ws.close();
      await s.close();
      await fake.close();
    },
  };
}

/** One server + fake LLM + socket for the file; read its parts inside tests (set in beforeAll). */
export function useLlmServer(
  opts: TestServerOptions = {},
  eachTest: (fake: FakeOpenAI) => void = () => {},
): LlmServer {
  let current: (LlmServer & { close(): Promise<void> }) | null = null;
  const get = () => {
    if (!current) throw new Error('useLlmServer: read inside a test (the server starts in beforeAll)');
    return current;
  };
  beforeAll(async () => {
    current = await startLlmServer(opts);
  });
  afterAll(async () => current?.close());
  beforeEach(() => {
    get().fake.reset();
    eachTest(get().fake);
  });
  return {
    get fake() {
      return get().fake;
    },
    get s() {
      return get().s;
    },
    get ws() {
      return get().ws;
    },
  };
}

/**
 * One fake LLM for the file, without a server of ours (unit tests of the provider, servers a
 * test starts itself): started in beforeAll, reset before each test, closed in afterAll. The
 * returned object stands for it inside tests.
 */
export function useFakeOpenAI(): FakeOpenAI {
  let current: FakeOpenAI | null = null;
  beforeAll(async () => {
    current = await startFakeOpenAI();
  });
  afterAll(async () => current?.close());
  beforeEach(() => current?.reset());
  const get = () => {
    if (!current) throw new Error('useFakeOpenAI: read inside a test (the fake starts in beforeAll)');
    return current;
  };
  return new Proxy({} as FakeOpenAI, { get: (_, key) => Reflect.get(get(), key) as unknown });
}
