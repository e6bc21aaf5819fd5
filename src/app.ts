/**
 * buildApp(deps): the whole server as one Fastify instance, assembled in a fixed order:
 *   1. framework settings (request ids, JSON parsing, validation)   2. error mapping
 *   3. CORS and rate limit   4. API docs   5. public routes   6. the authenticated scope
 *   7. the browser app (static files and its client-side routes).
 * server.ts only listens; tests call this same factory with a temp database and a clock.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { LogController } from 'fastify';
import { trustProxyOption, type Config } from './config.js';
import type { Database } from './db/database.js';
import { systemClock, type Clock } from './lib/clock.js';
import { validationError } from './lib/errors.js';
import { ErrorResponse } from './modules/common/schemas.js';
import { authProtectedRoutes, authPublicRoutes } from './modules/auth/auth.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { authenticate } from './plugins/authenticate.js';
import errorsPlugin, { errorBody, sendError } from './plugins/errors.js';
import { docsPlugin } from './plugins/docs.js';
import { createServices, type Services } from './services.js';
import { todosRoutes } from './modules/todos/todos.routes.js';
import { eventsRoutes, calendarFeedRoutes } from './modules/events/events.routes.js';
import { memosRoutes } from './modules/memos/memos.routes.js';
import { searchRoutes } from './modules/search/search.routes.js';
import { todayRoutes } from './modules/today/today.routes.js';
import { settingsRoutes } from './modules/settings/settings.routes.js';
import { notificationsRoutes } from './modules/notifications/notifications.routes.js';
import { chatRoutes } from './modules/chat/chat.routes.js';
import { agentTasksRoutes } from './modules/agent-tasks/agent-tasks.routes.js';
import { websocketRoutes } from './realtime/websocket.js';
import { redactUrl } from './plugins/redact.js';
import { badTextField, mayHoldBadText } from './plugins/json-text.js';
import { attachmentsRoutes } from './modules/attachments/attachments.routes.js';
import { briefingRoutes } from './modules/briefing/briefing.routes.js';
import { tasksCompatRoutes } from './modules/agent-tasks/tasks-compat.routes.js';
import { adminRoutes } from './modules/admin/admin.routes.js';
import { taskRelationshipsRoutes } from './modules/task-relationships/task-relationships.routes.js';
import { tagsRoutes } from './modules/tags/tags.routes.js';
import { webPlugin } from './modules/web/web.plugin.js';
import { understandRoutes } from './modules/understand/understand.routes.js';
import { exportRoutes } from './modules/export/export.routes.js';
import { ServerFrameSchema } from './realtime/frames.js';

// Route modules import App from lib/app-type.ts; re-exported for the ones not moved yet.
export type { App } from './lib/app-type.js';
import type { App } from './lib/app-type.js';

export interface AppDeps {
  config: Config;
  database: Database;
  clock?: Clock;
  /** Pino options or false; tests pass false. */
  logger?: boolean | Record<string, unknown>;
  /** The secret JWTs are signed with (config JWT_SECRET or the generated one in DATA_DIR). */
  jwtSecret: Uint8Array;
  /** WebSocket ping interval (default 25 s, at most 30 s); tests shorten it. */
  wsPingIntervalMs?: number;
  /** The built browser app served at `/` (default web/dist); absent: API only. */
  webRoot?: string;
}

export interface BuiltApp {
  app: App;
  services: Services;
  /** The PIN generated on first start, shown until the first login; null when PIN is configured. */
  generatedPin: string | null;
}

const require = createRequire(import.meta.url);
const VERSION = (require('../package.json') as { version: string }).version;

/** The options `register` reads itself (a service under one of these names would be taken for it). */
type FastifyRegisterOptionName = 'prefix' | 'logLevel' | 'logSerializers';

