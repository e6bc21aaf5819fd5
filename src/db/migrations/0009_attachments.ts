/**
 * Files attached to memos and todos (COMPAT.md "Attachments"). Deleting an owner, by whatever
 * path (a subtree, a bulk change, a purge), leaves its attachments' rows with no owner; the
 * attachments service removes those rows and their files (at once, and at every start-up).
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { createIndex } from './frozen/schema.js';

export function attachments(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('attachments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('memo_id', 'text', (c) => c.references('memos.id').onDelete('set null'))
        .addColumn('todo_id', 'text', (c) => c.references('todos.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await createIndex(db, 'attachments_memo', 'attachments', ['memo_id', 'created_at']);
      await createIndex(db, 'attachments_todo', 'attachments', ['todo_id', 'created_at']);
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('attachments').ifExists().execute();
    },
  };
}
