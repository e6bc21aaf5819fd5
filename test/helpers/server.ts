/**
 * startTestServer(): the real app on 127.0.0.1:0 with a temp SQLite file, logged in, spoken to
 * over real HTTP. Only the clock is controlled (ManualClock); fakes stand in for outside
 * services at their network boundary.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp, type App, type BuiltApp } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createDatabase } from '../../src/db/database.js';
import { ManualClock, systemClock } from '../../src/lib/clock.js';

export const TEST_PIN = '123456';

export interface TestServerOptions {
  timezone?: string;
  /** Start time of the manual clock (default: real now). */
  now?: string;
  /** Extra environment, as a user would set it (e.g. AI_PROVIDER, AI_BASE_URL). */
  env?: Record<string, string>;
  /** Reuse a data directory (restart tests). */
  dataDir?: string;
  /** Skip the login (auth tests do their own). */
  login?: boolean;
  /** Run on the system clock (real-timer tests of the scheduler); `clock` is then unused. */
  realClock?: boolean;
  /** WebSocket server ping interval (heartbeat and token-expiry tests shorten it). */
  wsPingIntervalMs?: number;
}

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  json: T;
  text: string;
}

export interface TestServer {
  url: string;
  wsUrl: string;
  token: string;
  refreshToken: string;
  clock: ManualClock;
  config: Config;
  dataDir: string;
  app: App;
  built: BuiltApp;
  request<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  /** A raw request: the body is sent exactly as given. */
  raw(method: string, path: string, init?: { body?: string | Buffer; headers?: Record<string, string> }): Promise<TestResponse>;
  close(): Promise<void>;
}

export function makeTempDir(prefix = 'clawchat-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function toResponse(res: Response): Promise<TestResponse> {
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? makeTempDir();
  const config = parseConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:///${path.join(dataDir, 'clawchat.db')}`,
    PIN: TEST_PIN,
    TIMEZONE: opts.timezone ?? 'Asia/Seoul',
    AI_PROVIDER: 'none',
    RATE_LIMIT_PER_MINUTE: '0',
    ENABLE_SCHEDULER: 'false',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
    ...opts.env,
  });
  const clock = new ManualClock(opts.now ?? new Date());
  const database = await createDatabase(config.database);
  const built = await buildApp({ config, database, clock: opts.realClock ? systemClock : clock, logger: false, jwtSecret: new TextEncoder().encode(config.jwtSecret!), wsPingIntervalMs: opts.wsPingIntervalMs });
  const { app } = built;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  let token = '';
  let refreshToken = '';
  const raw: TestServer['raw'] = async (method, p, init = {}) =>
    toResponse(await fetch(url + p, { method, body: init.body, headers: init.headers }));
  const request: TestServer['request'] = async (method, p, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    if (token && !('authorization' in h)) h.authorization = `Bearer ${token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    return toResponse(
      await fetch(url + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) }),
    );
  };

  if (opts.login !== false) {
    const res = await request('POST', '/api/auth/login', { pin: TEST_PIN });
    if (res.status !== 200) throw new Error(`test login failed: ${res.status} ${res.text}`);
    token = res.json.access_token;
    refreshToken = res.json.refresh_token;
  }

  return {
    url,
    wsUrl: url.replace('http', 'ws'),
    get token() {
      return token;
    },
    set token(t: string) {
      token = t;
    },
    refreshToken,
    clock,
    config,
    dataDir,
    app,
    built,
    request,
    raw,
    async close() {
      await app.close();
    },
  };
}
