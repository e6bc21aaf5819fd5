/**
 * The browser app (web/dist, built by Vite) at `/`, on the same port as the API.
 *
 * - Files under web/dist are served as they are; hashed ones (`/assets/*`) are immutable.
 * - Any other GET that accepts HTML and is not an API, socket or docs path answers index.html,
 *   so a reload of `/chat/conv_1` lands in the app (client-side routing).
 * - Everything else (unknown `/api` routes, JSON clients) keeps the JSON 404 envelope.
 * - HTML carries a strict Content-Security-Policy: scripts only from this origin, no inline
 *   script, no eval; fetch and the WebSocket only to this origin.
 * When web/dist is missing (the app was never built) the server still serves the API.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

export interface WebPluginOptions {
  /** The built app; default web/dist of this checkout (the same from src/ and dist/). */
  root?: string;
}

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** 'self' covers ws:/wss: to the same host in CSP Level 3 browsers (all current ones). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths the app never answers with index.html: the API, the socket and the API docs. */
const NOT_APP = /^\/(api|ws|docs|redoc|openapi\.json)(\/|\?|$)/;

function setHtmlHeaders(reply: { header(name: string, value: string): unknown }): void {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  // The shell must be revalidated so a new build's hashed assets are picked up.
  reply.header('cache-control', 'no-cache');
}

async function web(app: FastifyInstance, opts: WebPluginOptions): Promise<void> {
  const root = opts.root ?? DEFAULT_WEB_ROOT;
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) {
    app.log.warn(`web app not built (${index} missing): run "npm run build:web"; the API is served as usual`);
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per file found at start-up: unknown paths reach the SPA fallback below.
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders: (res, file) => {
      const rel = path.relative(root, file).split(path.sep).join('/');
      res.setHeader('x-content-type-options', 'nosniff');
      if (rel.startsWith('assets/')) {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      } else if (rel.endsWith('.html')) {
        setHtmlHeaders({ header: (n, v) => res.setHeader(n, v) });
      } else {
        // sw.js, the manifest and icons: never stale for long, since their names do not change.
        res.setHeader('cache-control', 'no-cache');
      }
    },
  });

  const html = fs.readFileSync(index);
  const sendShell = (reply: FastifyReply) => {
    setHtmlHeaders(reply);
    return reply.type('text/html; charset=utf-8').send(html);
  };

  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const accept = req.headers.accept ?? '';
    if (NOT_APP.test(req.url) || !accept.includes('text/html')) return reply.callNotFound();
    return sendShell(reply);
  });
}

export const webPlugin = fp(web, { name: 'web' });
