/** The reads the reminder and overdue jobs make on items (all their SQL). */
import { sql, type Kysely } from 'kysely';
import type { DB, TodoRow } from '../db/schema.js';
import { OPEN_STATUSES } from '../modules/todos/todos.repository.js';

export type JobsRepository = ReturnType<typeof createJobsRepository>;

export function createJobsRepository(db: Kysely<DB>) {
  return {
    /** The largest `reminder_minutes` of any event (null: no event wants a reminder). */
    async maxReminderMinutes(): Promise<number | null> {
      const r = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max('reminder_minutes').as('m'))
        .executeTakeFirst();
      return r?.m === null || r?.m === undefined ? null : Number(r.m);
    },

    /** Open todos with a time of day due in (from, to]. */
    async dueTodos(from: string, to: string, limit = 500): Promise<TodoRow[]> {
      return db
        .selectFrom('todos')
        .selectAll()
        .where('status', 'in', OPEN_STATUSES)
        .where('due_has_time', '=', 1)
        .where('due_date', '>', from)
        .where('due_date', '<=', to)
        .orderBy('due_date')
        .orderBy('id')
        .limit(limit)
        .execute();
    },

    /**
     * Open todos whose overdue notice is due and not yet decided: timed ones an hour after their
     * due time (`timedBefore` = now - 1 h), bare dates once their day is over (`now`). The decided
     * check is in SQL so a long-overdue backlog costs one indexed probe per row.
     */
    async overdueUndecided(timedBefore: string, now: string, limit = 200): Promise<TodoRow[]> {
      return db
        .selectFrom('todos')
        .selectAll()
        .where('status', 'in', OPEN_STATUSES)
        .where('due_date', 'is not', null)
        .where((eb) =>
          eb.or([
            eb.and([eb('due_has_time', '=', 1), eb('due_date', '<=', timedBefore)]),
            eb.and([eb('due_has_time', '=', 0), eb('due_date', '<', now)]),
          ]),
        )
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('notification_keys')
                .select('notification_keys.key')
                .where(
                  'notification_keys.key',
                  '=',
                  sql<string>`'overdue:' || todos.id || ':' || todos.due_date`,
                ),
            ),
          ),
        )
        .orderBy('due_date')
        .orderBy('id')
        .limit(limit)
        .execute();
    },
  };
}

/** The decision key of a todo's overdue notice: once per (todo, due date). */
export const overdueKey = (todo: Pick<TodoRow, 'id' | 'due_date'>): string =>
  `overdue:${todo.id}:${todo.due_date}`;
/** The decision key of a todo's due-time reminder: rescheduling re-arms it. */
export const dueKey = (todo: Pick<TodoRow, 'id' | 'due_date'>): string => `due:${todo.id}:${todo.due_date}`;
/** The decision key of one event occurrence's reminder. */
export const reminderKey = (eventId: string, occurrenceStart: string): string =>
  `reminder:${eventId}:${occurrenceStart}`;
