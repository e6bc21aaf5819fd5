import type { App } from '../../lib/app-type.js';
import { errorResponses, IdParams } from '../common/schemas.js';
import {
  ActivityList,
  AiInfo,
  AiTestResult,
  BackupResult,
  ConfigView,
  DataView,
  Disconnected,
  Overview,
  PurgeBody,
  PurgeResult,
  ReindexResult,
  SessionList,
} from './admin.schemas.js';
import type { AdminService } from './admin.service.js';

/** The owner's console; registered in the authenticated scope (the owner's access token). */
export async function adminRoutes(app: App, opts: { admin: AdminService }): Promise<void> {
  const { admin } = opts;
  const tags = ['admin'];

  app.get(
    '/api/admin/overview',
    {
      schema: {
        tags,
        summary: 'Version, uptime, database, item counts, AI provider and scheduler state',
        response: { 200: Overview, ...errorResponses(401) },
      },
    },
    async () => admin.overview(),
  );

  app.get(
    '/api/admin/ai',
    {
      schema: {
        tags,
        summary: 'The AI provider, its base URL (no key) and model',
        response: { 200: AiInfo, ...errorResponses(401) },
      },
    },
    async () => admin.aiInfo(),
  );

  app.post(
    '/api/admin/ai/test',
    {
      schema: {
        tags,
        summary: 'Send one short completion; answers latency and the first words, or the error',
        description:
          'A failed test is a 200 with `ok: false` and the error: the test ran and that is its result.',
        response: { 200: AiTestResult, ...errorResponses(401) },
      },
    },
    async () => admin.testAi(),
  );

  app.get(
    '/api/admin/activity',
    {
      schema: {
        tags,
        summary: 'The latest 50 notable events, newest first',
        response: { 200: ActivityList, ...errorResponses(401) },
      },
    },
    async () => admin.activity(),
  );

  app.get(
    '/api/admin/sessions',
    {
      schema: {
        tags,
        summary: 'Live login sessions, with their open sockets',
        response: { 200: SessionList, ...errorResponses(401) },
      },
    },
    async (req) => admin.sessions(req.auth!.sessionId),
  );

  app.post(
    '/api/admin/sessions/:id/disconnect',
    {
      schema: {
        tags,
        summary: 'Revoke a session and close its sockets',
        params: IdParams,
        response: { 200: Disconnected, ...errorResponses(401, 404) },
      },
    },
    async (req) => admin.disconnect(req.params.id),
  );

  app.get(
    '/api/admin/config',
    {
      schema: {
        tags,
        summary: 'The effective configuration, secrets redacted',
        response: { 200: ConfigView, ...errorResponses(401) },
      },
    },
    async () => admin.config(),
  );

  app.get(
    '/api/admin/data',
    {
      schema: {
        tags,
        summary: "Rows and storage per table, attachments' total size",
        response: { 200: DataView, ...errorResponses(401) },
      },
    },
    async () => admin.data(),
  );

  app.post(
    '/api/admin/db/backup',
    {
      schema: {
        tags,
        summary: 'Write a consistent backup of the SQLite database to DATA_DIR/backups',
        description: 'On PostgreSQL: 409 with the pg_dump command to use instead.',
        response: { 200: BackupResult, ...errorResponses(401, 409) },
      },
    },
    async () => admin.backup(),
  );

  app.post(
    '/api/admin/db/reindex',
    {
      schema: {
        tags,
        summary: 'Rebuild the search index',
        response: { 200: ReindexResult, ...errorResponses(401) },
      },
    },
    async () => admin.reindex(),
  );

  app.post(
    '/api/admin/db/purge',
    {
      schema: {
        tags,
        summary: 'Delete archived conversations, messages or completed todos older than a number of days',
        body: PurgeBody,
        response: { 200: PurgeResult, ...errorResponses(400, 401) },
      },
    },
    async (req) => admin.purge(req.body.target, req.body.older_than_days),
  );
}
