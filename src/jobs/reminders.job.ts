/**
 * Reminders (BEHAVIOUR.md "Scheduler"), one tick every REMINDER_CHECK_INTERVAL:
 * - events: at `start - reminder_minutes` for every occurrence (recurring ones expanded), once
 *   per occurrence (`reminder:<event id>:<occurrence start>`). A reminder whose moment passed
 *   (downtime, or an event created inside its own window) is sent while the event has not
 *   started; never after, except that `reminder_minutes: 0` may go out up to one interval late;
 * - todos with a time of day: at the due time, once per (todo, due date)
 *   (`due:<todo id>:<due date>`), so rescheduling re-arms it. A due reminder missed by downtime
 *   is still sent until the todo's overdue notice takes over, an hour after the due time.
 */
import { DateTime } from 'luxon';
import type { EventOccurrence } from '../modules/events/events.schemas.js';
import type { EventsService } from '../modules/events/events.service.js';
import type { NotificationsService } from '../modules/notifications/notifications.service.js';
import { dueKey, reminderKey, type JobsRepository } from './jobs.repository.js';

export interface RemindersJobDeps {
  repo: JobsRepository;
  events: Pick<EventsService, 'reminderCandidates'>;
  notifications: Pick<NotificationsService, 'decide' | 'decidedKeys'>;
  timezone: () => string;
  /** REMINDER_CHECK_INTERVAL in ms: how late a `reminder_minutes: 0` reminder may be. */
  intervalMs: number;
}

const MINUTE = 60_000;
/** A due-time reminder is not worth sending once the overdue notice is due. */
const DUE_REMINDER_GRACE_MS = 60 * MINUTE;

/** The local day of `at` as seen from `now`: "today", "tomorrow", "yesterday" or "Tue 3 Mar". */
export function formatDay(at: Date, now: Date, zone: string): string {
  const t = DateTime.fromJSDate(at, { zone });
  const n = DateTime.fromJSDate(now, { zone });
  if (t.hasSame(n, 'day')) return 'today';
  if (t.hasSame(n.plus({ days: 1 }), 'day')) return 'tomorrow';
  if (t.hasSame(n.minus({ days: 1 }), 'day')) return 'yesterday';
  return t.toFormat('ccc d LLL');
}

/** "15:00" on the local day of `now`, else "tomorrow, 15:00"; all-day: "today (all day)". */
export function formatWhen(at: Date, now: Date, zone: string, allDay = false): string {
  const day = formatDay(at, now, zone);
  if (allDay) return `${day} (all day)`;
  const time = DateTime.fromJSDate(at, { zone }).toFormat('HH:mm');
  return day === 'today' ? time : `${day}, ${time}`;
}

function inMinutes(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes <= 0) return 'Starting now';
  if (minutes < 60) return `In ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return `In ${hours} h${rest ? ` ${rest} min` : ''}`;
  return `In ${Math.round(hours / 24)} days`;
}

export function isReminderDue(
  occ: Pick<EventOccurrence, 'reminder_minutes' | 'start_time'>,
  now: Date,
  intervalMs: number,
): boolean {
  if (occ.reminder_minutes === null) return false;
  const start = Date.parse(occ.start_time);
  const remindAt = start - occ.reminder_minutes * MINUTE;
  if (remindAt > now.getTime()) return false;
  if (start > now.getTime()) return true;
  return occ.reminder_minutes === 0 && now.getTime() < start + intervalMs;
}

export async function runEventReminders(deps: RemindersJobDeps, now: Date): Promise<number> {
  const maxMinutes = await deps.repo.maxReminderMinutes();
  if (maxMinutes === null) return 0;
  const from = new Date(now.getTime() - deps.intervalMs);
  const to = new Date(now.getTime() + maxMinutes * MINUTE + 1);
  // Only what is due is returned, and series are not expanded again while nothing changed.
  const due = (await deps.events.reminderCandidates(from, to, now)).filter(
    (o) => Date.parse(o.start_time) >= from.getTime() && isReminderDue(o, now, deps.intervalMs),
  );
  if (due.length === 0) return 0;
  const decided = await deps.notifications.decidedKeys(due.map((o) => reminderKey(o.id, o.occurrence_start)));
  const zone = deps.timezone();
  let sent = 0;
  for (const occ of due) {
    const key = reminderKey(occ.id, occ.occurrence_start);
    if (decided.has(key)) continue;
    const start = new Date(occ.start_time);
    const when = occ.is_all_day
      ? formatWhen(start, now, zone, true)
      : `${inMinutes(start.getTime() - now.getTime())}, at ${formatWhen(start, now, zone)}`;
    const row = await deps.notifications.decide({
      kind: 'reminder',
      title: occ.title,
      body: occ.location ? `${when} · ${occ.location}` : when,
      item_id: occ.id,
      dedupe_key: key,
    });
    if (row) sent++;
  }
  return sent;
}

export async function runDueReminders(deps: RemindersJobDeps, now: Date): Promise<number> {
  const todos = await deps.repo.dueTodos(
    new Date(now.getTime() - DUE_REMINDER_GRACE_MS).toISOString(),
    now.toISOString(),
  );
  if (todos.length === 0) return 0;
  const decided = await deps.notifications.decidedKeys(todos.map(dueKey));
  const zone = deps.timezone();
  let sent = 0;
  for (const todo of todos) {
    if (decided.has(dueKey(todo))) continue;
    const due = new Date(todo.due_date!);
    const row = await deps.notifications.decide({
      kind: 'reminder',
      title: todo.title,
      // On time (within a tick or two) it is "now"; caught up after downtime it says when.
      body:
        now.getTime() - due.getTime() < 2 * deps.intervalMs
          ? `Due now (${formatWhen(due, now, zone)})`
          : `Was due at ${formatWhen(due, now, zone)}`,
      item_id: todo.id,
      dedupe_key: dueKey(todo),
    });
    if (row) sent++;
  }
  return sent;
}

/** One reminders tick: returns how many reminders it decided. */
export async function runReminders(
  deps: RemindersJobDeps,
  now: Date,
): Promise<{ events: number; todos: number }> {
  return { events: await runEventReminders(deps, now), todos: await runDueReminders(deps, now) };
}
