/**
 * A fresh database runs every migration up, every `down` back to nothing, and up again: the
 * guard (frozen.test.ts) proves the SQL never changes, this proves it runs, both ways, on each
 * dialect.
 */
import path from 'node:path';
import { Migrator, NO_MIGRATIONS, sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDatabase, type Database, type Dialect } from '../database.js';
import { migrations } from './index.js';
import { createTestDatabase, missingServices } from '../../../test/helpers/services.js';
import { makeTempDir } from '../../../test/helpers/server.js';

/** The tables a database holds besides Kysely's own bookkeeping. */
async function tables(db: Kysely<any>, dialect: Dialect): Promise<string[]> {
  const { rows } =
    dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
      : await sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
          db,
        );
  return rows
    .map((r) => r.name)
    .filter((n) => !n.startsWith('kysely_') && !n.startsWith('sqlite_'))
    .sort();
}

async function upDownUp(database: Database): Promise<void> {
  const names = Object.keys(migrations(database.dialect));
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations(database.dialect) },
  });
  const up = await migrator.migrateToLatest();
  expect(up.error).toBeUndefined();
  expect(up.results?.map((r) => r.migrationName)).toEqual(names);
  const latest = await tables(database.db, database.dialect);

  const down = await migrator.migrateTo(NO_MIGRATIONS);
  expect(down.error, down.results?.find((r) => r.status === 'Error')?.migrationName).toBeUndefined();
  expect(down.results?.map((r) => r.migrationName)).toEqual([...names].reverse());
  expect(await tables(database.db, database.dialect)).toEqual([]);

  // Down left nothing behind that the way up trips over.
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
  expect(await tables(database.db, database.dialect)).toEqual(latest);
}

/** A fresh database of `dialect`, nothing migrated, and how to throw it away. */
async function freshDatabase(dialect: Dialect): Promise<{ database: Database; remove: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const file = path.join(makeTempDir(), 'clawchat.db');
    const database = await createDatabase({ kind: 'sqlite', file }, { migrate: false });
    return { database, remove: () => database.close() };
  }
  const fresh = await createTestDatabase({ migrate: false });
  const database = await createDatabase({ kind: 'postgres', url: fresh.url }, { migrate: false });
  return {
    database,
    remove: async () => {
      await database.close();
      await fresh.drop();
    },
  };
}

const missing = await missingServices(['postgres'], 'migrations up and down on PostgreSQL');

describe('every migration, up, down and up again, on a fresh database', () => {
  it.for(['sqlite', 'postgres'] as const)('on %s', async (dialect, { skip }) => {
    if (dialect === 'postgres' && missing !== null) skip(missing);
    const { database, remove } = await freshDatabase(dialect);
    try {
      await upDownUp(database);
    } finally {
      await remove();
    }
  });
});
