import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../db/database.js';
import { makeTempDir, startTestServer, TEST_PIN, type TestServer } from '../../../test/helpers/server.js';

const servers: TestServer[] = [];
async function start(opts: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const login = (s: TestServer, pin: string, headers: Record<string, string> = {}) =>
  s.request('POST', '/api/auth/login', { pin }, { authorization: '', ...headers });

describe('login', () => {
  it('gives a token pair for the right PIN and 401 for a wrong one', async () => {
    const s = await start({ login: false });
    const ok = await login(s, TEST_PIN);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ token_type: 'bearer', expires_in: 24 * 3600 });
    expect(typeof ok.json.access_token).toBe('string');
    expect(typeof ok.json.refresh_token).toBe('string');

    const bad = await login(s, '000000');
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe('UNAUTHORIZED');
  });

  it('validates the body', async () => {
    const s = await start({ login: false });
    expect((await s.request('POST', '/api/auth/login', {})).json.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { field: 'pin' },
    });
    expect((await s.request('POST', '/api/auth/login', { pin: 123456 })).status).toBe(400);
  });

  it('locks an address out after repeated failures, even for the right PIN, across a restart', async () => {
    const dataDir = makeTempDir();
    const s = await start({ login: false, dataDir });
    for (let i = 0; i < 5; i++) expect((await login(s, '999999')).status).toBe(401);
    const locked = await login(s, TEST_PIN);
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    await s.close();
    servers.splice(servers.indexOf(s), 1);

    const again = await start({ login: false, dataDir });
    expect((await login(again, TEST_PIN)).status).toBe(429);
    // Once the window has passed the owner gets in again.
    again.clock.advance(16 * 60_000);
    expect((await login(again, TEST_PIN)).status).toBe(200);
  });

  it('does not let a burst of parallel guesses past the throttle', async () => {
    const s = await start({ login: false });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => login(s, String(100000 + i))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((st) => st === 401)).toHaveLength(5);
    expect(statuses.filter((st) => st === 429)).toHaveLength(15);
  });

  it('caps failures from all addresses together', async () => {
    const s = await start({ login: false, env: { LOGIN_GLOBAL_MAX_FAILURES: '3', TRUST_PROXY: 'true' } });
    for (let i = 0; i < 3; i++)
      expect((await login(s, '999999', { 'x-forwarded-for': `10.0.0.${i + 1}` })).status).toBe(401);
    expect((await login(s, TEST_PIN, { 'x-forwarded-for': '10.0.0.99' })).status).toBe(429);
  });
});

