/**
 * The owner's console (`/api/admin/*`) over real HTTP and WebSocket, on SQLite or PostgreSQL
 * (CLAWCHAT_TEST_DB=postgres). The LLM is the fake OpenAI server.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeOpenAI, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { activityUntil, login } from '../../../test/helpers/admin.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs } from '../../../test/helpers/ws.js';
import { parseConfig } from '../../config.js';
import { createDatabase } from '../../db/database.js';
import { ACTIVITY_KEEP } from './activity.js';
import { configView } from './config-view.js';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

/** Runs one statement on the server's database through a connection of our own. */
async function execSql(s: TestServer, statement: string): Promise<void> {
  const database = await createDatabase(s.config.database, { migrate: false });
  try {
    await sql.raw(statement).execute(database.db);
  } finally {
    await database.close();
  }
}

const ROUTES: Array<[string, string]> = [
  ['GET', '/api/admin/overview'],
  ['GET', '/api/admin/ai'],
  ['POST', '/api/admin/ai/test'],
  ['GET', '/api/admin/activity'],
  ['GET', '/api/admin/sessions'],
  ['POST', '/api/admin/sessions/ses_x/disconnect'],
  ['GET', '/api/admin/config'],
  ['GET', '/api/admin/data'],
  ['POST', '/api/admin/db/backup'],
  ['POST', '/api/admin/db/reindex'],
  ['POST', '/api/admin/db/purge'],
];

