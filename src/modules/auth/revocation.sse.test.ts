/**
 * Revoked means revoked, for SSE reply streams too: a stream whose session is revoked while a
 * reply is still coming (logout on this instance at once, `npm run reset-pin` in another
 * process within the periodic check) gets `{error: {code: 'UNAUTHORIZED'}}` and `[DONE]` and nothing of the reply
 * after that. The turn itself still finishes and is stored, for the sessions that remain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { reply } from '../../../test/fakes/fake-openai.js';
import { startLlmServer } from '../../../test/helpers/llm-server.js';
import { runCli } from '../../../test/helpers/process.js';
import { TEST_PIN, type TestServer } from '../../../test/helpers/server.js';
import { until } from '../../../test/helpers/wait.js';

/** `n` chunks of a reply, to stream 100 ms apart. */
const chunks = (n: number) => Array.from({ length: n }, (_, i) => `word${i} `);

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(replyChunks: string[]) {
  // The system clock: the periodic session check runs on real timers.
  const server = await startLlmServer({ realClock: true });
  servers.push(server);
  server.fake.onChat(reply.text(replyChunks, { delayMs: 100 }));
  return server;
}

async function login(s: TestServer, pin = TEST_PIN): Promise<string> {
  const res = await s.request('POST', '/api/auth/login', { pin }, { authorization: '' });
  expect(res.status).toBe(200);
  return res.json.access_token as string;
}

/** Opens POST /api/chat/stream with `token` and reads its events as they arrive. */
async function openStream(s: TestServer, token: string) {
  const res = await fetch(`${s.url}/api/chat/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content: 'tell me a long story' }),
  });
  expect(res.status).toBe(200);
  const payloads: string[] = [];
  let endedAt: number | null = null;
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const bytes of res.body!) {
      buffered += decoder.decode(bytes as Uint8Array, { stream: true });
      const parts = buffered.split('\n\n');
      buffered = parts.pop()!;
      for (const part of parts) payloads.push(part.slice('data: '.length));
    }
    endedAt = Date.now();
  })();
  const events = () =>
    payloads.filter((p) => p !== '[DONE]').map((p) => JSON.parse(p) as Record<string, any>);
  return { payloads, events, ended, endedAt: () => endedAt };
}

function tokensOf(events: Array<Record<string, any>>): string {
  return events
    .filter((e) => 'token' in e)
    .map((e) => String(e.token))
    .join('');
}

describe('an SSE reply stream of a revoked session', () => {
  it(
    'logout ends it at once with an UNAUTHORIZED error and [DONE]; the turn still finishes and is stored',
    { timeout: 60_000 },
    async () => {
      const whole = chunks(40); // about 4 s
      const { s } = await start(whole);
      const token = await login(s);
      const sse = await openStream(s, token);
      await until(
        () => tokensOf(sse.events()),
        (t) => t.length > 0,
        'the first token',
        5_000,
      );

      // A reply stream is not a socket (COMPAT.md "open sockets").
      const sessions = await fetch(`${s.url}/api/admin/sessions`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const mine = (
        (await sessions.json()) as { items: Array<{ current: boolean; open_sockets: number }> }
      ).items.find((x) => x.current);
      expect(mine?.open_sockets).toBe(0);

      const loggedOutAt = Date.now();
      const logout = await fetch(`${s.url}/api/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(logout.status).toBe(204);
      await sse.ended;

      expect(sse.endedAt()! - loggedOutAt).toBeLessThan(1_000);
      expect(sse.payloads.at(-1)).toBe('[DONE]');
      const events = sse.events();
      expect(events.at(-1)).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Session revoked' } });
      const heard = tokensOf(events);
      expect(whole.join('').startsWith(heard)).toBe(true);
      expect(heard.length).toBeLessThan(whole.join('').length);

      // The owner's other session sees the whole reply stored once the turn ends.
      const conversationId = events[0]!.conversation_id as string;
      const messageId = events[0]!.message_id as string;
      const stored = await until(
        async () => {
          const res = await s.request('GET', `/api/chat/conversations/${conversationId}/messages?limit=10`);
          return (res.json.items as Array<{ id: string; status: string; content: string }>).find(
            (m) => m.id === messageId,
          );
        },
        (m) => m?.status === 'complete',
        'the reply stored complete',
        20_000,
      );
      expect(stored?.content).toBe(whole.join(''));
    },
  );

  it(
    'npm run reset-pin in another process ends it within the periodic check',
    { timeout: 60_000 },
    async () => {
      const whole = chunks(150); // about 15 s: the CLI alone takes seconds
      const { s } = await start(whole);
      const sse = await openStream(s, s.token);
      await until(
        () => tokensOf(sse.events()),
        (t) => t.length > 0,
        'the first token',
        5_000,
      );

      const url =
        s.config.database.kind === 'sqlite' ? `sqlite:///${s.config.database.file}` : s.config.database.url;
      const cli = await runCli('reset-pin', ['246813'], { DATA_DIR: s.dataDir, DATABASE_URL: url, PIN: '' });
      expect(cli.code, cli.output).toBe(0);
      const revokedAt = Date.now();
      await sse.ended;

      // The check runs every 2 s; the reply alone would run for seconds more.
      expect(sse.endedAt()! - revokedAt).toBeLessThan(3_000);
      expect(sse.events().at(-1)).toEqual({
        error: { code: 'UNAUTHORIZED', message: 'Session revoked' },
      });
      expect(tokensOf(sse.events()).length).toBeLessThan(whole.join('').length);
    },
  );
});
