/**
 * Databases as an earlier version left them: created without migrating, so a test can migrate
 * part way (legacy-rows.ts), write the old way, close it and start a server on it.
 */
import path from 'node:path';
import type { Kysely } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database.js';
import type { DB } from '../../src/db/schema.js';
import { LEGACY_TODO, oldTodo } from './legacy-rows.js';
import { makeTempDir } from './server.js';
import { createTestDatabase, type TestDatabase } from './services.js';

/** An empty SQLite file where a server on `dataDir` looks for its database. */
export async function unmigratedSqlite(): Promise<{ dataDir: string; old: Database }> {
  const dataDir = makeTempDir();
  const old = await createDatabase(
    { kind: 'sqlite', file: path.join(dataDir, 'clawchat.db') },
    { migrate: false },
  );
  return { dataDir, old };
}

/** An empty PostgreSQL database (`fresh.url` for the server, `fresh.drop()` at the end). */
export async function unmigratedPostgres(): Promise<{ fresh: TestDatabase; old: Database }> {
  const fresh = await createTestDatabase({ migrate: false });
  const old = await createDatabase({ kind: 'postgres', url: fresh.url }, { migrate: false });
  return { fresh, old };
}

/**
 * What the search backfill tests (SQLite and PostgreSQL) look for, written at `at` before the
 * search index existed: LEGACY_TODO, and conversation `conv_old` ("Old chat") with a user message
 * `msg_old` ("legacy question").
 */
export async function writeLegacySearchRows(db: Kysely<DB>, at: string): Promise<void> {
  await db.insertInto('todos').values(oldTodo(at, LEGACY_TODO)).execute();
  await db
    .insertInto('conversations')
    .values({ id: 'conv_old', title: 'Old chat', is_archived: 0, created_at: at, updated_at: at })
    .execute();
  await db
    .insertInto('messages')
    .values({
      id: 'msg_old',
      conversation_id: 'conv_old',
      role: 'user',
      content: 'legacy question',
      message_type: 'text',
      status: 'complete',
      intent: null,
      metadata: null,
      created_at: at,
    })
    .execute();
}
