/**
 * The owner's console: what the server is, how it is doing and the few maintenance actions an
 * owner needs (backup, search index rebuild, purge). Read-mostly; every action is recorded in
 * the activity log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { OpenAiCompatibleProvider } from '../../ai/provider.js';
import type { Config } from '../../config.js';
import type { Dialect } from '../../db/database.js';
import { briefingMoment } from '../../jobs/briefing.job.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, notFound } from '../../lib/errors.js';
import { inZone, nextLocalMidnight } from '../../lib/time.js';
import type { ActivityLog } from './activity.js';
import type { AdminRepository, PurgeTarget } from './admin.repository.js';
import { configView, displayBaseUrl, REDACTED } from './config-view.js';

const require = createRequire(import.meta.url);
const VERSION = (require('../../../package.json') as { version: string }).version;

/** A refresh token lives 30 days (auth.service): a session not refreshed since then is over. */
const SESSION_LIFETIME_MS = 30 * 24 * 3600_000;
/** The AI test waits at most this long (or AI_TIMEOUT_SECONDS, if shorter). */
const AI_TEST_MAX_MS = 30_000;
const ACTIVITY_PAGE = 50;
const MAX_USER_AGENT = 300;
const PG_DUMP = 'pg_dump --format=custom --file=clawchat.dump "$DATABASE_URL"';

export interface AdminServiceDeps {
  config: Config;
  dialect: Dialect;
  repo: AdminRepository;
  activity: ActivityLog;
  clock: Clock;
  hub: { connectionCount(sessionId?: string): number };
  auth: { logout(sessionId: string, reason?: string): Promise<void> };
  ai: Pick<OpenAiCompatibleProvider, 'enabled' | 'model' | 'complete' | 'health'>;
  settings: { get(): { timezone: string; briefing_time: string } };
  scheduler: { readonly running: boolean };
}

export type AdminService = ReturnType<typeof createAdminService>;

