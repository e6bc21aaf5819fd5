/**
 * createDatabase(): SQLite (embedded default) or PostgreSQL, chosen by DATABASE_URL.
 * Both dialects see the same tables (schema.ts) and the same migration history.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase } from 'kysely';
import type { Config } from '../config.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tighten } from '../lib/secret.js';
import { migrateToLatest } from './migrate.js';
import { PostgresNulPlugin } from './postgres-nul.js';
import type { DB } from './schema.js';
import { createWalSync, GroupCommitDialect, noteWrites, startCheckpointer } from './sqlite-group-commit.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** The raw SQLite handle (backups, pragmas); null on PostgreSQL. */
  sqlite: SQLite.Database | null;
  close(): Promise<void>;
}

export async function createDatabase(
  database: Config['database'],
  opts: { migrate?: boolean } = {},
): Promise<Database> {
  const handle = database.kind === 'sqlite' ? openSqlite(database.file) : await openPostgres(database.url);
  if (opts.migrate !== false) await migrateToLatest(handle.db, handle.dialect);
  return handle;
}

function openSqlite(file: string): Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  // The diary is for its owner only. The file is made (or tightened) 0600 before SQLite opens
  // it: SQLite gives the -wal and -shm it creates later the main file's mode. Ones left by a
  // crash under an earlier version are tightened too.
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) tighten(f, PRIVATE_FILE_MODE);
  const sqlite = new SQLite(file);
  // Deleted content (a replaced PIN hash, a deleted diary entry) is overwritten with zeros,
  // not left readable in free pages.
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A write answered 2xx is on disk before the answer, surviving kill -9 and power loss: the
  // fsync that `synchronous = FULL` would do inside each COMMIT is done by group commit instead,
  // off the event loop and shared by concurrent commits (sqlite-group-commit.ts). SQLite keeps
  // NORMAL's ordering (the WAL is synced before every checkpoint), which a worker runs.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma('journal_size_limit = 67108864');
  // Reading opens (creates) the -wal file that group commit syncs.
  sqlite.prepare('select count(*) from sqlite_master').get();
  const wal = createWalSync(`${file}-wal`);
  const writes = { dirty: false };
  const checkpointer = startCheckpointer(file);
  const db = new Kysely<DB>({
    dialect: new GroupCommitDialect(
      { database: withStatementCache(sqlite, noteWrites(writes)) },
      sqlite,
      wal,
      writes,
    ),
  });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    close: async () => {
      await checkpointer.stop();
      // The database first: a write that commits meanwhile still gets its fsync.
      await db.destroy();
      await wal.close();
    },
  };
}

/**
 * Kysely prepares every query afresh; compiling the SQL costs about as much as running a
 * small indexed read. The app issues a few hundred distinct statements, so recently used
 * ones are kept (least recently used dropped first). Reusing a statement is safe: Kysely runs
 * one query at a time on its single SQLite connection, and `all`/`run` finish synchronously.
 */
export function withStatementCache(
  sqlite: SQLite.Database,
  onPrepare: (sql: string) => void = () => undefined,
  max = 500,
): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string) {
      onPrepare(sql);
      let stmt = cache.get(sql);
      if (stmt) cache.delete(sql);
      else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

// `pg` is loaded only for PostgreSQL: a SQLite server starts without it (start-up time).
async function openPostgres(url: string): Promise<Database> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection that dies (a PostgreSQL restart, a failover) is an 'error' event on the
  // pool: without a listener it would crash the process. The pool opens a new one when needed.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [new PostgresNulPlugin()] });
  return {
    db,
    dialect: 'postgres',
    sqlite: null,
    close: async () => {
      await db.destroy();
    },
  };
}