describe('owner console', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ now: '2026-03-02T00:30:00.000Z', timezone: 'Asia/Seoul' });
  });
  afterAll(async () => s.close());

  it('needs the access token on every route, and documents each in OpenAPI', async () => {
    for (const [method, route] of ROUTES) {
      const res = await s.request(method, route, method === 'POST' ? {} : undefined, { authorization: '' });
      expect(res.status, `${method} ${route}`).toBe(401);
      expect(res.json.error.code).toBe('UNAUTHORIZED');
    }
    const doc = (await s.request('GET', '/openapi.json')).json;
    for (const [method, route] of ROUTES) {
      const key = route.replace('ses_x', '{id}');
      expect(doc.paths[key]?.[method.toLowerCase()], `${method} ${key}`).toBeTruthy();
    }
  });

  it('overview: version, database, counts per type, AI and scheduler state', async () => {
    await s.request('POST', '/api/todos', { title: 'Water the plants' });
    await s.request('POST', '/api/todos', { title: 'Call mum' });
    await s.request('POST', '/api/memos', { title: 'Door code', content: '4711' });
    await s.request('POST', '/api/events', { title: 'Dentist', start_time: '2026-03-04T10:00:00+09:00' });
    const res = await s.request('GET', '/api/admin/overview');
    expect(res.status).toBe(200);
    const o = res.json;
    expect(o.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(o.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(o.database.kind).toBe(s.config.database.kind);
    expect(o.database.size_bytes).toBeGreaterThan(0);
    expect(o.counts).toMatchObject({
      todos: 2,
      memos: 1,
      events: 1,
      conversations: 0,
      messages: 0,
      agent_tasks: 0,
    });
    expect(o.ai).toEqual({ provider: 'none', model: 'llama3.2', reachable: null });
    // 09:30 in Seoul: today's 08:00 briefing has passed, the next one is tomorrow's.
    expect(o.scheduler).toMatchObject({
      enabled: false,
      running: false,
      timezone: 'Asia/Seoul',
      briefing_enabled: true,
      next_briefing_at: '2026-03-02T23:00:00.000Z',
      next_briefing_local: '2026-03-03 08:00',
      last_tick_at: null,
      jobs: [],
    });
    await s.built.services.scheduler.tick('reminders');
    const after = (await s.request('GET', '/api/admin/overview')).json;
    expect(after.scheduler.last_tick_at).toBe('2026-03-02T00:30:00.000Z');
    expect(after.scheduler.jobs).toEqual([{ name: 'reminders', last_run_at: '2026-03-02T00:30:00.000Z' }]);
  });

  it('activity: logins, failed logins, revoked sessions, job runs and 5xx errors, newest first', async () => {
    const wrong = await s.request('POST', '/api/auth/login', { pin: '000000' }, { authorization: '' });
    expect(wrong.status).toBe(401);
    const tokens = await login(s, CHROME_MAC);
    const out = await s.request('POST', '/api/auth/logout', undefined, {
      authorization: `Bearer ${tokens.access_token}`,
    });
    expect(out.status).toBe(204);
    await activityUntil(s, (list) => list.some((a) => a.kind === 'session_revoked'));

    // An overdue todo gives the overdue job something to do; a second tick finds nothing (not recorded).
    await s.request('POST', '/api/todos', { title: 'File taxes', due_date: '2026-03-01' });
    await s.built.services.scheduler.tick('overdue');
    await s.built.services.scheduler.tick('overdue');

    const items = await activityUntil(s, (list) => list[0]?.kind === 'job');
    const kinds = items.map((a) => a.kind);
    expect(kinds.slice(0, 4)).toEqual(['job', 'session_revoked', 'login', 'login_failed']);
    expect(kinds.filter((k) => k === 'job')).toHaveLength(1);
    expect(items[0]).toMatchObject({ message: 'Job overdue ran', detail: { job: 'overdue', result: 1 } });
    expect(items[1].message).toBe('Session revoked (logout)');
    expect(items[2].message).toContain('Chrome on macOS');
    expect(items[3].message).toContain('Wrong PIN');
    expect(items[3].detail.address).toBe('127.0.0.1');
    for (let i = 1; i < items.length; i++) expect(items[i - 1].id).toBeGreaterThan(items[i].id);

    // A 5xx (a table gone from under the server) is recorded with its request id.
    // PostgreSQL refuses while the attachments' foreign key points at it; SQLite lets it go.
    await execSql(s, s.config.database.kind === 'postgres' ? 'drop table memos cascade' : 'drop table memos');
    const broken = await s.request('GET', '/api/memos');
    expect(broken.status).toBe(500);
    const withError = await activityUntil(s, (list) => list[0]?.kind === 'error');
    expect(withError[0]).toMatchObject({
      kind: 'error',
      detail: { request_id: broken.headers.get('x-request-id') },
    });
    expect(withError[0].message).toMatch(/^GET \/api\/memos: /);
  });

  it('activity keeps the newest ~1,000 entries and answers the latest 50', async () => {
    const activity = s.built.services.activity;
    // Old entries in bulk, then enough recorded entries that the log prunes at least once.
    await execSql(
      s,
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${ACTIVITY_KEEP + 100})
       insert into activity (kind, message, created_at) select 'admin', 'bulk ' || i, '2026-03-01T00:00:00.000Z' from n`,
    );
    for (let i = 0; i < 60; i++) await activity.record('admin', `entry ${i}`);
    const res = await s.request('GET', '/api/admin/activity');
    expect(res.json.items).toHaveLength(50);
    expect(res.json.items[0].message).toBe('entry 59');
    const data = (await s.request('GET', '/api/admin/data')).json;
    const rows = data.tables.find((t: { table: string }) => t.table === 'activity').rows;
    expect(rows).toBeGreaterThanOrEqual(ACTIVITY_KEEP);
    expect(rows).toBeLessThan(ACTIVITY_KEEP + 50);
  });
});

describe('owner console: sessions', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s.close());

  it('lists live sessions with their device and sockets; disconnect revokes one and closes its sockets', async () => {
    const phone = await login(s, CHROME_MAC);
    const ws = await connectWs(s, phone.access_token);
    const other = await connectWs(s);

    const list = await s.request('GET', '/api/admin/sessions');
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(2);
    const mine = list.json.items.find((x: any) => x.current);
    const theirs = list.json.items.find((x: any) => !x.current);
    expect(mine).toMatchObject({ open_sockets: 1 });
    expect(theirs).toMatchObject({ label: 'Chrome on macOS', user_agent: CHROME_MAC, open_sockets: 1 });
    expect(theirs.created_at).toBe(theirs.last_used_at);

    const res = await s.request('POST', `/api/admin/sessions/${theirs.id}/disconnect`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ session_id: theirs.id, revoked: true, closed_sockets: 1 });
    expect((await ws.closed).code).toBe(4001);
    const refused = await s.request('GET', '/api/todos', undefined, {
      authorization: `Bearer ${phone.access_token}`,
    });
    expect(refused.status).toBe(401);
    expect(
      (await s.request('POST', '/api/auth/refresh', { refresh_token: phone.refresh_token })).status,
    ).toBe(401);

    // The owner's own socket stays open.
    await other.settle();
    const after = await s.request('GET', '/api/admin/sessions');
    expect(after.json.items.map((x: any) => x.id)).toEqual([mine.id]);
    const items = await activityUntil(s, (l) => l.some((a) => a.kind === 'session_revoked'));
    expect(items.find((a) => a.kind === 'session_revoked').message).toBe('Session revoked (disconnected)');

    for (const id of [theirs.id, 'ses_unknown']) {
      const gone = await s.request('POST', `/api/admin/sessions/${id}/disconnect`);
      expect(gone.status).toBe(404);
      expect(gone.json.error.code).toBe('NOT_FOUND');
    }
    await other.close();
  });
});

describe('owner console: AI', () => {
  let fake: FakeOpenAI;
  let s: TestServer;
  const KEY = 'sk-admin-test-key-0123456789';
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    s = await startTestServer({
      env: {
        AI_PROVIDER: 'openai',
        AI_BASE_URL: fake.url,
        AI_MODEL: 'fake-model',
        AI_API_KEY: KEY,
        AI_TIMEOUT_SECONDS: '1',
      },
    });
  });
  afterAll(async () => {
    await s.close();
    await fake.close();
  });

  it('GET /api/admin/ai: provider, base URL and model, never the key', async () => {
    const res = await s.request('GET', '/api/admin/ai');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      provider: 'openai',
      base_url: fake.url,
      model: 'fake-model',
      api_key_set: true,
    });
    expect(res.text).not.toContain(KEY);
  });

  it('the test sends one short completion and answers latency and the first words', async () => {
    fake.reset();
    fake.onChat('Yes, I am here and listening.');
    const res = await s.request('POST', '/api/admin/ai/test');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      ok: true,
      provider: 'openai',
      model: 'fake-model',
      reply: 'Yes, I am here and listening.',
      error: null,
    });
    expect(res.json.latency_ms).toBeGreaterThanOrEqual(0);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.model).toBe('fake-model');
  });

  it('a provider error or a silent provider is the answer, with the error, within the time limit', async () => {
    fake.reset();
    fake.queue(reply.error(500, 'model exploded'));
    const failed = await s.request('POST', '/api/admin/ai/test');
    expect(failed.status).toBe(200);
    expect(failed.json).toMatchObject({ ok: false, reply: null });
    expect(failed.json.error).toEqual(expect.any(String));
    expect(failed.text).not.toContain(KEY);

    fake.onChat(reply.stall());
    const started = Date.now();
    const silent = await s.request('POST', '/api/admin/ai/test');
    expect(silent.json).toMatchObject({ ok: false, reply: null });
    expect(silent.json.error).toMatch(/time|within/i);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('with AI_PROVIDER=none the test answers clearly, not a 500', async () => {
    const none = await startTestServer();
    try {
      const res = await none.request('POST', '/api/admin/ai/test');
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ ok: false, provider: 'none', latency_ms: null, reply: null });
      expect(res.json.error).toContain('AI_PROVIDER=none');
    } finally {
      await none.close();
    }
  });
});

describe('owner console: configuration', () => {
  const SECRETS = {
    JWT_SECRET: 'jwt-secret-value-that-is-long-enough-0001',
    PIN: '97531',
    AI_API_KEY: 'sk-config-test-secret-0002',
    EXPO_ACCESS_TOKEN: 'expo-access-token-secret-0003',
  };

  it('shows the effective configuration with every secret redacted', async () => {
    const s = await startTestServer({
      login: false,
      env: {
        ...SECRETS,
        AI_BASE_URL: 'http://aiuser:ai-url-password-0004@127.0.0.1:9/?api_key=ai-query-key-0005',
      },
    });
    try {
      const tokens = (await s.request('POST', '/api/auth/login', { pin: SECRETS.PIN })).json;
      const res = await s.request('GET', '/api/admin/config', undefined, {
        authorization: `Bearer ${tokens.access_token}`,
      });
      expect(res.status).toBe(200);
      for (const value of [...Object.values(SECRETS), 'ai-url-password-0004', 'ai-query-key-0005'])
        expect(res.text).not.toContain(value);
      expect(res.json.config).toMatchObject({
        JWT_SECRET: '[redacted]',
        PIN: '[redacted]',
        AI_API_KEY: '[redacted]',
        EXPO_ACCESS_TOKEN: '[redacted]',
        AI_PROVIDER: 'none',
        TIMEZONE: 'Asia/Seoul',
        ENABLE_SCHEDULER: false,
      });
      expect(res.json.config.AI_BASE_URL).toContain('aiuser:');
      expect(res.json.redacted).toEqual(
        expect.arrayContaining(['JWT_SECRET', 'PIN', 'AI_API_KEY', 'EXPO_ACCESS_TOKEN', 'AI_BASE_URL']),
      );
      const ai = await s.request('GET', '/api/admin/ai', undefined, {
        authorization: `Bearer ${tokens.access_token}`,
      });
      expect(ai.json.base_url).toBe('http://127.0.0.1:9');
    } finally {
      await s.close();
    }
  });

  it('hides the passwords inside DATABASE_URL and REDIS_URL', () => {
    const view = configView(
      parseConfig({
        DATABASE_URL: 'postgres://clawchat:db-password-0006@db.internal:5432/clawchat?sslpassword=ssl-0007',
        REDIS_URL: 'redis://:redis-password-0008@cache.internal:6379/0',
        AI_PROVIDER: 'none',
        TIMEZONE: 'UTC',
      }),
    );
    const text = JSON.stringify(view);
    for (const value of ['db-password-0006', 'ssl-0007', 'redis-password-0008'])
      expect(text).not.toContain(value);
    expect(view.config.DATABASE_URL).toBe(
      'postgres://clawchat:[redacted]@db.internal:5432/clawchat?sslpassword=[redacted]',
    );
    expect(view.config.REDIS_URL).toBe('redis://:[redacted]@cache.internal:6379/0');
    expect(view.redacted).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL']));
  });

  it('on PostgreSQL, the running server hides the password of its own DATABASE_URL', async (ctx) => {
    const first = await startTestServer({ login: false });
    try {
      if (first.config.database.kind !== 'postgres') return ctx.skip();
      // A second instance on the same database, with a password in its URL (trust authentication ignores it).
      const url = new URL(first.config.database.url);
      url.password = 'pg-password-0009';
      const s = await startTestServer({ env: { DATABASE_URL: url.toString() } });
      try {
        const res = await s.request('GET', '/api/admin/config');
        expect(res.status).toBe(200);
        expect(res.text).not.toContain('pg-password-0009');
        expect(res.json.config.DATABASE_URL).toContain(':[redacted]@');
      } finally {
        await s.close();
      }
    } finally {
      await first.close();
    }
  });
});
