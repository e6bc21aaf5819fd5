/**
 * What only a server process of its own shows (one process for the file: starting one is slow):
 * - an over-limit body reaches the client as the 413 envelope (API.md "Errors"), not as a reset
 *   connection: fetch (undici) keeps sending while the server answers, so the server must read
 *   and discard the rest of the body (up to a bound) before it answers and closes;
 * - query-string secrets stay out of its logs however their names are spelled on the wire
 *   (LOG_LEVEL=debug logs every request).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { spawnServer, type ServerProcess } from '../../test/helpers/process.js';
import { makeTempDir } from '../../test/helpers/server.js';
import { redactUrl } from './redact.js';

// A server process of its own: a client in the server's own event loop reads the 413 before
// the reset could reach it, which hides the failure this file is about.
let s: ServerProcess;
let token = '';
beforeAll(async () => {
  const dataDir = makeTempDir();
  s = await spawnServer({
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:///${path.join(dataDir, 'clawchat.db')}`,
    PIN: '424242',
    AI_PROVIDER: 'none',
    ENABLE_SCHEDULER: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'debug',
  });
  const login = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pin: '424242' }),
  });
  token = ((await login.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await s.stop();
});

const MiB = 1024 * 1024;

function expect413(res: Response, json: any): void {
  expect(res.status).toBe(413);
  expect(json).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
  expect(res.headers.get('x-request-id')).toBeTruthy();
}

/** A chunked body (no Content-Length) of `total` bytes, in 64 KiB pieces. */
function chunkedBody(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const piece = new Uint8Array(64 * 1024).fill(0x61);
  return new ReadableStream({
    async pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"title":"'));
      if (sent >= total) {
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
        return;
      }
      controller.enqueue(piece);
      sent += piece.byteLength;
    },
  });
}

async function post(body: string | ReadableStream<Uint8Array>): Promise<Response> {
  return fetch(`${s.url}/api/todos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
    duplex: 'half',
  });
}

// Several at once, as a loaded server sees them: the server answers before a client is done
// sending, which is when a close without draining resets the connection (EPIPE in fetch).
const SIZES = [2, 3, 4, 6, 8, 12].map((n) => n * MiB);

describe('over-limit bodies', () => {
  it('a 2 MiB (and larger) Content-Length body gets the 413 envelope through fetch', async () => {
    await Promise.all(
      [...SIZES, ...SIZES].map(async (size) => {
        const res = await post(JSON.stringify({ title: 'x', description: 'y'.repeat(size) }));
        expect413(res, await res.json());
      }),
    );
  });

  it('a chunked 2 MiB (and larger) body gets the 413 envelope through fetch', async () => {
    await Promise.all(
      [...SIZES, ...SIZES].map(async (size) => {
        const res = await post(chunkedBody(size));
        expect413(res, await res.json());
      }),
    );
  });

  it('the server keeps serving after over-limit bodies', async () => {
    const res = await fetch(`${s.url}/api/health`);
    expect(res.status).toBe(200);
  });
});

describe('log redaction', () => {
  it('redacts token and key values whose names are percent-encoded', async () => {
    const urls = [
      '/ws?%74oken=SECRET-ONE',
      '/api/calendar.ics?%6Bey=SECRET-TWO',
      '/api/health?x=1&%54%4F%4B%45%4E=SECRET-THREE&y=2',
      '/api/health?%6bey=SECRET-FOUR',
      '/ws?token=SECRET-FIVE',
    ];
    for (const url of urls) await fetch(s.url + url);
    // The request lines are written asynchronously; the last one is there once the output settles.
    const deadline = Date.now() + 5000;
    while (!s.output().includes('/ws?token=[REDACTED]') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    const out = s.output();
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('/ws?%74oken=[REDACTED]');
    for (const n of ['ONE', 'TWO', 'THREE', 'FOUR', 'FIVE']) expect(out).not.toContain(`SECRET-${n}`);
  });

  it('keeps other parameters and withholds a value whose name cannot be decoded', () => {
    expect(redactUrl('/api/todos?tag=a&%6Bey=x&page=2')).toBe('/api/todos?tag=a&%6Bey=[REDACTED]&page=2');
    expect(redactUrl('/ws?%E0%A4%A=x')).toBe('/ws?%E0%A4%A=[REDACTED]');
    expect(redactUrl('/api/search?q=token%3Dx')).toBe('/api/search?q=token%3Dx');
    expect(redactUrl('/api/health')).toBe('/api/health');
  });
});
