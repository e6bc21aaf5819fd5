/**
 * Subtasks, manual order and links between todos (COMPAT.md "Todos"):
 * - `todos.parent_id` (another todo, deleted with it) and `todos.sort_order` (default 0);
 * - indexes for the list's new filters and orders: a todo's children in manual order (which
 *   also serves `root_only`, and the cascade's lookup of children), and one per order the list
 *   offers that had none (sort_order, updated_at, priority), each ending in id for stable pages;
 * - `task_relationships`: typed links between two todos, unique per (source, target, type),
 *   removed with either todo.
 * - `tag_counts`: how many todos, events and memos carry each tag, kept by triggers, so the
 *   tag list (`GET /api/tags`) reads a few hundred rows instead of unnesting every item's JSON.
 * Nothing here is imported from other migrations.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { createIndex, runStatements } from './frozen/schema.js';

/** The tables whose `tags` (a JSON array of strings, as text) the counts follow. */
const TAGGED = ['todos', 'events', 'memos'];

/**
 * SQLite: one trigger per table and write. An upsert adds a row's tags; a removal lowers the
 * counts and drops the tags no longer used. Rows without tags (`[]`) skip the work.
 */
function sqliteTagTriggers(table: string): string[] {
  const add = (row: string) =>
    `insert into tag_counts (tag, n)
       select value, count(*) from json_each(${row}.tags) where type = 'text' group by value
       on conflict (tag) do update set n = n + excluded.n;`;
  const remove = (row: string) =>
    `update tag_counts set n = n - (select count(*) from json_each(${row}.tags) j
        where j.type = 'text' and j.value = tag_counts.tag)
       where tag in (select value from json_each(${row}.tags) where type = 'text');
     delete from tag_counts where n <= 0 and tag in (select value from json_each(${row}.tags));`;
  return [
    `create trigger ${table}_tags_insert after insert on ${table} when new.tags <> '[]' begin ${add('new')} end`,
    `create trigger ${table}_tags_update after update of tags on ${table} when new.tags is not old.tags
       begin ${remove('old')} ${add('new')} end`,
    `create trigger ${table}_tags_delete after delete on ${table} when old.tags <> '[]' begin ${remove('old')} end`,
  ];
}

/** PostgreSQL: one trigger function for every table, run per row after each write. */
const POSTGRES_TAG_FUNCTION = `
  create function clawchat_tag_counts() returns trigger language plpgsql as $fn$
  begin
    if tg_op in ('UPDATE', 'DELETE') and old.tags <> '[]' then
      update tag_counts c set n = c.n - d.k
        from (select t as tag, count(*) as k from jsonb_array_elements_text(old.tags::jsonb) t group by t) d
        where c.tag = d.tag;
      delete from tag_counts
        where n <= 0 and tag in (select jsonb_array_elements_text(old.tags::jsonb));
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.tags <> '[]' then
      insert into tag_counts (tag, n)
        select t, count(*) from jsonb_array_elements_text(new.tags::jsonb) t group by t
        on conflict (tag) do update set n = tag_counts.n + excluded.n;
    end if;
    return null;
  end $fn$`;

async function tagCountsUp(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('tag_counts')
    .addColumn('tag', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
  // What is tagged already.
  const unnest = (table: string) =>
    dialect === 'sqlite'
      ? `select j.value as tag from ${table} x, json_each(x.tags) j where x.tags <> '[]' and j.type = 'text'`
      : `select jsonb_array_elements_text(x.tags::jsonb) as tag from ${table} x where x.tags <> '[]'`;
  await sql
    .raw(
      `insert into tag_counts (tag, n) select tag, count(*) from (${TAGGED.map(unnest).join(' union all ')}) t group by tag`,
    )
    .execute(db);
  if (dialect === 'sqlite') {
    await runStatements(db, TAGGED.flatMap(sqliteTagTriggers));
    return;
  }
  await sql.raw(POSTGRES_TAG_FUNCTION).execute(db);
  for (const table of TAGGED) {
    await sql
      .raw(
        `create trigger ${table}_tags_write after insert or delete on ${table}
              for each row execute function clawchat_tag_counts()`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_tags_update after update of tags on ${table}
              for each row when (old.tags is distinct from new.tags) execute function clawchat_tag_counts()`,
      )
      .execute(db);
  }
}

async function tagCountsDown(db: Kysely<any>, dialect: Dialect): Promise<void> {
  for (const table of TAGGED) {
    const names = dialect === 'sqlite' ? ['insert', 'update', 'delete'] : ['write', 'update'];
    for (const op of names)
      await sql
        .raw(`drop trigger if exists ${table}_tags_${op}${dialect === 'sqlite' ? '' : ` on ${table}`}`)
        .execute(db);
  }
  if (dialect === 'postgres') await sql`drop function if exists clawchat_tag_counts()`.execute(db);
  await db.schema.dropTable('tag_counts').execute();
}

export function todoTree(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      // SQLite can add a column with a REFERENCES clause as long as its default is null.
      // Deferrable: a copy (sqlite-to-postgres) may insert a subtask before the parent it was
      // moved under later, and checks the links at commit.
      await sql`alter table todos add column parent_id text
        references todos (id) on delete cascade deferrable initially immediate`.execute(db);
      await db.schema
        .alterTable('todos')
        .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await createIndex(db, 'todos_parent', 'todos', ['parent_id', 'sort_order', 'id']);
      await createIndex(db, 'todos_sort_order', 'todos', ['sort_order', 'id']);
      await createIndex(db, 'todos_updated', 'todos', ['updated_at', 'id']);
      await createIndex(db, 'todos_priority', 'todos', ['priority_rank', 'id']);

      await db.schema
        .createTable('task_relationships')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source_todo_id', 'text', (c) => c.notNull().references('todos.id').onDelete('cascade'))
        .addColumn('target_todo_id', 'text', (c) => c.notNull().references('todos.id').onDelete('cascade'))
        .addColumn('relationship_type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // The unique index also serves "links from this todo"; the other serves "links to it".
      await db.schema
        .createIndex('task_relationships_link')
        .on('task_relationships')
        .columns(['source_todo_id', 'target_todo_id', 'relationship_type'])
        .unique()
        .execute();
      await createIndex(db, 'task_relationships_target', 'task_relationships', ['target_todo_id']);

      await tagCountsUp(db, dialect);
    },
    async down(db: Kysely<any>) {
      await tagCountsDown(db, dialect);
      await db.schema.dropTable('task_relationships').execute();
      for (const index of ['todos_parent', 'todos_sort_order', 'todos_updated', 'todos_priority'])
        await db.schema.dropIndex(index).execute();
      await db.schema.alterTable('todos').dropColumn('sort_order').execute();
      await db.schema.alterTable('todos').dropColumn('parent_id').execute();
    },
  };
}
