/**
 * The export reads every table from one snapshot, so a document never holds a message without
 * its conversation or a subtask whose parent was deleted halfway through the export.
 * - SQLite: its own read-only connection in one read transaction. WAL lets the server's one
 *   connection go on writing meanwhile; a transaction on that connection would instead hold
 *   every other request (Kysely runs one query at a time on it) until the download ends.
 * - PostgreSQL: one pooled connection in a READ ONLY, REPEATABLE READ transaction (a snapshot
 *   taken at its first query), which never blocks writers.
 * An in-memory SQLite database (tests only) has no file to open twice: its one connection is used.
 */
import SQLite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';

export interface Snapshot {
  db: Kysely<DB>;
  close(): Promise<void>;
}

export async function openSnapshot(database: Pick<Database, 'db' | 'dialect' | 'sqlite'>): Promise<Snapshot> {
  const file = database.sqlite?.memory === false ? database.sqlite.name : null;
  if (database.dialect === 'sqlite' && file !== null) {
    const connection = new SQLite(file, { readonly: true, fileMustExist: true });
    connection.pragma('busy_timeout = 5000');
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: connection }) });
    try {
      await sql`begin`.execute(db);
      // A deferred transaction takes its snapshot at the first read: take it now.
      await sql`select count(*) from settings`.execute(db);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return {
      db,
      close: async () => {
        await sql`commit`.execute(db).catch(() => undefined);
        await db.destroy();
      },
    };
  }
  let builder = database.db.startTransaction();
  if (database.dialect === 'postgres')
    builder = builder.setIsolationLevel('repeatable read').setAccessMode('read only');
  const trx = await builder.execute();
  // REPEATABLE READ takes its snapshot at the first query too, not at BEGIN.
  await sql`select count(*) from settings`.execute(trx);
  return { db: trx, close: () => trx.commit().execute() };
}
