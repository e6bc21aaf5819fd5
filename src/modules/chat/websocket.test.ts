/**
 * The WebSocket over a real socket: 4001 for bad tokens, logout, refresh reuse and expiry;
 * bad frames answered with error frames on a socket that stays open; ping/pong, typing relay,
 * multi-device fan-out, resume, and dropping sockets that stop answering pings.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { reuseRefreshToken } from '../../../test/helpers/auth.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { aiEnv } from '../../../test/helpers/llm-server.js';
import { connectWs, types, type Frame } from '../../../test/helpers/ws.js';
import { redactToken } from '../../realtime/websocket.js';

const NOW = '2026-03-10T01:00:00Z';
const PING_MS = 100;

let fake: FakeOpenAI;
let s: TestServer;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  s = await startTestServer({
    now: NOW,
    wsPingIntervalMs: PING_MS,
    env: aiEnv(fake.url),
  });
});
afterAll(async () => {
  await s.close();
  await fake.close();
});
beforeEach(() => fake.reset());

async function login(): Promise<{ access_token: string; refresh_token: string }> {
  const res = await s.request('POST', '/api/auth/login', { pin: '123456' });
  expect(res.status).toBe(200);
  return res.json;
}

const chunksOf = (frames: Frame[], id: string) =>
  frames.filter((f) => f.type === 'stream_chunk' && f.data.message_id === id);

describe('authentication', () => {
  it('accepts, then closes with 4001 and a reason, for a missing or bad token', async () => {
    const missing = await connectWs(s, null);
    expect(await missing.closed).toEqual({ code: 4001, reason: expect.stringMatching(/token/i) });
    const bad = await connectWs(s, 'not-a-jwt');
    expect((await bad.closed).code).toBe(4001);
    const refresh = await connectWs(s, s.refreshToken);
    expect((await refresh.closed).code).toBe(4001);
  });

  it('closes the sockets of a session on logout, and only those', async () => {
    const other = await login();
    const mine = await connectWs(s);
    const theirs = await connectWs(s, other.access_token);
    await theirs.settle();
    const out = await s.request('POST', '/api/auth/logout', undefined, {
      authorization: `Bearer ${other.access_token}`,
    });
    expect(out.status).toBe(204);
    expect(await theirs.closed).toEqual({ code: 4001, reason: expect.any(String) });
    await mine.settle(); // still open
    const again = await connectWs(s, other.access_token);
    expect((await again.closed).code).toBe(4001);
    await mine.close();
  });

  it('closes the sockets of a session whose refresh token is reused', async () => {
    const session = await login();
    const sock = await connectWs(s, session.access_token);
    await sock.settle();
    // R1's successor is used, so R1 coming back is reuse (COMPAT.md).
    await reuseRefreshToken(s, session.refresh_token);
    expect((await sock.closed).code).toBe(4001);
  });

  it('answers a plain HTTP GET /ws with the error envelope', async () => {
    const res = await s.raw('GET', `/ws?token=${s.token}`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_ERROR');
  });

  it('keeps the token out of logged URLs', () => {
    expect(redactToken('/ws?token=abc.def.ghi')).toBe('/ws?token=[REDACTED]');
    expect(redactToken('/ws?x=1&token=abc&y=2')).toBe('/ws?x=1&token=[REDACTED]&y=2');
  });
});

describe('frames', () => {
  it('answers bad frames with an error frame and stays open; ping gets pong', async () => {
    const sock = await connectWs(s);
    sock.sendRaw('{not json');
    expect((await sock.waitForType('error')).data).toMatchObject({
      code: 'VALIDATION_ERROR',
      message_id: null,
    });
    sock.sendRaw('"just a string"');
    sock.send('launch_rocket', {});
    await sock.waitFor(() => sock.frames.filter((f) => f.type === 'error').length >= 3);
    expect(sock.frames.filter((f) => f.type === 'error').at(-1)!.data.message).toMatch(/launch_rocket/);
    sock.send('ping');
    expect((await sock.waitForType('pong')).data).toEqual({});
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    await sock.close();
  });

  it('answers a frame over 1 MiB with an error frame, then closes with 1009; one under it is fine', async () => {
    const big = await connectWs(s);
    big.sendRaw(JSON.stringify({ type: 'ping', data: { pad: 'x'.repeat(1_100_000) } }));
    expect(await big.closed).toEqual({ code: 1009, reason: expect.any(String) });
    expect(big.frames).toEqual([
      {
        type: 'error',
        data: { message_id: null, code: 'VALIDATION_ERROR', message: expect.stringMatching(/at most/) },
      },
    ]);
    const fine = await connectWs(s);
    fine.sendRaw(JSON.stringify({ type: 'ping', data: { pad: 'x'.repeat(1_000_000) } }));
    expect((await fine.waitForType('pong')).data).toEqual({});
    await fine.close();
  });

  it('relays typing to the other sockets, not back to the sender', async () => {
    const phone = await connectWs(s);
    const laptop = await connectWs(s);
    phone.send('typing', { conversation_id: 'conv_x', is_typing: true });
    expect((await laptop.waitForType('typing')).data).toEqual({ conversation_id: 'conv_x', is_typing: true });
    await phone.settle();
    expect(phone.frames.some((f) => f.type === 'typing')).toBe(false);
    await phone.close();
    await laptop.close();
  });

  it('sends every frame of a turn to every socket of the owner', async () => {
    const phone = await connectWs(s);
    const tablet = await connectWs(s);
    fake.onClassify({ intent: 'create_todo', title: 'Fan out' });
    const res = await s.request('POST', '/api/chat/send', { content: 'add fan out' });
    const a = await phone.turn(res.json.message_id);
    const b = await tablet.turn(res.json.message_id);
    const strip = (frames: Frame[]) => frames.filter((f) => f.type !== 'conversation_updated');
    expect(strip(a)).toEqual(strip(b));
    expect(types(strip(a))).toContain('action_card');
    expect(types(strip(a))).toContain('module_data_changed');
    await phone.close();
    await tablet.close();
  });
});

describe('resume', () => {
  it('re-sends missed chunks before any further live chunk, then the rest streams on', async () => {
    fake.onChat({ chunks: ['one ', 'two ', 'three ', 'four ', 'five ', 'six'], delayMs: 80 });
    const first = await connectWs(s);
    const res = await s.request('POST', '/api/chat/send', { content: 'count to six' });
    const id = res.json.message_id as string;
    // Generous waits: on a loaded machine the first chunk can take seconds (classify, then stream).
    await first.waitFor(() => chunksOf(first.frames, id).length >= 2, 30_000);
    await first.close(); // the phone drops off mid-stream...

    const back = await connectWs(s); // ...and reconnects
    back.send('resume', { message_id: id, from_index: 0 });
    await back.waitForType('stream_end', (d) => d.message_id === id, 30_000);
    const indexes = chunksOf(back.frames, id).map((f) => f.data.index);
    // The replay comes first and in order; live chunks follow; duplicates only ever repeat an index.
    expect(indexes[0]).toBe(0);
    expect(indexes[1]).toBe(1);
    const unique = [...new Set(indexes)];
    expect(unique).toEqual([...unique.keys()]);
    const byIndex = new Map(chunksOf(back.frames, id).map((f) => [f.data.index, f.data.content]));
    expect([...byIndex.values()].join('')).toBe('one two three four five six');
    await back.close();
  }, 70_000);

  it('for a finished reply sends the chunks from from_index, stream_end and its card; unknown ids get NOT_FOUND', async () => {
    const sock = await connectWs(s);
    fake.onClassify({ intent: 'create_todo', title: 'Resume me' });
    const res = await s.request('POST', '/api/chat/send', { content: 'add resume me' });
    const live = await sock.turn(res.json.message_id);
    const total = chunksOf(live, res.json.message_id).length;
    // The auto-title follows the turn; let it pass before the second socket connects.
    await sock.waitForType(
      'conversation_updated',
      (d) => d.conversation_id === res.json.conversation_id && d.title !== '',
    );

    const later = await connectWs(s);
    later.send('resume', { message_id: res.json.message_id, from_index: 1 });
    await later.waitForType('action_card');
    await later.settle();
    const got = later.frames.filter((f) => f.type !== 'pong');
    expect(types(got)).toEqual([...Array(total - 1).fill('stream_chunk'), 'stream_end', 'action_card']);
    expect(got[0]!.data.index).toBe(1);
    expect(got.at(-1)!.data).toMatchObject({ message_id: res.json.message_id, card_type: 'todo_created' });

    later.send('resume', { message_id: 'msg_unknown', from_index: 0 });
    expect((await later.waitForType('error')).data).toMatchObject({
      code: 'NOT_FOUND',
      message_id: 'msg_unknown',
    });

    // Past the 5-minute buffer the stored reply still answers.
    s.clock.advance(6 * 60_000);
    const much = await connectWs(s);
    much.send('resume', { message_id: res.json.message_id, from_index: 0 });
    await much.waitForType('action_card');
    expect(types(much.frames)).toEqual(['stream_end', 'action_card']);
    expect(much.frames[0]!.data.full_content).toBe(
      live.find((f) => f.type === 'stream_end')!.data.full_content,
    );
    for (const c of [sock, later, much]) await c.close();
  });
});

describe('liveness', () => {
  it('drops a socket that does not answer pings', async () => {
    const silent = new WebSocket(`${s.wsUrl}/ws?token=${s.token}`, { autoPong: false });
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    const started = Date.now();
    expect(await closed).toBe(1006); // terminated, no close handshake
    expect(Date.now() - started).toBeLessThan(PING_MS * 30);
  });

  it('closes with 4001 when the token expires', async () => {
    const sock = await connectWs(s);
    await sock.settle();
    s.clock.advance(25 * 3600_000); // past JWT_EXPIRY_HOURS (24)
    expect(await sock.closed).toEqual({ code: 4001, reason: 'Token expired' });
    const again = await connectWs(s);
    expect((await again.closed).code).toBe(4001);
  });
});
