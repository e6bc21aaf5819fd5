/**
 * The scheduler: named jobs whose ticks call plain async functions (tests call the same
 * functions, or `tick(name)`, with a ManualClock). Each job has its own timer chain, so a slow
 * job (the briefing waiting on the LLM) never delays another, and a tick never overlaps the
 * previous tick of the same job. On start every job ticks once at once: that is the catch-up
 * after downtime; the jobs themselves make it happen once (their decisions are durable).
 *
 * One scheduler per deployment: `shouldRun()` is asked before every tick, the seam where a
 * database lock (several instances on PostgreSQL) plugs in; it defaults to "yes".
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';

export interface Job {
  name: string;
  /** Default: the scheduler's `intervalMs`. */
  intervalMs?: number;
  run(now: Date): Promise<unknown>;
}

export interface SchedulerOptions {
  jobs: Job[];
  clock: Clock;
  intervalMs: number;
  /** Asked before each tick; false skips it (another instance holds the lock). */
  shouldRun?: () => Promise<boolean> | boolean;
  /** Where each job's last successful run is recorded (`job_state`); optional. */
  db?: Kysely<DB>;
  log?: Logger;
  /** Told after each run (the owner's activity log); must not throw. */
  onRun?: (job: string, outcome: { result?: unknown; error?: unknown }) => unknown;
}

export interface Scheduler {
  /** Starts the timers (idempotent); every job ticks once right away. */
  start(opts?: { log?: Logger }): void;
  /** Stops the timers and waits for ticks in flight. */
  stop(): Promise<void>;
  /** Runs one job now (after its tick in flight, if any) and returns what it returned. */
  tick(name: string): Promise<unknown>;
  /** Asks for a tick soon without waiting for it (coalesced); only while started. */
  trigger(name: string): void;
  readonly running: boolean;
  readonly jobNames: string[];
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const jobs = new Map(opts.jobs.map((j) => [j.name, j]));
  // Per job: the tick in flight (ticks of one job never overlap), its timer, a pending trigger.
  const inFlight = new Map<string, Promise<unknown>>();
  const timers = new Map<string, NodeJS.Timeout>();
  const triggered = new Set<string>();
  let log = opts.log;
  let started = false;

  async function runJob(job: Job): Promise<unknown> {
    if (opts.shouldRun && !(await opts.shouldRun())) return undefined;
    const now = opts.clock.now();
    const result = await job.run(now);
    if (opts.db) {
      const last_run_at = now.toISOString();
      await opts.db
        .insertInto('job_state')
        .values({ name: job.name, last_run_at })
        .onConflict((oc) => oc.column('name').doUpdateSet({ last_run_at }))
        .execute();
    }
    void opts.onRun?.(job.name, { result });
    return result;
  }

  /** Chains a run after the job's run in flight; errors reach the caller. */
  function enqueue(job: Job): Promise<unknown> {
    const previous = inFlight.get(job.name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => runJob(job));
    const tracked = next.finally(() => {
      if (inFlight.get(job.name) === tracked) inFlight.delete(job.name);
    });
    inFlight.set(job.name, tracked);
    return next;
  }

  function schedule(job: Job, delayMs: number): void {
    if (!started) return;
    clearTimeout(timers.get(job.name));
    const timer = setTimeout(() => {
      triggered.delete(job.name);
      enqueue(job)
        .catch((err: unknown) => {
          log?.error({ err, job: job.name }, 'scheduled job failed');
          void opts.onRun?.(job.name, { error: err });
        })
        .finally(() => schedule(job, job.intervalMs ?? opts.intervalMs));
    }, delayMs);
    // Timers never keep the process alive on their own; shutdown stops them anyway.
    timer.unref();
    timers.set(job.name, timer);
  }

  return {
    start(startOpts = {}) {
      if (startOpts.log) log = startOpts.log;
      if (started) return;
      started = true;
      for (const job of jobs.values()) schedule(job, 0);
    },
    async stop() {
      started = false;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      triggered.clear();
      await Promise.allSettled([...inFlight.values()]);
    },
    tick(name) {
      const job = jobs.get(name);
      if (!job) return Promise.reject(new Error(`Unknown job ${name}`));
      return enqueue(job);
    },
    trigger(name) {
      const job = jobs.get(name);
      if (!job || !started || triggered.has(name)) return;
      triggered.add(name);
      // The timer chain runs it (after a tick in flight) and then keeps its usual rhythm.
      schedule(job, 0);
    },
    get running() {
      return started;
    },
    jobNames: [...jobs.keys()],
  };
}
