/**
 * TRUST_PROXY (issue 12, item 3): behind a proxy that appends the address it saw to
 * X-Forwarded-For, a client that rotates the leftmost entry itself still counts as one
 * address for the login throttle and the rate limit.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, TEST_PIN, type TestServer } from '../../../test/helpers/server.js';

const servers: TestServer[] = [];
const proxies: http.Server[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => new Promise((r) => p.close(r))));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A reverse proxy as nginx's `$proxy_add_x_forwarded_for` is: it appends the peer's address. */
async function appendingProxy(target: string): Promise<string> {
  const proxy = http.createServer((req, res) => {
    const seen = req.socket.remoteAddress!.replace(/^::ffff:/, '');
    const forwarded = req.headers['x-forwarded-for'];
    const upstream = http.request(
      `${target}${req.url}`,
      {
        method: req.method,
        headers: { ...req.headers, 'x-forwarded-for': forwarded ? `${String(forwarded)}, ${seen}` : seen },
      },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  proxies.push(proxy);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

async function start(env: Record<string, string>): Promise<{ s: TestServer; via: string }> {
  const s = await startTestServer({ login: false, env });
  servers.push(s);
  return { s, via: await appendingProxy(s.url) };
}

/**
 * A login from 127.0.0.5 (the proxy and the server are on 127.0.0.1, so a list that trusts
 * 127.0.0.1 does not trust the client), with a client-chosen X-Forwarded-For.
 */
function post(
  base: string,
  pin: string,
  spoofed: string,
): Promise<{ status: number; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ pin });
    const req = http.request(
      `${base}/api/auth/login`,
      {
        method: 'POST',
        localAddress: '127.0.0.5',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-forwarded-for': spoofed,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode!, retryAfter: (res.headers['retry-after'] as string) ?? null }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('TRUST_PROXY behind an appending proxy', () => {
  it.each(['true', '1', '127.0.0.1', '127.0.0.1/32, 10.0.0.0/8'])(
    'TRUST_PROXY=%s: a rotated X-Forwarded-For does not get past the login throttle',
    async (trust) => {
      const { via } = await start({ TRUST_PROXY: trust });
      for (let i = 0; i < 5; i++) expect((await post(via, '999999', `203.0.113.${i + 1}`)).status).toBe(401);
      const locked = await post(via, TEST_PIN, '198.51.100.77');
      expect(locked.status).toBe(429);
      expect(locked.retryAfter).not.toBeNull();
    },
  );

  it('TRUST_PROXY=true: a rotated X-Forwarded-For does not get past the rate limit', async () => {
    const { via } = await start({ TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await fetch(`${via}/api/health`, { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } })).status,
      );
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('still tells clients apart by the address the proxy appended', async () => {
    const { s } = await start({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES: '2' });
    // Straight to the server, as two different proxies' hops would arrive: the last entry counts.
    for (let i = 0; i < 2; i++) expect((await post(s.url, '999999', `1.1.1.1, 192.0.2.10`)).status).toBe(401);
    expect((await post(s.url, TEST_PIN, '1.1.1.1, 192.0.2.10')).status).toBe(429);
    expect((await post(s.url, TEST_PIN, '1.1.1.1, 192.0.2.11')).status).toBe(200);
  });
});
