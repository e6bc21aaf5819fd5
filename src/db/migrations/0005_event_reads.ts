/**
 * What makes a calendar window cheap to read, kept by the database itself (triggers, a generated
 * column) so that writes by another server instance or by a CLI count as well:
 * - `series_generation`: one row that every write touching a recurring series bumps, in the same
 *   transaction. The events service keeps the expanded series in memory and checks this row per
 *   read instead of loading and expanding every series again.
 * - `events.span_ms`: an event's length. The longest one-off event bounds how early an event
 *   overlapping a window can start, so a window reads an index range instead of every earlier
 *   event.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { createIndex } from './frozen/schema.js';

export function eventReads(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect === 'sqlite') {
        // Virtual: computed on read and in the index, never written by anyone.
        await sql`alter table events add column span_ms integer generated always as
          (coalesce(cast(round((julianday(end_time) - julianday(start_time)) * 86400000) as integer), 0)) virtual`.execute(
          db,
        );
      } else {
        // A generated column would need an immutable text-to-time cast; a trigger keeps it instead.
        await sql`alter table events add column span_ms bigint not null default 0`.execute(db);
        await sql`create function events_span() returns trigger language plpgsql as $$
          begin
            new.span_ms := coalesce(
              round(extract(epoch from (new.end_time::timestamptz - new.start_time::timestamptz)) * 1000), 0);
            return new;
          end $$`.execute(db);
        await sql`create trigger events_span before insert or update of start_time, end_time on events
          for each row execute function events_span()`.execute(db);
        await sql`update events set span_ms = coalesce(
          round(extract(epoch from (end_time::timestamptz - start_time::timestamptz)) * 1000), 0)`.execute(
          db,
        );
      }
      // Partial indexes over the one-off events: their lengths (the max is the last entry) and
      // their starts. SQLite keeps no table statistics here, and without them its planner
      // preferred any index on recurrence_rule to the start range; so there is none.
      await db.schema.dropIndex('events_recurring').execute();
      await db.schema
        .createIndex('events_one_off_span')
        .on('events')
        .column('span_ms')
        .where(sql.ref('recurrence_rule'), 'is', null)
        .execute();
      await db.schema
        .createIndex('events_one_off_start')
        .on('events')
        .columns(['start_time', 'id'])
        .where(sql.ref('recurrence_rule'), 'is', null)
        .execute();

      await db.schema
        .createTable('series_generation')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .execute();
      // Starts at the clock, not 0: after a rollback and re-apply, a server that cached an old
      // generation must not meet the same number again for different rows.
      await sql`insert into series_generation (id, n) values (1, ${Date.now()})`.execute(db);
      if (dialect === 'sqlite') {
        const bump = sql.raw('update series_generation set n = n + 1 where id = 1;');
        await sql`create trigger series_generation_insert after insert on events
          when new.recurrence_rule is not null begin ${bump} end`.execute(db);
        await sql`create trigger series_generation_update after update on events
          when old.recurrence_rule is not null or new.recurrence_rule is not null begin ${bump} end`.execute(
          db,
        );
        await sql`create trigger series_generation_delete after delete on events
          when old.recurrence_rule is not null begin ${bump} end`.execute(db);
      } else {
        await sql`create function bump_series_generation() returns trigger language plpgsql as $$
          begin
            update series_generation set n = n + 1 where id = 1;
            return null;
          end $$`.execute(db);
        await sql`create trigger series_generation_insert after insert on events for each row
          when (new.recurrence_rule is not null) execute function bump_series_generation()`.execute(db);
        await sql`create trigger series_generation_update after update on events for each row
          when (old.recurrence_rule is not null or new.recurrence_rule is not null)
          execute function bump_series_generation()`.execute(db);
        await sql`create trigger series_generation_delete after delete on events for each row
          when (old.recurrence_rule is not null) execute function bump_series_generation()`.execute(db);
      }
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('events_one_off_start').ifExists().execute();
      await db.schema.dropIndex('events_one_off_span').ifExists().execute();
      await createIndex(db, 'events_recurring', 'events', ['recurrence_rule']);
      if (dialect === 'postgres') {
        await sql`drop trigger if exists events_span on events`.execute(db);
        await sql`drop function if exists events_span()`.execute(db);
      }
      await db.schema.alterTable('events').dropColumn('span_ms').execute();
      for (const t of ['insert', 'update', 'delete'])
        await sql`drop trigger if exists ${sql.raw(`series_generation_${t}`)}${sql.raw(dialect === 'postgres' ? ' on events' : '')}`.execute(
          db,
        );
      if (dialect === 'postgres') await sql`drop function if exists bump_series_generation()`.execute(db);
      await db.schema.dropTable('series_generation').ifExists().execute();
    },
  };
}
