/**
 * End to end on the real timer and the system clock: the scheduler started by the server
 * itself (ENABLE_SCHEDULER, REMINDER_CHECK_INTERVAL=2) reminds an event once, at its moment,
 * over a real WebSocket and as one push. Takes ~13 s of wall time by design.
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
    realClock: true,
    // No briefing: on the real clock it could fire now and add a notification of its own.
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
  'an event 70 s ahead with reminder_minutes=1 gives exactly one push and one socket notification, on time',
  { timeout: 45_000 },
  async () => {
    expect(s.built.services.scheduler.running).toBe(true);
    const reg = await s.request('POST', '/api/notifications/register-token', {
      token: 'ExponentPushToken[e2e-phone]',
    });
    expect(reg.status).toBe(200);

    const start = new Date(Date.now() + 70_000);
    const remindAt = start.getTime() - 60_000;
    const created = await s.request('POST', '/api/events', {
      title: 'Launch call',
      start_time: start.toISOString(),
      reminder_minutes: 1,
    });
    expect(created.status).toBe(201);

    const frame = await ws.waitForType('notification', undefined, 20_000);
    const receivedAt = Date.now();
    // Not early, and late by at most one interval (plus a little scheduling slack).
    expect(receivedAt).toBeGreaterThanOrEqual(remindAt);
    expect(receivedAt).toBeLessThanOrEqual(remindAt + 2_000 + 1_500);
    expect(frame.data).toMatchObject({
      kind: 'reminder',
      title: 'Launch call',
      item_id: created.json.id,
      action: 'open_item',
    });

    // A few more ticks: nothing is sent twice.
    const deadline = Date.now() + 4_500;
    while (expo.messages.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
    await ws.settle();
    expect(ws.frames.filter((f) => f.type === 'notification')).toHaveLength(1);
    expect(expo.messages).toHaveLength(1);
    expect(expo.messages[0]).toMatchObject({ to: 'ExponentPushToken[e2e-phone]', title: 'Launch call' });
  },
);
