/**
 * Overdue notices (BEHAVIOUR.md "Scheduler"): once per (todo, due date), an hour after a timed
 * todo became overdue, or at the start of the next local day for a bare date; never repeated.
 * When one tick finds several (after downtime, or several due at the same time) they go out as
 * ONE summary notification that covers every item's key, so none is sent again on its own.
 */
import type { NotificationsService } from '../modules/notifications/notifications.service.js';
import { overdueKey, type JobsRepository } from './jobs.repository.js';
import { formatDay, formatWhen } from './reminders.job.js';

export interface OverdueJobDeps {
  repo: JobsRepository;
  notifications: Pick<NotificationsService, 'decide'>;
  timezone: () => string;
}

const HOUR = 3_600_000;
const TITLES_IN_SUMMARY = 5;

/** One overdue tick: returns how many todos its notification (if any) covered. */
export async function runOverdue(deps: OverdueJobDeps, now: Date): Promise<number> {
  const todos = await deps.repo.overdueUndecided(
    new Date(now.getTime() - HOUR).toISOString(),
    now.toISOString(),
  );
  if (todos.length === 0) return 0;
  const zone = deps.timezone();

  if (todos.length === 1) {
    const todo = todos[0]!;
    const due = new Date(todo.due_date!);
    const row = await deps.notifications.decide({
      kind: 'overdue',
      title: `Overdue: ${todo.title}`,
      body: `Was due ${todo.due_has_time ? formatWhen(due, now, zone) : formatDay(due, now, zone)}`,
      item_id: todo.id,
      dedupe_key: overdueKey(todo),
    });
    return row ? 1 : 0;
  }

  const titles = todos.slice(0, TITLES_IN_SUMMARY).map((t) => t.title);
  const more = todos.length - titles.length;
  const row = await deps.notifications.decide({
    kind: 'overdue',
    title: `${todos.length} tasks are overdue`,
    body: titles.join(', ') + (more > 0 ? ` and ${more} more` : ''),
    // The summary's own key: unique per tick; the items it covers are the real decisions.
    dedupe_key: `overdue-summary:${now.toISOString()}:${todos[0]!.id}`,
    covers: todos.map(overdueKey),
  });
  return row ? todos.length : 0;
}
