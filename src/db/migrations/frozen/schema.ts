/**
 * Schema-builder steps several migrations take. Frozen like everything in this folder: a change
 * here would change what migrations already applied do, which the guard (../frozen.test.ts)
 * rejects; a new kind of step is a new helper.
 */
import type { ColumnDefinitionBuilderCallback, Kysely } from 'kysely';
import type { Dialect } from '../../database.js';

/** `create index <name> on <table> (<columns>)`. */
export async function createIndex(
  db: Kysely<any>,
  name: string,
  table: string,
  columns: string[],
): Promise<void> {
  await db.schema.createIndex(name).on(table).columns(columns).execute();
}

/** An integer key the database numbers itself: `serial` on PostgreSQL, `integer autoincrement` on SQLite. */
export function autoIncrementKey(dialect: Dialect): ['serial' | 'integer', ColumnDefinitionBuilderCallback] {
  return dialect === 'postgres'
    ? ['serial', (c) => c.primaryKey()]
    : ['integer', (c) => c.primaryKey().autoIncrement()];
}
