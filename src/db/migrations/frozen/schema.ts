/**
 * Schema-builder steps several migrations take. Frozen like everything in this folder: a change
 * here would change what migrations already applied do, which the guard (../frozen.test.ts)
 * rejects; a new kind of step is a new helper.
 */
import { sql, type ColumnDefinitionBuilderCallback, type Kysely } from 'kysely';
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

/** Runs raw statements in order, on `db` or a transaction. */
export async function runStatements(db: Kysely<any>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** Runs raw statements in one transaction: a failure leaves none of them behind. */
export async function runInTransaction(db: Kysely<any>, statements: readonly string[]): Promise<void> {
  await db.transaction().execute((trx) => runStatements(trx, statements));
}
