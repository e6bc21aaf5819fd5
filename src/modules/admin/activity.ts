/**
 * The activity log of the owner's console: notable events (logins, failed logins, revoked
 * sessions, job runs that did something or failed, server errors), newest first. Recording is
 * a side effect of the thing recorded: it never throws into its caller, and a failure to write
 * it is only logged.
 */
import type { Clock } from '../../lib/clock.js';
import type { ActivityRepository } from './admin.repository.js';

export type ActivityKind =
  'login' | 'login_failed' | 'session_revoked' | 'job' | 'job_failed' | 'error' | 'admin';

export interface ActivityEntry {
  id: number;
  kind: string;
  message: string;
  detail: Record<string, unknown> | null;
  created_at: string;
}

/** How many rows are kept; older ones are pruned every PRUNE_EVERY writes. */
export const ACTIVITY_KEEP = 1_000;
const PRUNE_EVERY = 50;
const MAX_MESSAGE = 500;

export interface ActivityLog {
  /** Appends one entry; resolves once written (or failed), never rejects. */
  record(kind: ActivityKind, message: string, detail?: Record<string, unknown>): Promise<void>;
  /** Records that a session was revoked, with the reason the revocation stored. */
  sessionRevoked(sessionId: string): Promise<void>;
  /** A scheduler run: recorded when it failed or did something (a tick that found nothing is not news). */
  jobRun(job: string, outcome: { result?: unknown; error?: unknown }): Promise<void>;
  latest(limit: number): Promise<ActivityEntry[]>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Decorated by buildApp, so the error handler can record 5xx answers. */
    activity?: ActivityLog;
  }
}

export function createActivityLog(deps: {
  repo: ActivityRepository;
  clock: Clock;
  log?: { warn(obj: object, msg?: string): void };
}): ActivityLog {
  const { repo, clock } = deps;
  let writes = 0;

  async function record(
    kind: ActivityKind,
    message: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    try {
      await repo.insert({
        kind,
        message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
        detail: detail === undefined ? null : JSON.stringify(detail),
        created_at: clock.now().toISOString(),
      });
      // The first write of a process prunes too, so a restart loop cannot grow the table.
      if (writes++ % PRUNE_EVERY === 0) await repo.prune(ACTIVITY_KEEP);
    } catch (err) {
      deps.log?.warn({ err, kind }, 'could not record activity');
    }
  }

  return {
    record,
    async sessionRevoked(sessionId) {
      let reason: string | null = null;
      try {
        reason = await repo.revokedReason(sessionId);
      } catch {
        // Recorded without the reason.
      }
      await record('session_revoked', `Session revoked${reason ? ` (${reason.replaceAll('_', ' ')})` : ''}`, {
        session_id: sessionId,
        reason,
      });
    },
    async jobRun(job, outcome) {
      if (outcome.error !== undefined) {
        const message =
          outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.error);
        return record('job_failed', `Job ${job} failed: ${message}`, { job });
      }
      if (!didSomething(outcome.result)) return;
      return record('job', `Job ${job} ran`, { job, result: outcome.result });
    },
    async latest(limit) {
      const rows = await repo.latest(limit);
      return rows.map((r) => ({ ...r, id: Number(r.id), detail: parseDetail(r.detail) }));
    },
  };
}

/** A count above 0, an id, or an object holding one: the job sent or changed something. */
function didSomething(result: unknown): boolean {
  if (result === null || result === undefined || result === false) return false;
  if (typeof result === 'number') return result > 0;
  if (typeof result === 'string') return result.length > 0;
  if (Array.isArray(result)) return result.length > 0;
  if (typeof result === 'object') return Object.values(result).some(didSomething);
  return true;
}

function parseDetail(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
