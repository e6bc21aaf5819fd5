/**
 * The agent worker: claims queued tasks from the database under a lease and runs at most
 * `concurrency` of them at once. It wakes at once when a task is queued (`wake()`) and also
 * polls every `pollIntervalMs` for leases that expired (a crashed worker elsewhere).
 *
 * Leases are instants of the injected clock (`locked_until`); the renewal and poll timers are
 * real ones. A renewal that finds the task no longer ours (cancelled, or taken over after our
 * lease lapsed) aborts the local run, so a cancel reaches the LLM call even when it was made on
 * another instance; the cancel channel makes that immediate.
 *
 * Crash recovery. Each process gets a fresh `instanceId`. A task whose lease expired is free
 * again; after `maxAttempts` claims it fails instead. At start-up of a single instance
 * (no REDIS_URL: BEHAVIOUR.md "Scale-out" assumes one instance), every task still `running`
 * belongs to a previous process of this server, which is dead, so its lease is ended at once
 * (`releaseOrphans`) instead of waiting for it to lapse; the attempt it was on still counts.
 * With several instances a task running elsewhere may be alive, so only lapsed leases are taken.
 * On a graceful shutdown running tasks go back to the queue without using up an attempt.
 */
import type { AgentTaskRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AgentTasksRepository } from './agent-tasks.repository.js';
import type { Logger } from '../../lib/logger.js';

/** Why a run was stopped from outside; found as `signal.reason`. */
export class TaskStop extends Error {
  constructor(readonly why: 'cancelled' | 'lease_lost' | 'shutdown') {
    super(`Agent task stopped: ${why}`);
    this.name = 'TaskStop';
  }
}

/** What runs a claimed task; the service implements it. */
export interface TaskRunner {
  /** Runs the task to its end and records the outcome; returns without recording when aborted. */
  run(task: AgentTaskRow, signal: AbortSignal): Promise<void>;
  /** A task that used up its attempts: fail it and tell the owner. */
  giveUp(task: AgentTaskRow): Promise<void>;
  /** A running task went back to the queue (graceful shutdown). */
  released(task: AgentTaskRow): void;
}

/**
 * Carries "cancel task X" to whichever instance runs it. Local: a direct call. The Redis
 * fan-out (BEHAVIOUR.md "Scale-out") implements the same two methods.
 */
export interface CancelChannel {
  publish(taskId: string): void;
  subscribe(listener: (taskId: string) => void): () => void;
}