export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;

  const app: App = Fastify({
    logger: deps.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.query.token', 'req.query.key'],
      // The WebSocket takes its token in the query string: keep it out of logged URLs.
      serializers: {
        req: (req: IncomingMessage & { hostname?: string; ip?: string }) => ({
          method: req.method,
          url: redactUrl(req.url ?? ''),
          hostname: req.hostname,
          remoteAddress: req.ip,
        }),
      },
    },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustProxyOption(config.trustProxy),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    genReqId: () => crypto.randomUUID(),
    // Per-request log lines only when debugging: at info they double the cost of a request.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    schemaController: { compilersFactory: { buildValidator: validatorFactory() as never } },
    // Long search queries (5,000 Korean characters) travel URL-encoded in the query string.
    serverFactory: (handler) => http.createServer({ maxHeaderSize: 128 * 1024 }, handler),
    // Router-level failures (a malformed %-escape, an over-long id) still get the envelope.
    frameworkErrors: (error, req, reply) => {
      void reply.header('x-request-id', req.id);
      void sendError(reply, error);
    },
    clientErrorHandler: writeClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // 1. Framework settings.
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  installJsonParsing(app);
  app.addSchema(ErrorResponse);

  // 2. Errors, before anything that can fail.
  await app.register(errorsPlugin);

  // 3. CORS and the general rate limit.
  await app.register(cors, {
    origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // A bare OPTIONS (no Origin) is answered normally instead of a plain-text refusal.
    strictPreflight: false,
    exposedHeaders: ['x-request-id', 'retry-after'],
  });
  if (config.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      allowList: (req) => !req.url.startsWith('/api'),
      // Thrown into the error handler, which writes the envelope; the plugin sets Retry-After.
      errorResponseBuilder: () => Object.assign(new Error('Too many requests'), { statusCode: 429 }),
    });
  }

  const services = await createServices({
    config,
    database,
    clock,
    jwtSecret: deps.jwtSecret,
    logger: app.log,
  });
  const { generatedPin } = await services.auth.bootstrapPin(config.pin);
  // The error handler (registered above) records 5xx answers in the owner's activity log.
  app.decorate('activity', services.activity);

  // 4. Docs: OpenAPI from the route schemas, Swagger UI at /docs, ReDoc at /redoc.
  await app.register(docsPlugin, { version: VERSION });

  // 5. Public routes.
  await app.register(healthRoutes, {
    version: VERSION,
    aiProvider: config.ai.provider,
    aiModel: config.ai.model,
    database: database.dialect,
    aiConnected: services.aiHealth,
    servicesUp: services.servicesUp,
    storage: { database, dataDir: config.dataDir },
  });
  await app.register(authPublicRoutes, { auth: services.auth });
  await app.register(calendarFeedRoutes, { events: services.events, auth: services.auth });

  // The WebSocket authenticates with its `?token=` (closing with 4001), not the bearer hook.
  await app.register(websocketRoutes, {
    hub: services.hub,
    guard: services.sessionGuard,
    auth: services.auth,
    chat: services.chat,
    buffers: services.streamBuffers,
    clock,
    pingIntervalMs: deps.wsPingIntervalMs,
  });

  // 6. Everything else needs an access token.
  await app.register(async (scope: App) => {
    scope.addHook('onRequest', authenticate(services.auth));
    // The modules, in this order (also the OpenAPI document's). Each plugin's options type names
    // the services it uses, under their names in `services` (`{ todos: TodosService }`), and
    // the type checker holds it to those. Fastify reads some register options itself, so no
    // service may take one of their names (checked below at compile time).
    const noFastifyOptionNames: Extract<keyof Services, FastifyRegisterOptionName> extends never
      ? true
      : never = true;
    void noFastifyOptionNames;
    const moduleRoutes: ((scope: App, opts: Services) => Promise<void>)[] = [
      authProtectedRoutes,
      todosRoutes,
      taskRelationshipsRoutes,
      tagsRoutes,
      eventsRoutes,
      memosRoutes,
      attachmentsRoutes,
      searchRoutes,
      todayRoutes,
      briefingRoutes,
      settingsRoutes,
      notificationsRoutes,
      chatRoutes,
      agentTasksRoutes,
      tasksCompatRoutes,
      adminRoutes,
      understandRoutes,
    ];
    for (const routes of moduleRoutes) await scope.register(routes, services);
    await scope.register(exportRoutes, {
      exporter: services.exporter,
      importer: services.importer,
      timezone: services.settings.timezone,
      now: () => clock.now(),
      importLimitBytes: config.importLimitBytes,
    });
    // Published for clients: every WebSocket frame (it refers to the module schemas above). In
    // a scope of its own, without routes: the OpenAPI document collects it from there, and no
    // route's serializer has to read this large schema (that cost ~0.2 s at every start).
    await scope.register(async (frames: App) => {
      frames.addSchema(ServerFrameSchema);
    });
  });

  // 7. The browser app at `/` (public: static files; its API calls carry the token).
  await app.register(webPlugin, { root: deps.webRoot });

  // 8. Background jobs start once the server is ready (ENABLE_SCHEDULER); services.close() stops them.
  if (config.enableScheduler) app.addHook('onReady', async () => services.scheduler.start({ log: app.log }));
  // The agent worker always runs (it is not a scheduled job); it resumes tasks a crash interrupted.
  app.addHook('onReady', async () => services.agentTasks.start());
  // Files a crash left without a row (or half-received) are removed once, in the background.
  app.addHook('onReady', async () => {
    services.attachments.sweep().catch((err: unknown) => app.log.warn({ err }, 'attachment sweep failed'));
  });

  app.addHook('onClose', async () => {
    await services.close();
  });

  return { app, services, generatedPin };
}

