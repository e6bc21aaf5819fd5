/**
 * startTestServer(): the real app on 127.0.0.1:0 with a temp SQLite file, logged in, spoken to
 * over real HTTP. Only the clock is controlled (ManualClock); fakes stand in for outside
 * services at their network boundary.
 *
 * With `CLAWCHAT_TEST_DB=postgres` (or `database: 'postgres'`) each server gets its own
 * PostgreSQL database, a copy of the run's migrated template (test/helpers/global-setup.ts);
 * a server started on a given `dataDir` keeps its database across restarts. `redis: true` adds
 * REDIS_URL with a key prefix of its own; `peerOf(server)` starts a second instance on the
 * same database and Redis.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type App, type BuiltApp } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createDatabase } from '../../src/db/database.js';
import { ManualClock, systemClock } from '../../src/lib/clock.js';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  withDatabase,
  TEST_PG_URL,
} from './services.js';

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
  /** Default: `postgres` when CLAWCHAT_TEST_DB=postgres (and reachable), else `sqlite`. */
  database?: 'sqlite' | 'postgres';
  /** REDIS_URL (the test Redis) with a key prefix of its own; implies PostgreSQL. */
  redis?: boolean;
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
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<TestResponse<T>>;
  /** A raw request: the body is sent exactly as given. */
  raw(
    method: string,
    path: string,
    init?: { body?: string | Buffer; headers?: Record<string, string> },
  ): Promise<TestResponse>;
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

/** The file in a data directory that names its PostgreSQL test database (restarts reuse it). */
const PG_MARKER = 'postgres-test-database';

/** Which database a test server uses by default: the suite's (CLAWCHAT_TEST_DB), if it answered. */
async function defaultDatabase(): Promise<
  { kind: 'sqlite' } | { kind: 'postgres'; template: string | null; prefix: string }
> {
  if (process.env.CLAWCHAT_TEST_DB !== 'postgres') return { kind: 'sqlite' };
  let run: { template: string; prefix: string } | null | undefined;
  try {
    const { inject } = await import('vitest');
    run = inject('clawchatPostgres');
  } catch {
    run = undefined; // outside vitest (scripts): no template, databases are migrated one by one
  }
  // null: asked for, but unreachable (global setup printed why); the suite runs on SQLite.
  if (run === null) return { kind: 'sqlite' };
  return {
    kind: 'postgres',
    template: run?.template ?? null,
    prefix: run?.prefix ?? `clawchat_t_${process.pid}_`,
  };
}

/**
 * DATABASE_URL for a test server: a temp SQLite file, or a PostgreSQL database of its own (the
 * one a reused `dataDir` names). `drop` removes a database nobody will restart on.
 */
async function testDatabaseUrl(
  opts: TestServerOptions,
  dataDir: string,
): Promise<{ url: string; drop: (() => Promise<void>) | null }> {
  const sqliteUrl = { url: `sqlite:///${path.join(dataDir, 'clawchat.db')}`, drop: null };
  if (opts.env?.DATABASE_URL) return { url: opts.env.DATABASE_URL, drop: null };
  const wanted = opts.redis ? 'postgres' : opts.database;
  const suite = await defaultDatabase();
  if (wanted === 'sqlite' || (wanted === undefined && suite.kind === 'sqlite')) return sqliteUrl;
  const marker = path.join(dataDir, PG_MARKER);
  if (fs.existsSync(marker))
    return { url: withDatabase(TEST_PG_URL, fs.readFileSync(marker, 'utf8').trim()), drop: null };
  const template = suite.kind === 'postgres' ? suite.template : null;
  const prefix = suite.kind === 'postgres' ? suite.prefix : `clawchat_t_${process.pid}_`;
  const created = await createTestDatabase({ name: `${prefix}${process.pid}_${randomName()}`, template });
  fs.writeFileSync(marker, created.name);
  // A server on a data directory the test chose may be restarted on it: the run's end drops it.
  return { url: created.url, drop: opts.dataDir ? null : created.drop };
}

const randomName = () => Math.random().toString(36).slice(2, 10);

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? makeTempDir();
  const database = await testDatabaseUrl(opts, dataDir);
  const redisEnv: Record<string, string> = opts.redis
    ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: uniqueRedisPrefix() }
    : {};
  const config = parseConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    ...redisEnv,
    PIN: TEST_PIN,
    TIMEZONE: opts.timezone ?? 'Asia/Seoul',
    AI_PROVIDER: 'none',
    // Tests that script the fake LLM's answer expect to be asked; the fast path's own tests set it.
    AI_FAST_PATH: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    ENABLE_SCHEDULER: 'false',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
    ...opts.env,
  });
  const clock = new ManualClock(opts.now ?? new Date());
  const handle = await createDatabase(config.database);
  const built = await buildApp({
    config,
    database: handle,
    clock: opts.realClock ? systemClock : clock,
    logger: false,
    jwtSecret: new TextEncoder().encode(config.jwtSecret!),
    wsPingIntervalMs: opts.wsPingIntervalMs,
  });
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
      await fetch(url + p, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
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
      await database.drop?.();
    },
  };
}

/**
 * One server for the file: started in beforeAll, closed in afterAll. The returned object stands
 * for it inside tests (reading it before beforeAll has run throws).
 */
export function useTestServer(opts: TestServerOptions = {}): TestServer {
  let current: TestServer | null = null;
  beforeAll(async () => {
    current = await startTestServer(opts);
  });
  afterAll(async () => current?.close());
  const get = () => {
    if (!current) throw new Error('useTestServer: read inside a test (the server starts in beforeAll)');
    return current;
  };
  return new Proxy({} as TestServer, {
    get: (_, key) => Reflect.get(get(), key) as unknown,
    set: (_, key, value) => Reflect.set(get(), key, value),
  });
}

/**
 * A second instance of `server`'s deployment: the same PostgreSQL database, the same Redis
 * (REDIS_URL and key prefix) and the same JWT secret, so its tokens work on both.
 */
export async function peerOf(
  server: TestServer,
  opts: Omit<TestServerOptions, 'dataDir' | 'database' | 'redis'> = {},
): Promise<TestServer> {
  if (server.config.database.kind !== 'postgres') throw new Error('peerOf needs a PostgreSQL test server');
  return startTestServer({
    ...opts,
    env: {
      DATABASE_URL: server.config.database.url,
      ...(server.config.redisUrl
        ? { REDIS_URL: server.config.redisUrl, REDIS_KEY_PREFIX: server.config.redisKeyPrefix }
        : {}),
      ...opts.env,
    },
  });
}
