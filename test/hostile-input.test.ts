/** Bad input gets the documented error body and the right status, never a 500 or a hang. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const auth = () => ({ authorization: `Bearer ${s.token}` });
const json = { 'content-type': 'application/json' };

function expectEnvelope(res: { status: number; json: any; headers: Headers }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.json.error.code).toBe(code);
  expect(typeof res.json.error.message).toBe('string');
  expect(res.headers.get('x-request-id')).toBeTruthy();
  expect(JSON.stringify(res.json)).not.toMatch(/at .*\.(ts|js):\d+/);
}

describe('malformed requests', () => {
  it('malformed JSON is a 400 envelope', async () => {
    for (const body of ['{', '{"title": }', 'null x', '[1,2', '{"__proto__": {"x": 1}}']) {
      const res = await s.raw('POST', '/api/todos', { body, headers: { ...json, ...auth() } });
      expectEnvelope(res, 400, 'VALIDATION_ERROR');
    }
  });

  it('a JSON array or scalar where an object is expected is a 400', async () => {
    for (const body of ['[]', '"x"', '42', 'null', 'true']) {
      const res = await s.raw('POST', '/api/todos', { body, headers: { ...json, ...auth() } });
      expectEnvelope(res, 400, 'VALIDATION_ERROR');
    }
  });

  it('an empty POST body reads as {}', async () => {
    const res = await s.raw('POST', '/api/todos', { body: '', headers: { ...json, ...auth() } });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details.field).toBe('title');
    const logout = await s.raw('POST', '/api/auth/login', { body: '', headers: json });
    expectEnvelope(logout, 400, 'VALIDATION_ERROR');
  });

  it('a wrong content type is refused with the envelope', async () => {
    const res = await s.raw('POST', '/api/todos', {
      body: 'title=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth() },
    });
    expectEnvelope(res, 415, 'VALIDATION_ERROR');
    const text = await s.raw('POST', '/api/todos', {
      body: '{"title":"x"}',
      headers: { 'content-type': 'text/plain', ...auth() },
    });
    expectEnvelope(text, 415, 'VALIDATION_ERROR');
  });

  it('a 2 MiB body is a 413', async () => {
    const body = JSON.stringify({ title: 'x', description: 'y'.repeat(2 * 1024 * 1024) });
    const res = await s.raw('POST', '/api/todos', { body, headers: { ...json, ...auth() } });
    expectEnvelope(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('huge strings within the body limit are validated, not stored', async () => {
    const res = await s.request('POST', '/api/todos', { title: 'x'.repeat(100_000) });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expect(res.json.error.details.value).toBeUndefined();
  });
});

describe('paths and queries', () => {
  it('unknown routes are a 404 envelope', async () => {
    for (const p of ['/api/nope', '/api/todos/x/y', '/nothing', '/api']) {
      expectEnvelope(await s.request('GET', p), 404, 'NOT_FOUND');
    }
    expectEnvelope(await s.request('PUT', '/api/todos'), 404, 'NOT_FOUND');
  });

  it('odd ids are a clean 404', async () => {
    // Each names nothing (404), except an id longer than any we issue, which the schema refuses.
    const cases: [string, number, string][] = [
      ['..%2F..%2Fetc%2Fpasswd', 404, 'NOT_FOUND'],
      ['%2e%2e', 404, 'NOT_FOUND'],
      ['x'.repeat(400), 400, 'VALIDATION_ERROR'],
      ["'%20OR%201=1--", 404, 'NOT_FOUND'],
      ['%00', 404, 'NOT_FOUND'],
      ['todo_%F0%9F%98%80', 404, 'NOT_FOUND'],
    ];
    for (const [id, status, code] of cases) {
      const res = await s.request('GET', `/api/todos/${id}`);
      expect(res.status, id.slice(0, 30)).toBe(status);
      expect(res.json.error.code).toBe(code);
    }
    const long = await s.request('GET', `/api/todos/${'a'.repeat(5000)}`);
    // Longer than the router's parameter limit: the router's own 404, in the envelope.
    expectEnvelope(long, 404, 'NOT_FOUND');
  });

  it('router-level failures get the envelope too', async () => {
    expectEnvelope(await s.request('GET', '/api/todos/%'), 400, 'VALIDATION_ERROR');
    expectEnvelope(await s.request('GET', `/api/todos/${'a'.repeat(600)}`), 404, 'NOT_FOUND');
    const longQuery = await s.request('GET', `/api/search?q=${encodeURIComponent('회의'.repeat(2500))}`);
    expect(longQuery.status).toBe(200);
    const preflight = await s.raw('OPTIONS', '/api/todos/x', {
      headers: { origin: 'http://app.example', 'access-control-request-method': 'PATCH' },
    });
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
  });

  it('bad paging is a 400, never clamped', async () => {
    for (const q of [
      'limit=abc',
      'page=0',
      'page=abc',
      'limit=1001',
      'limit=-5',
      'page=1.5',
      'page=99999999999999999999',
    ]) {
      expectEnvelope(await s.request('GET', `/api/todos?${q}`), 400, 'VALIDATION_ERROR');
    }
  });

  it('a trailing slash is the same route', async () => {
    expect((await s.request('GET', '/api/todos/')).status).toBe(200);
    expect((await s.request('GET', '/api/health/')).status).toBe(200);
  });
});

describe('every response', () => {
  it('carries X-Request-Id, errors included', async () => {
    for (const res of [
      await s.request('GET', '/api/health'),
      await s.request('GET', '/api/todos', undefined, { authorization: '' }),
    ]) {
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-minute cap', async () => {
    const limited = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const responses = [];
      for (let i = 0; i < 8; i++) responses.push(await limited.request('GET', '/api/todos'));
      expect(responses.map((r) => r.status)).toContain(429);
      const last = responses[responses.length - 1]!;
      expect(last.json.error.code).toBe('RATE_LIMITED');
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('API documents', () => {
  it('serves OpenAPI, Swagger UI and ReDoc', async () => {
    const doc = await s.request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(['/api/todos', '/api/todos/{id}', '/api/memos', '/api/auth/login']),
    );
    expect(doc.json.components.schemas.Todo).toBeTruthy();
    expect((await s.request('GET', '/docs')).status).toBe(200);
    const redoc = await s.request('GET', '/redoc');
    expect(redoc.text).toContain('/openapi.json');
    expect((await s.raw('GET', '/redoc/redoc.standalone.js')).status).toBe(200);
  });
});