export function createAdminService(deps: AdminServiceDeps) {
  const { config, repo, activity, clock } = deps;
  // Uptime is wall time, not the injected clock (which tests hold still).
  const startedAt = Date.now();
  const liveSince = () => new Date(clock.now().getTime() - SESSION_LIFETIME_MS).toISOString();

  function nextBriefing(now: Date): { at: Date; zone: string } | null {
    if (!config.enableBriefing) return null;
    const { timezone, briefing_time } = deps.settings.get();
    const today = briefingMoment(now, timezone, briefing_time);
    const at =
      now < today ? today : briefingMoment(nextLocalMidnight(now, timezone), timezone, briefing_time);
    return { at, zone: timezone };
  }

  /** An error message for the owner, with the API key scrubbed should a library have echoed it. */
  function safeMessage(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    return config.ai.apiKey ? text.replaceAll(config.ai.apiKey, REDACTED) : text;
  }

  return {
    async overview() {
      const now = clock.now();
      const [size, counts, reachable, jobs] = await Promise.all([
        repo.databaseBytes(),
        repo.itemCounts(),
        deps.ai.health(),
        repo.jobRuns(),
      ]);
      const briefing = nextBriefing(now);
      const lastTick = jobs.reduce<string | null>(
        (max, j) => (max === null || j.last_run_at > max ? j.last_run_at : max),
        null,
      );
      return {
        version: VERSION,
        started_at: new Date(startedAt).toISOString(),
        uptime_seconds: Math.floor((Date.now() - startedAt) / 1000),
        database: { kind: deps.dialect, size_bytes: size },
        counts,
        ai: { provider: config.ai.provider, model: config.ai.model, reachable },
        scheduler: {
          enabled: config.enableScheduler,
          running: deps.scheduler.running,
          timezone: deps.settings.get().timezone,
          briefing_enabled: config.enableBriefing,
          next_briefing_at: briefing?.at.toISOString() ?? null,
          next_briefing_local: briefing
            ? inZone(briefing.at, briefing.zone).toFormat('yyyy-MM-dd HH:mm')
            : null,
          last_tick_at: lastTick,
          jobs,
        },
      };
    },

    async aiInfo() {
      return {
        provider: config.ai.provider,
        base_url: displayBaseUrl(config.ai.baseUrl),
        model: config.ai.model,
        api_key_set: config.ai.apiKey !== null,
        timeout_seconds: config.ai.timeoutSeconds,
        reachable: await deps.ai.health(),
      };
    },

    /** One short completion through the provider client; a failure is an answer, not an error. */
    async testAi() {
      const base = { provider: config.ai.provider, model: config.ai.model };
      if (!deps.ai.enabled)
        return {
          ...base,
          ok: false,
          latency_ms: null,
          reply: null,
          error: 'No AI provider is configured (AI_PROVIDER=none).',
        };
      const limitMs = Math.min(config.ai.timeoutSeconds * 1000, AI_TEST_MAX_MS);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), limitMs);
      const started = performance.now();
      try {
        const text = await deps.ai.complete(
          [{ role: 'user', content: 'This is a connection test. Reply with one short sentence.' }],
          { signal: controller.signal, maxTokens: 40 },
        );
        return {
          ...base,
          ok: true,
          latency_ms: Math.round(performance.now() - started),
          reply: firstWords(text),
          error: null,
        };
      } catch (err) {
        const latency = Math.round(performance.now() - started);
        const error = controller.signal.aborted ? `No answer within ${limitMs / 1000} s` : safeMessage(err);
        return { ...base, ok: false, latency_ms: latency, reply: null, error };
      } finally {
        clearTimeout(timer);
      }
    },

    async activity() {
      return { items: await activity.latest(ACTIVITY_PAGE) };
    },

    /** Called by the auth service after each PIN check (wired in services.ts). */
    async recordLogin(e: {
      ok: boolean;
      address: string;
      sessionId?: string;
      userAgent?: string;
    }): Promise<void> {
      const userAgent = e.userAgent?.slice(0, MAX_USER_AGENT) || null;
      if (!e.ok)
        return activity.record('login_failed', `Wrong PIN from ${e.address}`, {
          address: e.address,
          user_agent: userAgent,
        });
      if (e.sessionId && userAgent) {
        try {
          await repo.setUserAgent(e.sessionId, userAgent);
        } catch {
          // The session works without its label.
        }
      }
      await activity.record('login', `Logged in from ${e.address} (${deviceLabel(userAgent)})`, {
        address: e.address,
        session_id: e.sessionId ?? null,
        user_agent: userAgent,
      });
    },

    async sessions(currentSessionId: string) {
      const rows = await repo.liveSessions(liveSince());
      return {
        items: rows.map((r) => ({
          id: r.id,
          label: deviceLabel(r.user_agent),
          user_agent: r.user_agent,
          created_at: r.created_at,
          // Access tokens are checked without writing; the last login or refresh is what is stored.
          last_used_at: r.refreshed_at,
          open_sockets: deps.hub.connectionCount(r.id),
          current: r.id === currentSessionId,
        })),
      };
    },

    async disconnect(sessionId: string) {
      if (!(await repo.findLiveSession(sessionId, liveSince()))) throw notFound('Session', sessionId);
      const sockets = deps.hub.connectionCount(sessionId);
      // The auth service's revocation: tokens stop working and the hub closes the sockets.
      await deps.auth.logout(sessionId, 'disconnected');
      return { session_id: sessionId, revoked: true as const, closed_sockets: sockets };
    },

    config: () => configView(config),

    async data() {
      const [size, tables, attachments] = await Promise.all([
        repo.databaseBytes(),
        repo.tableStats(),
        repo.attachmentTotals(),
      ]);
      return {
        database: deps.dialect,
        size_bytes: size,
        tables,
        attachments: {
          available: attachments !== null,
          count: attachments?.count ?? 0,
          total_bytes: attachments?.bytes ?? 0,
        },
      };
    },

    /** A consistent online copy into DATA_DIR/backups, readable by the owner only (0600). */
    async backup() {
      if (config.database.kind !== 'sqlite')
        throw new AppError(
          'CONFLICT',
          `This server runs on PostgreSQL, which is backed up with pg_dump: ${PG_DUMP}`,
          {
            database: 'postgres',
            command: PG_DUMP,
          },
        );
      const dir = path.join(config.dataDir, 'backups');
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const now = clock.now();
      const stamp = now.toISOString().replace(/[:.]/g, '-');
      const file = createPrivateFile(dir, `clawchat-${stamp}`);
      try {
        await repo.backupSqlite(path.join(dir, file));
        fs.chmodSync(path.join(dir, file), 0o600);
      } catch (err) {
        fs.rmSync(path.join(dir, file), { force: true });
        throw err;
      }
      const size = fs.statSync(path.join(dir, file)).size;
      // Attachment files beside it, as `npm run backup` does (after the database: extra, never missing).
      if (fs.existsSync(config.attachmentsDir))
        await fs.promises.cp(config.attachmentsDir, path.join(dir, `${file}.attachments`), {
          recursive: true,
          filter: (src) => !path.basename(src).startsWith('.part-'),
        });
      await activity.record('admin', `Backup written: ${file}`, { file, size_bytes: size });
      return { file, size_bytes: size, created_at: now.toISOString() };
    },

    async reindex() {
      const started = performance.now();
      const documents = await repo.rebuildSearchIndex();
      const duration = Math.round(performance.now() - started);
      await activity.record('admin', `Search index rebuilt (${documents} documents)`, {
        documents,
        duration_ms: duration,
      });
      return { documents, duration_ms: duration };
    },

    async purge(target: PurgeTarget, olderThanDays: number) {
      const cutoff = new Date(clock.now().getTime() - olderThanDays * 86_400_000).toISOString();
      const deleted = await repo.purge(target, cutoff);
      const what = {
        conversations: 'archived conversations',
        messages: 'messages',
        todos: 'completed todos',
      }[target];
      await activity.record('admin', `Purged ${deleted} ${what} older than ${olderThanDays} days`, {
        target,
        deleted,
        cutoff,
      });
      return { target, deleted, cutoff };
    },
  };
}

