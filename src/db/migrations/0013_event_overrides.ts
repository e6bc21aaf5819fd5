/**
 * Recurring events one occurrence at a time (COMPAT.md):
 * - `events.recurrence_end` (a local date, YYYY-MM-DD, or null): the last day occurrences may
 *   start; `events.recurrence_exceptions` (a JSON array of YYYY-MM-DD, as text): removed dates.
 *   Both are columns of the series, so the 0005 triggers already bump `series_generation`.
 * - `event_overrides`: one changed occurrence of a series (RFC 5545 RECURRENCE-ID), keyed by the
 *   series and the local date the occurrence had, holding the occurrence's whole content. Its
 *   own triggers bump `series_generation` (the series caches read them with the series), and it
 *   goes with its series (on delete cascade).
 * Nothing here is imported from other migrations.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

export function eventOverrides(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('events').addColumn('recurrence_end', 'text').execute();
      await db.schema
        .alterTable('events')
        .addColumn('recurrence_exceptions', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createTable('event_overrides')
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
        .addColumn('occurrence_date', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('location', 'text')
        .addColumn('start_time', 'text', (c) => c.notNull())
        .addColumn('end_time', 'text')
        .addColumn('reminder_minutes', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('event_overrides_pk', ['event_id', 'occurrence_date'])
        .execute();
      if (dialect === 'sqlite') {
        const bump = sql.raw('update series_generation set n = n + 1 where id = 1;');
        for (const op of ['insert', 'update', 'delete'])
          await sql`create trigger ${sql.raw(`event_overrides_generation_${op}`)} after ${sql.raw(op)}
            on event_overrides begin ${bump} end`.execute(db);
      } else {
        // bump_series_generation() is the function of migration 0005 (defined in the database).
        for (const op of ['insert', 'update', 'delete'])
          await sql`create trigger ${sql.raw(`event_overrides_generation_${op}`)} after ${sql.raw(op)}
            on event_overrides for each row execute function bump_series_generation()`.execute(db);
      }
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('event_overrides').ifExists().execute();
      await db.schema.alterTable('events').dropColumn('recurrence_exceptions').execute();
      await db.schema.alterTable('events').dropColumn('recurrence_end').execute();
    },
  };
}
