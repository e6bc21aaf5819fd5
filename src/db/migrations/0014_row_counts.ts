/**
 * `row_counts`: how many rows a table holds, kept by triggers in the same transaction as the
 * write, so the unfiltered todo list reads its `total` from one row instead of counting 100,000
 * index entries at every request (issue 17). Only `todos` is counted today.
 * Nothing here is imported from other migrations.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

export function rowCounts(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('row_counts')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into row_counts (name, n) select 'todos', count(*) from todos`.execute(db);
      if (dialect === 'sqlite') {
        await sql`create trigger todos_count_insert after insert on todos
          begin update row_counts set n = n + 1 where name = 'todos'; end`.execute(db);
        await sql`create trigger todos_count_delete after delete on todos
          begin update row_counts set n = n - 1 where name = 'todos'; end`.execute(db);
      } else {
        await sql`create function count_todos() returns trigger language plpgsql as $$
          begin
            update row_counts set n = n + (case when tg_op = 'INSERT' then 1 else -1 end) where name = 'todos';
            return null;
          end $$`.execute(db);
        await sql`create trigger todos_count after insert or delete on todos
          for each row execute function count_todos()`.execute(db);
      }
    },
    async down(db: Kysely<any>) {
      if (dialect === 'sqlite') {
        await sql`drop trigger if exists todos_count_insert`.execute(db);
        await sql`drop trigger if exists todos_count_delete`.execute(db);
      } else {
        await sql`drop trigger if exists todos_count on todos`.execute(db);
        await sql`drop function if exists count_todos()`.execute(db);
      }
      await db.schema.dropTable('row_counts').ifExists().execute();
    },
  };
}
