/**
 * The `reminder` frame the ClawChat apps listen for (COMPAT.md), sent beside every reminder,
 * due and overdue `notification`. What it says is read from the notification's decision key,
 * which names the item and the occurrence: `reminder:<event>:<start>`, `due:<todo>:<due>`,
 * `overdue:<todo>:<due>` and `overdue-summary:...`.
 */
import { DateTime } from 'luxon';
import type { NotificationRow } from '../../db/schema.js';
import type { ServerEvents } from '../../realtime/frames.js';

type ReminderFrame = ServerEvents['reminder'];

/** The event id of an event reminder's key, or null. */
export function remindedEventId(row: Pick<NotificationRow, 'dedupe_key'>): string | null {
  const m = /^reminder:([^:]+):/.exec(row.dedupe_key);
  return m ? m[1]! : null;
}

/**
 * The apps' frame for a notification, or null when it is not a reminder (briefing, agent task).
 * `recurringZones` holds the recurring events among the reminded ones, with their zones.
 */
export function appReminderFrame(
  row: NotificationRow,
  now: Date,
  recurringZones: Map<string, string>,
): ReminderFrame | null {
  const base = { item_id: row.item_id, title: row.title, message: row.body };
  const event = /^reminder:([^:]+):(.+)$/.exec(row.dedupe_key);
  if (event) {
    const [, id, start] = event as unknown as [string, string, string];
    const startMs = Date.parse(start);
    const zone = recurringZones.get(id);
    return {
      ...base,
      reminder_type: 'event',
      minutes_until: Number.isNaN(startMs) ? 0 : Math.max(0, Math.ceil((startMs - now.getTime()) / 60_000)),
      occurrence_date:
        zone && !Number.isNaN(startMs) ? DateTime.fromMillis(startMs, { zone }).toISODate() : null,
    };
  }
  if (row.dedupe_key.startsWith('due:'))
    return { ...base, reminder_type: 'todo', minutes_until: 0, occurrence_date: null };
  if (row.dedupe_key.startsWith('overdue'))
    return { ...base, reminder_type: 'todo_overdue', minutes_until: 0, occurrence_date: null };
  return null;
}
