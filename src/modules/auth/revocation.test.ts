/**
 * Revoked means revoked (issue 12, item 1): whatever revokes a session - `npm run reset-pin`
 * in another process, logout, refresh-token reuse - its open sockets close with 4001 within
 * a few seconds, and a card action sent after the revocation does nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/process.js';
import { reuseRefreshToken } from '../../../test/helpers/auth.js';
import { startTestServer, TEST_PIN, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, type WsClient } from '../../../test/helpers/ws.js';

const servers: TestServer[] = [];
const sockets: WsClient[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((w) => w.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(): Promise<TestServer> {
  // The system clock: the socket's session check runs on real timers.
  const s = await startTestServer({ realClock: true });
  servers.push(s);
  return s;
}

async function login(s: TestServer): Promise<{ access_token: string; refresh_token: string }> {
  const res = await s.request('POST', '/api/auth/login', { pin: TEST_PIN }, { authorization: '' });
  expect(res.status).toBe(200);
  return res.json;
}

/** A todo and an open "delete it?" card on `ws`: the card action a revoked socket must not run. */
async function pendingDelete(s: TestServer, ws: WsClient) {
  const todo = (await s.request('POST', '/api/todos', { title: 'Water the plants' })).json;
  const conversation = (await s.request('POST', '/api/chat/conversations', { title: 'Revocation' })).json;
  const sent = await s.request('POST', '/api/chat/send', {
    conversation_id: conversation.id,
    content: 'delete water the plants',
  });
  expect(sent.status).toBe(202);
  const card = await ws.waitForType('action_card', (d) =>
    d.actions.some((a: { action: string }) => a.action === 'confirm_delete'),
  );
  await ws.settle();
  return { todo, messageId: card.data.message_id as string };
}

/** Sends the confirm and checks that nothing happened: the todo is still there. */
async function confirmDoesNothing(
  s: TestServer,
  ws: WsClient,
  card: { todo: { id: string }; messageId: string },
) {
  if (ws.ws.readyState === ws.ws.OPEN)
    ws.send('action_response', {
      message_id: card.messageId,
      action: 'confirm_delete',
      params: { type: 'todo', id: card.todo.id },
    });
  const closed = await ws.closed;
  expect(closed.code).toBe(4001);
  // Give a frame that slipped through every chance to be carried out.
  await new Promise((r) => setTimeout(r, 300));
  const fresh = await login(s);
  const res = await s.request('GET', `/api/todos/${card.todo.id}`, undefined, {
    authorization: `Bearer ${fresh.access_token}`,
  });
  expect(res.status).toBe(200);
  expect(ws.frames.some((f) => f.type === 'module_data_changed' && f.data.action === 'deleted')).toBe(false);
}

function databaseEnv(s: TestServer): Record<string, string> {
  const url =
    s.config.database.kind === 'sqlite' ? `sqlite:///${s.config.database.file}` : s.config.database.url;
  return { DATA_DIR: s.dataDir, DATABASE_URL: url, PIN: '' };
}

describe('a revoked session loses its sockets', () => {
  it(
    'npm run reset-pin in another process closes open sockets with 4001 within seconds; a card action after it does nothing',
    { timeout: 60_000 },
    async () => {
      const s = await start();
      const ws = await connectWs(s);
      sockets.push(ws);
      const card = await pendingDelete(s, ws);

      const cli = await runCli('reset-pin', ['246813'], databaseEnv(s));
      expect(cli.code, cli.output).toBe(0);
      const revokedAt = Date.now();
      // Right after the revocation, before the server could have noticed it on its own.
      ws.send('action_response', {
        message_id: card.messageId,
        action: 'confirm_delete',
        params: { type: 'todo', id: card.todo.id },
      });
      const closed = await Promise.race([
        ws.closed,
        new Promise<null>((r) => setTimeout(() => r(null), 5_000)),
      ]);
      const closedAfterMs = Date.now() - revokedAt;
      await new Promise((r) => setTimeout(r, 300));
      const fresh = (await s.request('POST', '/api/auth/login', { pin: '246813' }, { authorization: '' }))
        .json;
      const res = await s.request('GET', `/api/todos/${card.todo.id}`, undefined, {
        authorization: `Bearer ${fresh.access_token}`,
      });
      expect(res.status, 'the revoked socket deleted the todo').toBe(200);
      expect(ws.frames.some((f) => f.type === 'module_data_changed' && f.data.action === 'deleted')).toBe(
        false,
      );
      expect(closed?.code).toBe(4001);
      expect(closedAfterMs).toBeLessThan(5_000);
      // The old token is refused for REST and for a new socket too.
      expect((await s.request('GET', '/api/todos')).status).toBe(401);
      const again = await connectWs(s);
      expect((await again.closed).code).toBe(4001);
    },
  );

  it('a socket that sends nothing is closed by the periodic check', { timeout: 60_000 }, async () => {
    const s = await start();
    const ws = await connectWs(s);
    sockets.push(ws);
    await ws.settle();
    expect((await runCli('reset-pin', ['246813'], databaseEnv(s))).code).toBe(0);
    const closed = await Promise.race([
      ws.closed,
      new Promise<null>((r) => setTimeout(() => r(null), 5_000)),
    ]);
    expect(closed).toEqual({ code: 4001, reason: 'Session revoked' });
  });

  it('logout: the sockets close and a card action sent right after does nothing', async () => {
    const s = await start();
    const ws = await connectWs(s);
    sockets.push(ws);
    const card = await pendingDelete(s, ws);
    expect((await s.request('POST', '/api/auth/logout')).status).toBe(204);
    await confirmDoesNothing(s, ws, card);
  });

  it('refresh-token reuse: the sockets close and a card action sent right after does nothing', async () => {
    const s = await start();
    const session = await login(s);
    s.token = session.access_token;
    const ws = await connectWs(s);
    sockets.push(ws);
    const card = await pendingDelete(s, ws);
    // R1's successor is used, so R1 coming back is reuse (COMPAT.md).
    await reuseRefreshToken(s, session.refresh_token);
    await confirmDoesNothing(s, ws, card);
  });
});
