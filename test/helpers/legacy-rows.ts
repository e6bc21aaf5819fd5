/**
 * Rows as the early schemas stored them, for tests that migrate a database part way, write the
 * old way, then check what the later migrations make of it.
 */
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely';
import { expect } from 'vitest';
import type { DB } from '../../src/db/schema.js';
import { migrations } from '../../src/db/migrations/index.js';

/** Runs the migrations up to and including `name`, failing the test on an error. */
export async function migrateTo(
  db: Kysely<DB>,
  dialect: 'sqlite' | 'postgres',
  name: string,
): Promise<Migrator> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(dialect) } });
  expect((await migrator.migrateTo(name)).error).toBeUndefined();
  return migrator;
}

/** The columns every item had from the start: no chat link, created and updated `at`. */
export const oldItem = (at: string) => ({
  conversation_id: null,
  message_id: null,
  created_at: at,
  updated_at: at,
});

/** A todo row of the first schema (no tree columns): pending, medium, no due date, no tags. */
export const oldTodo = (at: string, fields: { id: string; title: string } & Record<string, unknown>) => ({
  description: null,
  status: 'pending',
  priority: 'medium',
  priority_rank: 2,
  due_date: null,
  due_has_time: 0,
  completed_at: null,
  tags: '[]',
  ...oldItem(at),
  ...fields,
});

/** The old todo the search backfill tests look for (SQLite and PostgreSQL). */
export const LEGACY_TODO = {
  id: 'todo_old',
  title: 'Legacy backlog',
  description: '예전 회의록',
  tags: '["archive"]',
};