/** An empty JSON body reads as `{}` (API.md "Request bodies"); prototype poisoning is refused. */
function installJsonParsing(app: App): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  // JSON only: a text/plain body is a 415, not a string that fails validation later.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    if (typeof body === 'string' && mayHoldBadText(body))
      // Text never holds NUL or a lone surrogate: neither database stores them faithfully.
      return void parse(req, body, (err, value) => {
        const bad = err ? null : badTextField(value);
        if (bad === null) return done(err, value);
        done(validationError(bad.field, bad.message), undefined);
      });
    void parse(req, body as string, done);
  });
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method)) req.body = {};
  });
}

/**
 * Query strings and path params are text, so they are coerced (`limit=20` -> 20); bodies are
 * JSON and validated strictly (`"title": 5` is an error, not "5"). Installed as the validator
 * factory so that every encapsulated scope (which asks for its own compiler) uses it.
 *
 * One pair of Ajv instances per app serves every scope: each new Ajv compiles its meta-schema
 * again, and a pair per scope (13 different sets of shared schemas) was two thirds of the
 * start-up time. A scope's shared schemas are added to the pair as they appear; shared schema
 * ids are unique across the app (they are the OpenAPI document's components), and a clash
 * gets a pair of its own rather than a wrong schema.
 */
function validatorFactory() {
  const shared = newValidatorPair();
  return (externalSchemas: unknown) => {
    const schemas = Object.values((externalSchemas ?? {}) as Record<string, { $id?: string }>);
    const clash = schemas.some((s) => {
      const known = s.$id === undefined ? undefined : shared.added.get(s.$id);
      return known !== undefined && known !== s && JSON.stringify(known) !== JSON.stringify(s);
    });
    const pair = clash ? newValidatorPair() : shared;
    for (const schema of schemas) pair.add(schema);
    return pair.compile;
  };
}

function newValidatorPair() {
  const common = { useDefaults: true, allErrors: false, strict: false, verbose: true } as const;
  const bodyAjv = addFormats.default(new Ajv.default({ ...common, coerceTypes: false }));
  const textAjv = addFormats.default(new Ajv.default({ ...common, coerceTypes: 'array' }));
  const added = new Map<string, object>();
  return {
    added,
    add(schema: { $id?: string }): void {
      if (schema.$id === undefined || added.has(schema.$id)) return;
      added.set(schema.$id, schema);
      bodyAjv.addSchema(schema);
      textAjv.addSchema(schema);
    },
    compile: ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
      httpPart === 'body' ? bodyAjv.compile(schema) : textAjv.compile(schema),
  };
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers too large, garbage on
 * the wire): answered with the envelope, then the connection is closed.
 */
function writeClientError(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    errorBody('VALIDATION_ERROR', tooLarge ? 'Request headers or URL too large' : 'Malformed HTTP request'),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${crypto.randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
  );
}
