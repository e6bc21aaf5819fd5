import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeExpo, type FakeExpo } from '../../../test/fakes/fake-expo.js';
import { reminder } from '../../../test/helpers/reminders.js';
import { makeTempDir, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import type { ServerFrame } from '../../realtime/events.js';
import { createPushClient } from './push.js';

let expo: FakeExpo;
let s: TestServer;
let frames: ServerFrame[];
let unsubscribe: () => void;
let seq = 0;

const token = (name: string) => `ExponentPushToken[${name}]`;
const notificationFrames = () => frames.filter((f) => f.type === 'notification');

/** A real decision through the service (what the jobs do), delivered in the background. */
async function notify(title = `n${++seq}`, extra: { item_id?: string } = {}) {
  const row = await s.built.services.notifications.decide({
    ...reminder(title, 'body', `test:${title}`),
    ...extra,
  });
  await s.built.services.notifications.idle();
  return row;
}

async function register(name: string, extra: Record<string, unknown> = {}) {
  const res = await s.request('POST', '/api/notifications/register-token', { token: token(name), ...extra });
  expect(res.status).toBe(200);
}

async function unregisterAll() {
  for (const t of await s.built.services.notifications.tokens())
    await s.request('DELETE', '/api/notifications/register-token', { token: t });
}

beforeAll(async () => {
  expo = await startFakeExpo();
  s = await startTestServer({ now: '2026-03-10T01:00:00Z', env: { EXPO_BASE_URL: expo.url } });
});
afterAll(async () => {
  await s.close();
  await expo.close();
});
beforeEach(async () => {
  await unregisterAll();
  expo.reset();
  frames = [];
  unsubscribe = s.built.services.hub.subscribe((f) => frames.push(f));
});
afterEach(() => unsubscribe());

describe('push tokens', () => {
  it('registers idempotently and pushes every notification to every token', async () => {
    const res = await s.request('POST', '/api/notifications/register-token', {
      token: token('a'),
      device_id: 'phone',
      platform: 'ios',
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'registered' });
    // Same token again, and a trailing slash: still one registration.
    expect(
      (await s.request('POST', '/api/notifications/register-token/', { token: token('a'), platform: 'ios' }))
        .json,
    ).toEqual({
      status: 'registered',
    });
    await register('b');

    const row = await notify('Dentist', { item_id: 'evt_1' });
    expect(expo.messages.map((m) => m.to).sort()).toEqual([token('a'), token('b')]);
    expect(expo.messages[0]).toMatchObject({
      title: 'Dentist',
      body: 'body',
      data: {
        notification_id: row!.id,
        kind: 'reminder',
        item_id: 'evt_1',
        action: 'open_item',
        conversation_id: null,
      },
    });
    expect(notificationFrames()).toEqual([
      {
        type: 'notification',
        data: {
          id: row!.id,
          title: 'Dentist',
          body: 'body',
          kind: 'reminder',
          conversation_id: null,
          action: 'open_item',
          item_id: 'evt_1',
        },
      },
    ]);
  });

  it('accepts both Expo token forms and refuses anything else', async () => {
    expect(
      (await s.request('POST', '/api/notifications/register-token', { token: 'ExpoPushToken[xyz]' })).status,
    ).toBe(200);
    const emptyish = [
      'ExponentPushToken[]',
      'ExpoPushToken[]',
      'ExponentPushToken[ ]',
      'ExponentPushToken[a]b]',
      'ExpoPushToken[\n]',
    ];
    for (const bad of ['not-a-token', 'ExponentPushToken[', 'fcm:abcdef', ...emptyish]) {
      const res = await s.request('POST', '/api/notifications/register-token', { token: bad });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
      expect(res.json.error.details.field).toBe('token');
    }
    const missing = await s.request('POST', '/api/notifications/register-token', { device_id: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe('VALIDATION_ERROR');
    const wrongType = await s.request('POST', '/api/notifications/register-token', { token: 5 });
    expect(wrongType.status).toBe(400);
    expect(
      (await s.request('POST', '/api/notifications/register-token', {}, { authorization: '' })).status,
    ).toBe(401);
  });

  it('unregisters with 204 (also an unknown token) and stops pushing there', async () => {
    await register('keep');
    await register('drop');
    const del = await s.request('DELETE', '/api/notifications/register-token', { token: token('drop') });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(
      (await s.request('DELETE', '/api/notifications/register-token', { token: token('never') })).status,
    ).toBe(204);
    expect((await s.request('DELETE', '/api/notifications/register-token', {})).status).toBe(400);
    await notify();
    expect(expo.messages.map((m) => m.to)).toEqual([token('keep')]);
  });

  it('a device registering a new token replaces its old one', async () => {
    await register('old', { device_id: 'tablet' });
    await register('new', { device_id: 'tablet' });
    await notify();
    expect(expo.messages.map((m) => m.to)).toEqual([token('new')]);
  });

  it('registrations and undelivered notifications survive a restart', async () => {
    const dir = makeTempDir();
    const first = await startTestServer({
      dataDir: dir,
      now: '2026-03-10T01:00:00Z',
      env: { EXPO_BASE_URL: expo.url },
    });
    expect(
      (await first.request('POST', '/api/notifications/register-token', { token: token('persist') })).status,
    ).toBe(200);
    // Decided, but the push fails and the server stops before its retry.
    expo.failNext(500);
    await first.built.services.notifications.decide(reminder('Survivor', 'b', 'persist'));
    await first.built.services.notifications.idle();
    await first.close();
    expect(expo.messages).toHaveLength(0);

    const second = await startTestServer({
      dataDir: dir,
      now: '2026-03-10T02:00:00Z',
      env: { EXPO_BASE_URL: expo.url },
    });
    try {
      await second.built.services.scheduler.tick('outbox');
      await second.built.services.scheduler.tick('outbox');
      expect(expo.messages.map((m) => [m.to, m.title])).toEqual([[token('persist'), 'Survivor']]);
      // And it is decided once: deciding it again after the restart does nothing.
      expect(
        await second.built.services.notifications.decide(reminder('Survivor', 'b', 'persist')),
      ).toBeNull();
    } finally {
      await second.close();
    }
  });
});

describe('push delivery', () => {
  it('sends in chunks of at most 100', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `chunk-${i}`);
    for (const n of names) await register(n);
    await notify();
    expect(expo.sendBatches.map((b) => b.length).sort((a, b) => a - b)).toEqual([1, 100]);
    expect(new Set(expo.messages.map((m) => m.to)).size).toBe(101);
  });

  it('a DeviceNotRegistered ticket removes the token', async () => {
    await register('alive');
    await register('gone');
    expo.unregister(token('gone'));
    await notify();
    expect(await s.built.services.notifications.tokens()).toEqual([token('alive')]);
    expo.reset();
    await notify();
    expect(expo.messages.map((m) => m.to)).toEqual([token('alive')]);
  });

  it('a DeviceNotRegistered receipt, read later, removes the token', async () => {
    // Earlier tests' tickets out of the way.
    s.clock.advance(16 * 60_000);
    await s.built.services.scheduler.tick('push-receipts');
    expo.reset();
    await register('fine');
    await register('uninstalled');
    expo.unregisterAtReceipt(token('uninstalled'));
    await notify();
    expect(expo.messages).toHaveLength(2);

    // Receipts are read some minutes after sending, not at once.
    expect(await s.built.services.scheduler.tick('push-receipts')).toEqual({ checked: 0, removedTokens: 0 });
    s.clock.advance(16 * 60_000);
    expect(await s.built.services.scheduler.tick('push-receipts')).toEqual({ checked: 2, removedTokens: 1 });
    expect(expo.receiptQueries).toHaveLength(1);
    expect(expo.receiptQueries[0]).toHaveLength(2);
    expect(await s.built.services.notifications.tokens()).toEqual([token('fine')]);
    // Checked receipts are not asked for again.
    expect(await s.built.services.scheduler.tick('push-receipts')).toEqual({ checked: 0, removedTokens: 0 });
    expect(expo.receiptQueries).toHaveLength(1);
  });

  it('retries a failed push with backoff, once per device, and the socket frame is not repeated', async () => {
    await register('r1');
    expo.failNext(500);
    const row = await notify('Retry me');
    expect(expo.messages).toHaveLength(0);
    expect(notificationFrames()).toHaveLength(1);

    // Not before the backoff has passed.
    s.clock.advance(10_000);
    await s.built.services.scheduler.tick('outbox');
    expect(expo.messages).toHaveLength(0);

    s.clock.advance(25_000);
    await s.built.services.scheduler.tick('outbox');
    expect(expo.messages.map((m) => [m.to, m.title])).toEqual([[token('r1'), 'Retry me']]);
    expect(notificationFrames()).toHaveLength(1);
    expect(notificationFrames()[0]!.data).toMatchObject({ id: row!.id });

    // Delivered: later sweeps send nothing more.
    s.clock.advance(3_600_000);
    await s.built.services.scheduler.tick('outbox');
    expect(expo.messages).toHaveLength(1);
  });

  it('after a partial failure only the devices that missed it are retried', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `part-${i}`);
    for (const n of names) await register(n);
    expo.failNext(500); // one of the two chunks fails
    await notify();
    const firstRound = expo.messages.length;
    expect([1, 100]).toContain(firstRound);
    s.clock.advance(60_000);
    await s.built.services.scheduler.tick('outbox');
    const counts = new Map<string, number>();
    for (const m of expo.messages) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
    expect(counts.size).toBe(101);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('rides out a 429 (the SDK backs off and retries)', async () => {
    await register('busy');
    expo.failNext(429);
    await notify();
    expect(expo.requests.filter((r) => r.status === 429)).toHaveLength(1);
    expect(expo.messages.map((m) => m.to)).toEqual([token('busy')]);
  });

  it('the push client can be pointed at any base URL', async () => {
    const client = createPushClient({ baseUrl: expo.url, accessToken: 'secret-token' });
    try {
      const results = await client.send([{ to: token('direct'), title: 't', body: 'b', data: {} }]);
      expect(results[0]?.ticket?.status).toBe('ok');
      expect(expo.requests.at(-1)?.headers.authorization).toBe('Bearer secret-token');
    } finally {
      await client.close();
    }
  });
});

describe('GET /api/notifications and read', () => {
  it('lists newest first with paging, filters unread, marks read', async () => {
    const before = (await s.request('GET', '/api/notifications')).json.total as number;
    const a = await notify('list-a');
    s.clock.advance(1000);
    const b = await notify('list-b');
    s.clock.advance(1000);
    const c = await notify('list-c');

    const page = await s.request('GET', '/api/notifications?limit=2');
    expect(page.status).toBe(200);
    expect(page.json.total).toBe(before + 3);
    expect(page.json.limit).toBe(2);
    expect(page.json.items.map((n: any) => n.id)).toEqual([c!.id, b!.id]);
    expect(page.json.items[0]).toEqual({
      id: c!.id,
      kind: 'reminder',
      title: 'list-c',
      body: 'body',
      conversation_id: null,
      item_id: null,
      created_at: s.clock.now().toISOString(),
      read_at: null,
    });
    const page2 = await s.request('GET', '/api/notifications?limit=2&page=2');
    expect(page2.json.items[0].id).toBe(a!.id);

    const read = await s.request('POST', `/api/notifications/${b!.id}/read`);
    expect(read.status).toBe(204);
    expect(read.text).toBe('');
    s.clock.advance(1000);
    // Reading again changes nothing.
    expect((await s.request('POST', `/api/notifications/${b!.id}/read`)).status).toBe(204);

    const unread = await s.request('GET', '/api/notifications?unread=true&limit=100');
    expect(unread.json.items.map((n: any) => n.id)).not.toContain(b!.id);
    expect(unread.json.items.map((n: any) => n.id)).toContain(c!.id);
    const readOnes = await s.request('GET', '/api/notifications?unread=false');
    const readB = readOnes.json.items.find((n: any) => n.id === b!.id);
    expect(readB.read_at).toBe(new Date(s.clock.now().getTime() - 1000).toISOString());
  });

  it('validates the query and 404s an unknown id', async () => {
    for (const q of ['limit=0', 'limit=101', 'page=0', 'unread=maybe']) {
      const res = await s.request('GET', `/api/notifications?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await s.request('GET', '/api/notifications?limit=100')).status).toBe(200);
    const missing = await s.request('POST', '/api/notifications/ntf_nope/read');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    expect((await s.request('GET', '/api/notifications', undefined, { authorization: '' })).status).toBe(401);
  });

  it('a key is decided once', async () => {
    const first = await s.built.services.notifications.decide(reminder('x', 'y', 'once'));
    const again = await s.built.services.notifications.decide(reminder('x', 'y', 'once'));
    expect(first).not.toBeNull();
    expect(again).toBeNull();
  });
});
