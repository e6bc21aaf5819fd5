/**
 * Creates every service from the app's dependencies, each with the narrow dependencies it
 * declares. Routes receive the services they use; services never import Fastify.
 */
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Clock } from './lib/clock.js';
import { createAiHealthProbe } from './ai/health.js';
import { createAuthRepository } from './modules/auth/auth.repository.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { createEventsRepository } from './modules/events/events.repository.js';
import { createEventsService } from './modules/events/events.service.js';
import { createMemosRepository } from './modules/memos/memos.repository.js';
import { createMemosService } from './modules/memos/memos.service.js';
import { createSearchRepository } from './modules/search/search.repository.js';
import { createSearchService } from './modules/search/search.service.js';
import { createSettingsService } from './modules/settings/settings.service.js';
import { createTodosRepository } from './modules/todos/todos.repository.js';
import { createTodosService } from './modules/todos/todos.service.js';
import { createTodayService } from './modules/today/today.service.js';
import { createLocalHub } from './realtime/hub.js';

export interface ServiceDeps {
  config: Config;
  database: Database;
  clock: Clock;
  jwtSecret: Uint8Array;
}

export type Services = Awaited<ReturnType<typeof createServices>>;

export async function createServices(deps: ServiceDeps) {
  const { config, database, clock } = deps;
  const { db } = database;
  const hub = createLocalHub();
  const publish = hub.publish;

  const settings = await createSettingsService({
    db,
    defaults: { timezone: config.timezone, briefing_time: config.briefingTime },
  });
  const timezone = settings.timezone;

  const auth = createAuthService({
    repo: createAuthRepository(db),
    clock,
    secret: deps.jwtSecret,
    accessTtlSeconds: config.jwtExpiryHours * 3600,
    maxFailures: config.loginMaxFailures,
    globalMaxFailures: config.loginGlobalMaxFailures,
    lockoutMinutes: config.loginLockoutMinutes,
  });

  // One matcher for search and the `q` filters of todos, events and memos.
  const searchRepo = createSearchRepository(database);
  const todos = createTodosService({ repo: createTodosRepository(db, searchRepo.textMatch), clock, timezone, publish });
  const events = createEventsService({ repo: createEventsRepository(db), clock, timezone, publish });
  const memos = createMemosService({ repo: createMemosRepository(db, searchRepo.textMatch), clock, publish });
  const search = createSearchService({ repo: searchRepo });
  const today = createTodayService({ todos, events, clock, timezone });

  const aiHealth = createAiHealthProbe(config.ai);

  return {
    hub,
    settings,
    auth,
    todos,
    events,
    memos,
    search,
    today,
    aiHealth,
    servicesUp: async (): Promise<boolean> => true,
    async close(): Promise<void> {
      await hub.close();
      await database.close();
    },
  };
}
