/**
 * The browser app as the server serves it, over real HTTP (no browser needed): the shell and
 * deep links with a strict CSP, hashed assets immutable, and the API's JSON 404 untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { ensureWebBuilt } from '../../../test/web/browser.js';
import { DEFAULT_WEB_ROOT } from './web.plugin.js';

const html = { accept: 'text/html,application/xhtml+xml' };

describe('web app serving', () => {
  let s: TestServer;
  beforeAll(async () => {
    ensureWebBuilt();
    s = await startTestServer();
  }, 180_000);
  afterAll(async () => s?.close());

  it('answers / and client-side routes with the shell and a strict CSP', async () => {
    for (const p of ['/', '/chat/conv_123', '/today']) {
      const res = await s.raw('GET', p, { headers: html });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.text).toContain('<div id="app">');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    // No inline script in the shell: everything comes from same-origin files.
    const shell = (await s.raw('GET', '/', { headers: html })).text;
    expect(shell).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('keeps the JSON 404 envelope for unknown API routes and non-HTML clients', async () => {
    for (const [p, headers] of [
      ['/api/nope', html],
      ['/api/todos/x/y/z', html],
      ['/nope', { accept: 'application/json' }],
    ] as const) {
      const res = await s.raw('GET', p, { headers });
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('NOT_FOUND');
    }
    const docs = await s.raw('GET', '/openapi.json', { headers: html });
    expect(docs.status).toBe(200);
    expect(docs.json.openapi).toMatch(/^3\./);
  });

  it('serves hashed assets as immutable and the service worker as always revalidated', async () => {
    const assets = fs.readdirSync(path.join(DEFAULT_WEB_ROOT, 'assets'));
    const js = assets.find((f) => f.endsWith('.js'))!;
    const res = await s.raw('GET', `/assets/${js}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const sw = await s.raw('GET', '/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.text).not.toMatch(/caches?\.(add|put)[^\n]*\/api/);
    const manifest = await s.raw('GET', '/manifest.webmanifest');
    expect(manifest.status).toBe(200);
  });
});
