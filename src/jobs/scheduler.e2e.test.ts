/**
 * End to end on the real timer: the scheduler started by the server itself (ENABLE_SCHEDULER,
 * REMINDER_CHECK_INTERVAL=2) reminds an event once, at its moment, over a real WebSocket and as
 * one push. "Its moment" is read on the injected clock, which the test moves: ticks before it
 * send nothing, the first tick after it sends once, later ticks nothing more. No assertion
 * depends on how fast this machine is, only on the timer ticking at all within a few seconds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeExpo, type FakeExpo } from '../../test/fakes/fake-expo.js';
import { startTestServer, type TestServer } from '../../test/helpers/server.js';
import { connectWs, type WsClient } from '../../test/helpers/ws.js';

let expo: FakeExpo;
let s: TestServer;
let ws: WsClient;

beforeAll(async () => {
  expo = await startFakeExpo();
  s = await startTestServer({
    now: '2026-03-10T01:00:00Z',
    // No briefing: only the reminder may notify.
    env: {
      EXPO_BASE_URL: expo.url,
      ENABLE_SCHEDULER: 'true',
      ENABLE_BRIEFING: 'false',
      REMINDER_CHECK_INTERVAL: '2',
    },
  });
  ws = await connectWs(s);
  await ws.settle();
});
afterAll(async () => {
  await ws?.close();
  await s?.close();
  await expo?.close();
});

it(
  'an event 70 s ahead with reminder_minutes=1 gives exactly one push and one socket notification, at its moment on the clock',
  { timeout: 45_000 },
  async () => {
    expect(s.built.services.scheduler.running).toBe(true);
    const reg = await s.request('POST', '/api/notifications/register-token', {
      token: 'ExponentPushToken[e2e-phone]',
    });
    expect(reg.status).toBe(200);

    const interval = 2_000;
    const now = s.clock.now().getTime();
    const start = new Date(now + 70_000);
    const remindAt = start.getTime() - 60_000;
    const created = await s.request('POST', '/api/events', {
      title: 'Launch call',
      start_time: start.toISOString(),
      reminder_minutes: 1,
    });
    expect(created.status).toBe(201);

    // One second before its moment, on the clock: a few ticks go by and nothing is sent.
    s.clock.set(new Date(remindAt - 1_000));
    await new Promise((r) => setTimeout(r, 2 * interval + 500));
    await ws.settle();
    expect(ws.frames.filter((f) => f.type === 'notification')).toHaveLength(0);
    expect(expo.messages).toHaveLength(0);

    // Its moment: the next tick reminds.
    s.clock.set(new Date(remindAt));
    const frame = await ws.waitForType('notification', undefined, 20_000);
    expect(frame.data).toMatchObject({
      kind: 'reminder',
      title: 'Launch call',
      item_id: created.json.id,
      action: 'open_item',
    });

    // A few more ticks (the clock moving on too): nothing is sent twice.
    s.clock.set(new Date(remindAt + 30_000));
    const deadline = Date.now() + 2 * interval + 500;
    while (expo.messages.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
    await ws.settle();
    expect(ws.frames.filter((f) => f.type === 'notification')).toHaveLength(1);
    expect(expo.messages).toHaveLength(1);
    expect(expo.messages[0]).toMatchObject({ to: 'ExponentPushToken[e2e-phone]', title: 'Launch call' });
  },
);