/** Creates `<base>.db` (or `<base>-2.db`...) with mode 0600 before anything is written to it. */
function createPrivateFile(dir: string, base: string): string {
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${base}.db` : `${base}-${n}.db`;
    try {
      fs.closeSync(fs.openSync(path.join(dir, name), 'wx', 0o600));
      return name;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw err;
    }
  }
}

/** The first words of a reply (at most 20 words, 200 characters). */
function firstWords(text: string): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const head = words.slice(0, 20).join(' ');
  return head.length > 200 ? `${head.slice(0, 199)}…` : words.length > 20 ? `${head}…` : head;
}

/** A short device name from a User-Agent: the ClawChat apps, a browser on a system, or the agent's first word. */
export function deviceLabel(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const ua = userAgent;
  const system = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iOS/.test(ua)
      ? 'iOS'
      : /Mac OS X|Macintosh/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  const app = /Electron\//.test(ua)
    ? 'ClawChat desktop'
    : /Expo|okhttp|CFNetwork|Dalvik/.test(ua)
      ? 'ClawChat app'
      : /Edg\//.test(ua)
        ? 'Edge'
        : /Firefox\//.test(ua)
          ? 'Firefox'
          : /Chrome\//.test(ua)
            ? 'Chrome'
            : /Safari\//.test(ua)
              ? 'Safari'
              : null;
  if (app) return system ? `${app} on ${system}` : app;
  return (ua.split(/[\s/]/)[0] ?? ua).slice(0, 40) || 'Unknown device';
}
