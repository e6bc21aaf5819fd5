/**
 * The app's jobs, wired to their services: what `services.scheduler` runs when ENABLE_SCHEDULER
 * is on. Tests call `scheduler.tick(name)` (or the `run*` functions) with a ManualClock.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Clock } from '../lib/clock.js';
import type { BriefingService } from '../modules/briefing/briefing.service.js';
import type { EventsService } from '../modules/events/events.service.js';
import type { NotificationsService } from '../modules/notifications/notifications.service.js';
import type { DomainEvents } from '../realtime/domain-events.js';
import { runBriefing } from './briefing.job.js';
import { createJobsRepository } from './jobs.repository.js';
import { runOutbox } from './outbox.job.js';
import { runOverdue } from './overdue.job.js';
import { runPushReceipts } from './push-receipts.job.js';
import { runReminders } from './reminders.job.js';
import { createScheduler, type Scheduler, type SchedulerOptions } from './scheduler.js';

export const JOB_NAMES = ['reminders', 'overdue', 'briefing', 'outbox', 'push-receipts'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobsDeps {
  db: Kysely<DB>;
  clock: Clock;
  domain: Pick<DomainEvents, 'subscribe'>;
  events: Pick<EventsService, 'reminderCandidates'>;
  settings: { get(): { timezone: string; briefing_time: string }; timezone(): string };
  notifications: NotificationsService;
  briefing: Pick<BriefingService, 'sendDaily'>;
  /** REMINDER_CHECK_INTERVAL in seconds. */
  reminderCheckIntervalSeconds: number;
  enableBriefing: boolean;
  /** The one-scheduler-per-deployment seam (a database lock with several instances). */
  shouldRun?: () => Promise<boolean> | boolean;
  /** Told after each job run (the owner's activity log). */
  onRun?: SchedulerOptions['onRun'];
}

/** Receipts are read in batches, some minutes after sending. */
const RECEIPTS_INTERVAL_MS = 5 * 60_000;

export function createJobScheduler(deps: JobsDeps): Scheduler {
  const intervalMs = deps.reminderCheckIntervalSeconds * 1000;
  const repo = createJobsRepository(deps.db);
  const timezone = () => deps.settings.timezone();
  const reminderDeps = { repo, events: deps.events, notifications: deps.notifications, timezone, intervalMs };

  const scheduler = createScheduler({
    clock: deps.clock,
    intervalMs,
    db: deps.db,
    shouldRun: deps.shouldRun,
    onRun: deps.onRun,
    jobs: [
      { name: 'reminders', run: (now) => runReminders(reminderDeps, now) },
      {
        name: 'overdue',
        run: (now) => runOverdue({ repo, notifications: deps.notifications, timezone }, now),
      },
      {
        name: 'briefing',
        run: (now) =>
          runBriefing(
            { briefing: deps.briefing, settings: deps.settings, enabled: deps.enableBriefing },
            now,
          ),
      },
      { name: 'outbox', run: (now) => runOutbox({ notifications: deps.notifications }, now) },
      {
        name: 'push-receipts',
        intervalMs: Math.max(intervalMs, RECEIPTS_INTERVAL_MS),
        run: (now) => runPushReceipts({ notifications: deps.notifications }, now),
      },
    ],
  });

  // An event created (or moved) inside its own reminder window is reminded at once, not up to
  // one interval later. Only while the scheduler runs (trigger is a no-op otherwise).
  deps.domain.subscribe((e) => {
    if (e.type === 'item_changed' && e.data.module === 'events' && e.data.action !== 'deleted')
      scheduler.trigger('reminders');
  });

  return scheduler;
}
