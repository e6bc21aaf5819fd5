/**
 * Creates every service from the app's dependencies, each with the narrow dependencies it
 * declares. Routes receive the services they use; services never import Fastify.
 */
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Clock } from './lib/clock.js';
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
import { createDomainEvents } from './realtime/domain-events.js';
import { createSessionGuard } from './realtime/session-guard.js';
import { frameOf, type EventSink } from './realtime/frames.js';
import { createLocalHub } from './realtime/hub.js';
import { createNotificationsRepository } from './modules/notifications/notifications.repository.js';
import { createNotificationsService } from './modules/notifications/notifications.service.js';
import type { Logger } from './lib/logger.js';
import { createPushClient } from './modules/notifications/push.js';
import { createBriefingRepository } from './modules/briefing/briefing.repository.js';
import { createBriefingService } from './modules/briefing/briefing.service.js';
import { createJobScheduler } from './jobs/index.js';
import { alwaysRun, createAdvisoryLock } from './jobs/scheduler-lock.js';
import { createClassifier } from './ai/classifier.js';
import { readFollowUpTime } from './ai/offline/follow-up.js';
import { fastPath, understandOffline } from './ai/offline/understand.js';
import { createOrchestrator } from './ai/orchestrator/index.js';
import { createAiProvider } from './ai/provider.js';
import { createChatService } from './modules/chat/chat.service.js';
import { createChatHistory } from './modules/chat/history.js';
import { createMessagesRepository } from './modules/chat/messages.repository.js';
import { createTitler } from './modules/chat/titles.js';
import { createStreamBuffers } from './realtime/stream-buffers.js';
import { createRedisBus } from './realtime/redis-bus.js';
import { createAgentTasksService } from './modules/agent-tasks/agent-tasks.service.js';
import { createAttachmentsRepository } from './modules/attachments/attachments.repository.js';
import { createAttachmentsService } from './modules/attachments/attachments.service.js';
import { createFileStore } from './modules/attachments/storage.js';
import { createActivityLog } from './modules/admin/activity.js';
import { createActivityRepository, createAdminRepository } from './modules/admin/admin.repository.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { createTaskRelationshipsRepository } from './modules/task-relationships/task-relationships.repository.js';
import { createTaskRelationshipsService } from './modules/task-relationships/task-relationships.service.js';
import { createTagsRepository } from './modules/tags/tags.repository.js';
import { createTagsService } from './modules/tags/tags.service.js';
import { createUnderstandService } from './modules/understand/understand.service.js';
import { createExporter } from './modules/export/export.service.js';
import { createImporter } from './modules/export/import.service.js';

export interface ServiceDeps {
  config: Config;
  database: Database;
  clock: Clock;
  jwtSecret: Uint8Array;
  /** Where background work (scheduler, push sender) reports failures; app.log in buildApp. */
  logger?: Logger;
}

export type Services = Awaited<ReturnType<typeof createServices>>;

