/**
 * Subtasks, manual order and links between todos (COMPAT.md "Todos"):
 * - `todos.parent_id` (another todo, deleted with it) and `todos.sort_order` (default 0);
 * - indexes for the list's new filters and orders: a todo's children in manual order (which
 *   also serves `root_only`, and the cascade's lookup of children), and one per order the list
 *   offers that had none (sort_order, updated_at, priority), each ending in id for stable pages;
 * - `task_relationships`: typed links between two todos, unique per (source, target, type),
 *   removed with either todo.
 * Plain DDL both dialects accept; nothing here is imported from other migrations.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

export function todoTree(_dialect: Dialect): Migration {
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
      await db.schema
        .createIndex('todos_parent')
        .on('todos')
        .columns(['parent_id', 'sort_order', 'id'])
        .execute();
      await db.schema.createIndex('todos_sort_order').on('todos').columns(['sort_order', 'id']).execute();
      await db.schema.createIndex('todos_updated').on('todos').columns(['updated_at', 'id']).execute();
      await db.schema.createIndex('todos_priority').on('todos').columns(['priority_rank', 'id']).execute();

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
      await db.schema
        .createIndex('task_relationships_target')
        .on('task_relationships')
        .columns(['target_todo_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('task_relationships').execute();
      for (const index of ['todos_parent', 'todos_sort_order', 'todos_updated', 'todos_priority'])
        await db.schema.dropIndex(index).execute();
      await db.schema.alterTable('todos').dropColumn('sort_order').execute();
      await db.schema.alterTable('todos').dropColumn('parent_id').execute();
    },
  };
}