export function createLocalCancelChannel(): CancelChannel {
  const listeners = new Set<(taskId: string) => void>();
  return {
    publish(taskId) {
      for (const l of listeners) l(taskId);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export interface WorkerDeps {
  repo: AgentTasksRepository;
  clock: Clock;
  runner: TaskRunner;
  cancels: CancelChannel;
  instanceId: string;
  concurrency: number;
  /** No other instance shares the database: tasks `running` at start-up are orphans. */
  singleInstance: boolean;
  /** Lease length (clock time); renewed every third of it. Default 60 s. */
  leaseMs?: number;
  /** How often to look for lapsed leases. Default 15 s. */
  pollIntervalMs?: number;
  /** Claims of one task before it fails. Default 3. */
  maxAttempts?: number;
  log?: Logger;
}

export type AgentWorker = ReturnType<typeof createAgentWorker>;

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_POLL_MS = 15_000;
export const MAX_ATTEMPTS = 3;

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

export function createAgentWorker(deps: WorkerDeps) {
  const { repo, clock, runner, instanceId } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const pollMs = deps.pollIntervalMs ?? DEFAULT_POLL_MS;
  const maxAttempts = deps.maxAttempts ?? MAX_ATTEMPTS;
  const active = new Map<string, Active>();
  let started = false;
  let closed = false;
  let ticking: Promise<void> | null = null;
  let again = false;
  let poller: NodeJS.Timeout | undefined;

  const leaseUntil = () => new Date(clock.now().getTime() + leaseMs).toISOString();

  function stop(taskId: string, why: TaskStop['why']): boolean {
    const run = active.get(taskId);
    if (!run) return false;
    if (!run.controller.signal.aborted) run.controller.abort(new TaskStop(why));
    return true;
  }

  function launch(task: AgentTaskRow): void {
    const controller = new AbortController();
    const renewer = setInterval(
      () => {
        repo.renew(task.id, instanceId, leaseUntil()).then(
          (ours) => {
            if (!ours) stop(task.id, 'lease_lost');
          },
          (err: unknown) => deps.log?.warn({ err, task_id: task.id }, 'agent task lease renewal failed'),
        );
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    const done = (async () => {
      try {
        await runner.run(task, controller.signal);
      } catch (err) {
        deps.log?.error({ err, task_id: task.id }, 'agent task run failed');
      } finally {
        clearInterval(renewer);
      }
      const reason: unknown = controller.signal.reason;
      if (reason instanceof TaskStop && reason.why === 'shutdown') {
        try {
          const back = await repo.release(task.id, instanceId);
          if (back) runner.released(back);
        } catch (err) {
          deps.log?.warn({ err, task_id: task.id }, 'agent task release failed; its lease will lapse');
        }
      }
    })().finally(() => {
      active.delete(task.id);
      if (!closed) wake();
    });
    active.set(task.id, { controller, done });
  }

  /** One pass: fail exhausted tasks, then claim while there is room. */
  async function pass(): Promise<void> {
    const now = clock.now().toISOString();
    for (const task of await repo.exhausted(now, maxAttempts, [...active.keys()])) {
      if (closed) return;
      await runner.giveUp(task);
    }
    while (!closed && active.size < deps.concurrency) {
      const task = await repo.claimNext({
        instanceId,
        now: clock.now().toISOString(),
        leaseUntil: leaseUntil(),
        maxAttempts,
        exclude: [...active.keys()],
      });
      if (!task) break;
      launch(task);
    }
  }

  /** Runs a pass now (or one more after the one in flight); resolves when the claims are made. */
  function tick(): Promise<void> {
    if (closed || !started) return Promise.resolve();
    if (ticking) {
      again = true;
      return ticking;
    }
    ticking = (async () => {
      do {
        again = false;
        try {
          await pass();
        } catch (err) {
          deps.log?.error({ err }, 'agent worker pass failed');
        }
      } while (again && !closed);
    })().finally(() => {
      ticking = null;
    });
    return ticking;
  }

  function wake(): void {
    void tick();
  }

  // Cancels from any instance (the local one included) stop the run if it is here.
  const unsubscribe = deps.cancels.subscribe((taskId) => stop(taskId, 'cancelled'));

  return {
    instanceId,

    /** Recovers orphans (single instance), then starts claiming and polling. */
    async start(): Promise<void> {
      if (started || closed) return;
      started = true;
      if (deps.singleInstance) {
        const orphans = await repo.releaseOrphans(instanceId);
        if (orphans > 0)
          deps.log?.warn({ orphans }, 'agent tasks interrupted by a previous stop are resumed');
      }
      poller = setInterval(wake, pollMs);
      poller.unref();
      wake();
    },

    wake,
    tick,

    /** Aborts this instance's run of a task (a cancel); false when it does not run here. */
    abort: (taskId: string) => stop(taskId, 'cancelled'),

    /** Ids of the tasks running here. */
    running: (): string[] => [...active.keys()],

    /** Resolves when no pass is in flight and no task runs here (tests). */
    async idle(): Promise<void> {
      while (ticking || active.size > 0) {
        await ticking;
        await Promise.all([...active.values()].map((a) => a.done));
      }
    },

    /** Stops claiming, aborts the runs in flight and gives their tasks back to the queue. */
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(poller);
      unsubscribe();
      await ticking;
      for (const id of active.keys()) stop(id, 'shutdown');
      await Promise.all([...active.values()].map((a) => a.done));
    },
  };
}