describe('tokens', () => {
  it('keeps a refresh token usable until its successor is used, then revokes the session on reuse (COMPAT.md)', async () => {
    const s = await start({ login: false });
    const r1 = (await login(s, TEST_PIN)).json.refresh_token as string;
    // R1 exchanged three times: each answer works, and all name the same successor.
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await s.request('POST', '/api/auth/refresh', { refresh_token: r1 });
      expect(res.status).toBe(200);
      expect(res.json.refresh_token).not.toBe(r1);
      const me = await s.request('GET', '/api/todos', undefined, {
        authorization: `Bearer ${res.json.access_token}`,
      });
      expect(me.status).toBe(200);
      answers.push(res.json);
    }
    const jti = (t: string) =>
      (JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    expect(new Set(answers.map((a) => jti(a.refresh_token))).size).toBe(1);

    // Its successor, used once, rotates: R2 is issued, and R1 is now reuse.
    const r2 = await s.request('POST', '/api/auth/refresh', { refresh_token: answers[2].refresh_token });
    expect(r2.status).toBe(200);
    // The successor itself may come again until R2 is used (an app that stored only R1's answer).
    expect(
      (await s.request('POST', '/api/auth/refresh', { refresh_token: answers[0].refresh_token })).status,
    ).toBe(200);

    const reuse = await s.request('POST', '/api/auth/refresh', { refresh_token: r1 });
    expect(reuse.status).toBe(401);
    const after = await s.request('POST', '/api/auth/refresh', { refresh_token: r2.json.refresh_token });
    expect(after.status).toBe(401);
    const denied = await s.request('GET', '/api/todos', undefined, {
      authorization: `Bearer ${r2.json.access_token}`,
    });
    expect(denied.status).toBe(401);
  });

  it('a proper client that always stores the newest token never notices', async () => {
    const s = await start({ login: false });
    let token = (await login(s, TEST_PIN)).json.refresh_token as string;
    for (let i = 0; i < 5; i++) {
      const res = await s.request('POST', '/api/auth/refresh', { refresh_token: token });
      expect(res.status).toBe(200);
      token = res.json.refresh_token;
    }
  });

  it('two refreshes racing with the same token both succeed', async () => {
    const s = await start({ login: false });
    const r1 = (await login(s, TEST_PIN)).json.refresh_token as string;
    const both = await Promise.all(
      [0, 1].map(() => s.request('POST', '/api/auth/refresh', { refresh_token: r1 })),
    );
    expect(both.map((r) => r.status)).toEqual([200, 200]);
  });

  it('keeps access and refresh tokens apart', async () => {
    const s = await start({ login: false });
    const pair = (await login(s, TEST_PIN)).json;
    const asRefresh = await s.request('POST', '/api/auth/refresh', { refresh_token: pair.access_token });
    expect(asRefresh.status).toBe(401);
    const asAccess = await s.request('GET', '/api/todos', undefined, {
      authorization: `Bearer ${pair.refresh_token}`,
    });
    expect(asAccess.status).toBe(401);
    expect(asAccess.json.error.code).toBe('UNAUTHORIZED');
  });

  it('logout revokes the session: access and refresh tokens stop working', async () => {
    const s = await start();
    const out = await s.request('POST', '/api/auth/logout');
    expect(out.status).toBe(204);
    expect((await s.request('GET', '/api/todos')).status).toBe(401);
    expect((await s.request('POST', '/api/auth/refresh', { refresh_token: s.refreshToken })).status).toBe(
      401,
    );
  });

  it('refuses expired tokens, also one that was accepted before it expired', async () => {
    const s = await start();
    expect((await s.request('GET', '/api/todos')).status).toBe(200);
    s.clock.advance(24 * 3600_000 + 1000);
    const res = await s.request('GET', '/api/todos');
    expect(res.status).toBe(401);
    expect(res.json.error.message).toMatch(/expired/i);
  });

  it('refuses forged tokens: wrong secret, alg none, garbage, missing', async () => {
    const s = await start();
    const claims = { type: 'access', sid: 'ses_x' };
    const wrongSecret = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('owner')
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const [, payload] = s.token.split('.');
    const algNone = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    const tampered = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), exp: 9999999999 })}.${s.token.split('.')[2]}`;
    for (const token of [wrongSecret, algNone, tampered, 'not.a.jwt', 'x']) {
      const res = await s.request('GET', '/api/todos', undefined, { authorization: `Bearer ${token}` });
      expect(res.status, token).toBe(401);
      expect(res.json.error.code).toBe('UNAUTHORIZED');
    }
    const none = await s.request('GET', '/api/todos', undefined, { authorization: '' });
    expect(none.status).toBe(401);
    const basic = await s.request('GET', '/api/todos', undefined, { authorization: 'Basic abc' });
    expect(basic.status).toBe(401);
  });
});

describe('first start without a PIN', () => {
  it(
    'generates a 6-digit PIN that works, returned once: a restart does not know it any more',
    { timeout: 90_000 },
    async () => {
      const dataDir = makeTempDir();
      const s = await start({ login: false, dataDir, env: { PIN: '' } });
      const pin = s.built.generatedPin;
      expect(pin).toMatch(/^\d{6}$/);
      await s.close();
      servers.splice(servers.indexOf(s), 1);

      // Only its hash is kept, so there is nothing to show at the next start; it still works.
      const again = await start({ login: false, dataDir, env: { PIN: '' } });
      expect(again.built.generatedPin).toBeNull();
      expect((await login(again, pin!)).status).toBe(200);
      // On either database, no setting holds it in clear.
      const database = await createDatabase(again.config.database, { migrate: false });
      const settings = await database.db.selectFrom('settings').selectAll().execute();
      await database.close();
      expect(settings.map((r) => r.key)).toContain('auth.pin_hash');
      expect(JSON.stringify(settings)).not.toContain(pin);
    },
  );
});
