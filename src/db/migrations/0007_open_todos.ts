/**
 * Indexes for the todos every "today" read, the briefing and a chat turn's prompt ask for: the
 * open ones (pending or in progress) by due date, and in-progress todos without a due date by
 * creation. The partial index's condition is written exactly as the todos repository writes
 * "open", so the planner can match the two.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { createIndex } from './frozen/schema.js';

export function openTodos(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await sql`create index todos_open_due on todos (due_date, id)
        where status in ('pending', 'in_progress')`.execute(db);
      // Wider than before: a status with no due date is read in creation order from the index.
      await db.schema.dropIndex('todos_status_due').execute();
      await createIndex(db, 'todos_status_due', 'todos', ['status', 'due_date', 'created_at', 'id']);
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('todos_open_due').execute();
      await db.schema.dropIndex('todos_status_due').execute();
      await createIndex(db, 'todos_status_due', 'todos', ['status', 'due_date']);
    },
  };
}
