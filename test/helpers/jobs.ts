/**
 * The scheduler tests' harness: servers on a ManualClock (09:00 in Seoul on 2026-03-10) whose
 * pushes land in one fake Expo server, whose hub frames are recorded, and whose jobs are ticked
 * by hand (`services.scheduler.tick(name)`). `useJobServers()` wires it into the file's hooks.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFakeExpo, type FakeExpo } from '../fakes/fake-expo.js';
import type { ServerEvents, ServerFrame } from '../../src/realtime/events.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

export const PUSH_TOKEN = 'ExponentPushToken[jobs-phone]';

export interface Harness {
  s: TestServer;
  frames: ServerFrame[];
  /** `notification` frames' data, in order. */
  notes(): ServerEvents['notification'][];
  /** Sets the clock to a Seoul wall time (`2026-03-10T09:45`) or an instant with `Z`. */
  at(time: string): void;
  tick(name: string): Promise<unknown>;
  /** Forgets the frames seen so far. */
  reset(): void;
  /** Closes the server before the test ends (a restart). */
  stop(): Promise<void>;
}

export function useJobServers() {
  let expo: FakeExpo;
  const open: TestServer[] = [];
  /** One server for the tests that only look at their own day (each uses different dates). */
  let shared: Harness;

  async function boot(opts: TestServerOptions = {}): Promise<Harness> {
    const s = await startTestServer({
      timezone: 'Asia/Seoul',
      now: '2026-03-10T00:00:00Z', // 09:00 in Seoul
      ...opts,
      // Tokens outlive the days these tests jump across.
      env: { EXPO_BASE_URL: expo.url, JWT_EXPIRY_HOURS: '720', ...opts.env },
    });
    open.push(s);
    await s.request('POST', '/api/notifications/register-token', { token: PUSH_TOKEN });
    const frames: ServerFrame[] = [];
    s.built.services.hub.subscribe((f) => frames.push(f));
    return {
      s,
      frames,
      notes: () => frames.flatMap((f) => (f.type === 'notification' ? [f.data] : [])),
      at(time) {
        s.clock.set(time.endsWith('Z') ? time : `${time}:00+09:00`);
      },
      async tick(name) {
        const result = await s.built.services.scheduler.tick(name);
        await s.built.services.notifications.idle();
        return result;
      },
      reset() {
        frames.length = 0;
      },
      async stop() {
        await s.close();
        open.splice(open.indexOf(s), 1);
      },
    };
  }

  beforeAll(async () => {
    expo = await startFakeExpo();
    shared = await boot();
    open.length = 0; // closed in afterAll, not after each test
  });
  afterEach(async () => {
    while (open.length) await open.pop()!.close();
    expo.reset();
  });
  afterAll(async () => {
    await shared.s.close();
    await expo.close();
  });

  return {
    boot,
    /** The shared server, its frames forgotten. */
    sharedHarness: (): Harness => {
      shared.reset();
      return shared;
    },
    /** The pushes the fake Expo server received. */
    pushes: () => expo.messages,
  };
}