export async function createServices(deps: ServiceDeps) {
  const { config, database, clock } = deps;
  const { db } = database;
  // REDIS_URL: several instances act as one; the hub, resume buffers and cancellations fan out through Redis.
  const bus = config.redisUrl
    ? await createRedisBus({ url: config.redisUrl, prefix: config.redisKeyPrefix, log: deps.logger })
    : null;
  const hub = bus?.hub ?? createLocalHub();
  const domain = createDomainEvents({ remote: bus?.domain, log: deps.logger });
  // Every service and the turn runner publish here. A change becomes a domain event when its
  // frame goes out, so one a chat turn held wakes the agent worker (or the reminders) only once
  // the turn has released it.
  const publish: EventSink = (type, data) => {
    hub.publish(type, data);
    const frame = frameOf(type, data);
    if (frame.type === 'module_data_changed') domain.emit({ type: 'item_changed', data: frame.data });
  };

  const settings = await createSettingsService({
    db,
    clock,
    domain,
    defaults: { timezone: config.timezone, briefing_time: config.briefingTime },
  });
  const timezone = settings.timezone;
  // The owner's console's activity log: logins, revoked sessions, job runs, 5xx errors.
  const activity = createActivityLog({ repo: createActivityRepository(db), clock, log: deps.logger });

  const auth = createAuthService({
    repo: createAuthRepository(db),
    clock,
    secret: deps.jwtSecret,
    accessTtlSeconds: config.jwtExpiryHours * 3600,
    maxFailures: config.loginMaxFailures,
    globalMaxFailures: config.loginGlobalMaxFailures,
    lockoutMinutes: config.loginLockoutMinutes,
    // Logout and refresh-token reuse close that session's sockets.
    onSessionRevoked: (sessionId) => {
      hub.closeSession(sessionId, 'Session revoked');
      void activity.sessionRevoked(sessionId);
    },
    onLogin: (e) => admin.recordLogin(e),
  });
  // Revocations made only in the database (reset-pin from another process) reach the open
  // WebSockets and SSE streams of every transport through this one periodic check.
  const sessionGuard = createSessionGuard({
    liveSessions: (ids) => auth.liveSessions(ids),
    isSessionLive: (id) => auth.isSessionLive(id),
    log: deps.logger,
  });

  // One matcher for search and the `q` filters of todos, events and memos.
  const searchRepo = createSearchRepository(database);
  // Files on memos and todos; deleting either removes its files (COMPAT.md "Attachments").
  const fileStore = createFileStore(config.attachmentsDir);
  const attachments = createAttachmentsService({
    repo: createAttachmentsRepository(db),
    store: fileStore,
    clock,
    maxBytes: config.maxUploadBytes,
  });
  const todos = createTodosService({
    repo: createTodosRepository(db, database.dialect, searchRepo.textMatch),
    clock,
    timezone,
    publish,
    attachments,
  });
  const events = createEventsService({
    repo: createEventsRepository(db, searchRepo.textMatch),
    clock,
    timezone,
    publish,
  });
  const memos = createMemosService({
    repo: createMemosRepository(db, searchRepo.textMatch),
    clock,
    publish,
    attachments,
  });
  const search = createSearchService({
    repo: searchRepo,
    extraEventHits: (terms) => events.searchOverrides(terms),
  });
  const taskRelationships = createTaskRelationshipsService({
    repo: createTaskRelationshipsRepository(db),
    clock,
    publish,
  });
  const tags = createTagsService({ repo: createTagsRepository(db) });
  const today = createTodayService({ todos, events, clock, timezone });
  const understand = createUnderstandService({ understand: understandOffline, clock, timezone });
  const exporter = createExporter({ database, clock, store: fileStore });
  const importer = createImporter({
    db,
    store: fileStore,
    afterImport: () => settings.reload(),
    limits: { maxUploadBytes: config.maxUploadBytes },
  });

  // The AI provider and the classifier.
  // Chat replies may wait for a cold model to load (Ollama), so the first byte gets the full
  // AI_TIMEOUT_SECONDS; classification keeps its own short 5 s limit and falls back offline.
  const aiProvider = createAiProvider(config.ai, { connectTimeoutMs: config.ai.timeoutSeconds * 1000 });
  // Obvious commands skip the LLM unless AI_FAST_PATH=false (docs/NLU.md "With an LLM configured").
  const classifier = createClassifier({
    provider: aiProvider,
    ai: config.ai,
    offline: understandOffline,
    ...(config.ai.fastPath ? { fast: fastPath } : {}),
  });
  const streamBuffers = createStreamBuffers({ clock, store: bus?.resumeStore });
  hub.subscribe(streamBuffers.record);
  // Notifications, the daily briefing and the scheduler (started by buildApp when ENABLE_SCHEDULER).
  const notifications = createNotificationsService({
    db,
    repo: createNotificationsRepository(db),
    clock,
    publish,
    push: createPushClient({ accessToken: config.expoAccessToken, baseUrl: config.expoBaseUrl }),
    log: deps.logger,
  });
  // Agent tasks: the durable queue and its worker (started by buildApp once the server is ready).
  const agentTasks = createAgentTasksService({
    db,
    dialect: database.dialect,
    clock,
    timezone,
    publish,
    ai: aiProvider,
    notifications,
    concurrency: config.agentConcurrency,
    // Without REDIS_URL one instance is assumed: tasks left running at start-up are orphans.
    singleInstance: config.redisUrl === null,
    cancels: bus?.cancels,
    domain,
    extraInstructions: config.ai.systemPrompt,
    log: deps.logger,
  });
  const briefing = createBriefingService({
    db,
    repo: createBriefingRepository(db),
    clock,
    timezone,
    today,
    notifications,
    publish,
    // The LLM writes it in prose when one is configured; the template otherwise (or on failure).
    // While the cached probe says the provider is down, the template is used at once.
    complete: aiProvider.enabled
      ? (messages, o) =>
          aiProvider.isDown()
            ? Promise.reject(new Error('The AI provider is down'))
            : aiProvider.complete(messages, { maxTokens: 600, signal: o?.signal })
      : undefined,
    log: deps.logger,
  });
  // Chat: the orchestrator answers the turns, reading the conversation through its history.
  const orchestrator = createOrchestrator({
    todos,
    events,
    memos,
    search,
    today,
    briefing,
    agentTasks,
    classifier,
    provider: aiProvider,
    clock,
    timezone,
    ai: config.ai,
    history: createChatHistory(createMessagesRepository(db)),
    readFollowUpTime,
  });
  const chat = await createChatService({
    db,
    clock,
    publish,
    handler: orchestrator,
    titler: createTitler(aiProvider),
    log: deps.logger,
    elsewhere: bus
      ? {
          stop: (id) => bus.signal('chat.stop', id),
          abortConversation: (id) => bus.signal('chat.abort_conversation', id),
        }
      : undefined,
  });
  // `stop` and a conversation's deletion reach the instance whose runner has the turn.
  bus?.onSignal('chat.stop', (id) => chat.runner.stop(id));
  bus?.onSignal('chat.abort_conversation', (id) => chat.runner.abortConversation(id));

  // PostgreSQL: only the instance holding the advisory lock runs the jobs (several may share the database).
  const schedulerLock =
    config.database.kind === 'postgres'
      ? createAdvisoryLock({ url: config.database.url, log: deps.logger })
      : alwaysRun;
  const scheduler = createJobScheduler({
    shouldRun: schedulerLock.shouldRun,
    db,
    clock,
    domain,
    events,
    settings,
    notifications,
    briefing,
    reminderCheckIntervalSeconds: config.reminderCheckIntervalSeconds,
    enableBriefing: config.enableBriefing,
    onRun: (job, outcome) => activity.jobRun(job, outcome),
  });
  const admin = createAdminService({
    config,
    dialect: database.dialect,
    repo: createAdminRepository(database, config.database.kind === 'sqlite' ? config.database.file : null),
    activity,
    clock,
    hub,
    auth,
    ai: aiProvider,
    settings,
    scheduler,
  });

  return {
    hub,
    sessionGuard,
    settings,
    auth,
    todos,
    events,
    memos,
    attachments,
    search,
    today,
    taskRelationships,
    tags,
    understand,
    exporter,
    importer,
    aiHealth: () => aiProvider.health(),
    notifications,
    briefing,
    scheduler,
    agentTasks,
    aiProvider,
    activity,
    admin,
    chat,
    streamBuffers,
    servicesUp: async (): Promise<boolean> => bus?.healthy() ?? true,
    async close(): Promise<void> {
      sessionGuard.stop();
      await agentTasks.close();
      await scheduler.stop();
      await schedulerLock.close();
      await chat.close();
      await notifications.close();
      await hub.close();
      await bus?.close();
      await database.close();
    },
  };
}
