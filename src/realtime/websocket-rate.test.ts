/**
 * A socket cannot flood the server with frames: past the per-socket budget (20 a second,
 * bursts of 60) it gets one RATE_LIMITED error frame, then, if it keeps on, a 4008 close.
 * A socket that stays within the budget never sees either.
 */
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../test/helpers/server.js';
import { connectWs } from '../../test/helpers/ws.js';

const s = useTestServer();

describe('inbound frame rate limit', () => {
  it('a flood gets one RATE_LIMITED error frame, then the socket is closed with 4008', async () => {
    const client = await connectWs(s);
    for (let i = 0; i < 500; i++) client.send('resume', { message_id: 'msg_nope', from_index: 0 });
    const { code, reason } = await client.closed;
    expect(code).toBe(4008);
    expect(reason).toBe('Too many frames');
    const limited = client.frames.filter((f) => f.type === 'error' && f.data.code === 'RATE_LIMITED');
    expect(limited).toHaveLength(1);
    expect(limited[0]!.data.message).toMatch(/at most 20 a second/);
    // The server itself is fine.
    expect((await s.request('GET', '/api/todos')).status).toBe(200);
  });

  it('a burst just over the limit is warned, not closed, and the socket goes on', async () => {
    const client = await connectWs(s);
    for (let i = 0; i < 65; i++) client.send('ping');
    await client.waitFor((f) => f.type === 'error' && f.data.code === 'RATE_LIMITED');
    const pongs = () => client.frames.filter((f) => f.type === 'pong').length;
    // The burst of 60 is answered; the few over it are dropped.
    await client.waitFor(() => pongs() >= 60);
    // Refilled after a quiet moment: frames are answered again.
    await new Promise((r) => setTimeout(r, 300));
    const before = pongs();
    expect(before).toBeLessThan(65);
    client.send('ping');
    await client.waitFor(() => pongs() === before + 1);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    await client.close();
  });

  it('a socket within the budget never hears of it', async () => {
    const client = await connectWs(s);
    for (let i = 0; i < 50; i++) client.send('ping');
    await client.waitFor(() => client.frames.filter((f) => f.type === 'pong').length === 50);
    await client.settle();
    expect(client.frames.some((f) => f.type === 'error')).toBe(false);
    await client.close();
  });
});
