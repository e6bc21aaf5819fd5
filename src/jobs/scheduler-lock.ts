/**
 * One scheduler per deployment (BEHAVIOUR.md "Scheduler"): on PostgreSQL the scheduler runs only
 * on the instance holding a session advisory lock. The lock lives on a connection of its own
 * (not the pool, whose connections come and go), taken with `pg_try_advisory_lock` and never
 * released while the instance lives. Every instance asks before every tick (`shouldRun`), so
 * when the holder dies its connection closes, PostgreSQL drops the lock, and another instance
 * takes it over at its next tick: within one interval.
 *
 * On SQLite there is one instance by construction: `alwaysRun`.
 */
import os from 'node:os';
import type pg from 'pg';

export interface SchedulerLock {
  /** True when this instance holds the lock (taking it if it is free). Never throws. */
  shouldRun: () => Promise<boolean>;
  readonly held: boolean;
  /** Releases the lock (closes its connection). */
  close(): Promise<void>;
}

export interface LockLogger {
  info?(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** The advisory lock key of the scheduler: one per database. */
export const SCHEDULER_LOCK_KEY = 0x636c6177; // "claw"

export const alwaysRun: SchedulerLock = {
  shouldRun: async () => true,
  held: true,
  close: async () => undefined,
};

export function createAdvisoryLock(opts: { url: string; key?: number; log?: LockLogger }): SchedulerLock {
  const key = opts.key ?? SCHEDULER_LOCK_KEY;
  let client: pg.Client | null = null;
  let held = false;
  let closed = false;
  let inFlight: Promise<boolean> | null = null;

  function drop(c: pg.Client, why: string): void {
    if (client !== c) return;
    client = null;
    if (held) opts.log?.warn({ why }, 'scheduler lock lost; another instance may take over');
    held = false;
    c.end().catch(() => undefined);
  }

  async function attempt(): Promise<boolean> {
    if (closed) return false;
    try {
      if (!client) {
        // Loaded here, not at start: only a PostgreSQL server takes the lock.
        const { Client } = (await import('pg')).default;
        const c = new Client({
          connectionString: opts.url,
          keepAlive: true,
          connectionTimeoutMillis: 10_000,
          // Who holds the lock, as pg_stat_activity shows it (operators, the multi-instance test).
          application_name: `clawchat-scheduler ${os.hostname()}:${process.pid}`,
        });
        // A broken connection means the lock is gone with it (PostgreSQL released it).
        c.on('error', (err) => drop(c, err.message));
        c.on('end', () => drop(c, 'connection closed'));
        client = c;
        await c.connect();
      }
      const c = client;
      if (held) {
        // Still connected (a dead connection would have lost the lock with it)?
        await c.query('select 1');
        return true;
      }
      const { rows } = await c.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [key]);
      held = rows[0]?.ok === true;
      if (held) opts.log?.info?.({ key }, 'scheduler lock taken: this instance runs the scheduled jobs');
      return held;
    } catch (err) {
      if (client) drop(client, err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  return {
    shouldRun() {
      // Ticks of several jobs ask at once: one query answers them all.
      inFlight ??= attempt().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    get held() {
      return held;
    },
    async close() {
      closed = true;
      await inFlight;
      const c = client;
      client = null;
      held = false;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
