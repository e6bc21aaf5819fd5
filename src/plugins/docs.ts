/**
 * The API documents, all generated from the schemas the routes validate with:
 * `/openapi.json`, Swagger UI at `/docs`, ReDoc at `/redoc` (served locally: no CDN, the
 * server may run offline).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const require = createRequire(import.meta.url);

async function docs(app: FastifyInstance, opts: { version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ClawChat server API',
        version: opts.version,
        description: 'Self-hosted AI personal assistant: todos, events, memos, chat, search. See API.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const redocBundle = path.join(
    path.dirname(require.resolve('redoc/package.json')),
    'bundles',
    'redoc.standalone.js',
  );
  app.get('/redoc', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><html><head><meta charset="utf-8"><title>ClawChat API</title>' +
          '<meta name="viewport" content="width=device-width, initial-scale=1"></head>' +
          '<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body></html>',
      ),
  );
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(fs.createReadStream(redocBundle)),
  );
}

export const docsPlugin = fp(docs, { name: 'docs' });
