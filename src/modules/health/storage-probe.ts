/**
 * Can the server still write? A cheap probe for /api/health, cached a few seconds and bounded
 * in time: a full disk or a read-only database otherwise shows as `ok` until the next write
 * fails. Nothing it writes is kept.
 *   - the data directory (and the SQLite file's directory): a small file written, fsynced, removed
 *     (ENOSPC, EROFS, EACCES);
 *   - SQLite: a table created and filled inside a savepoint that is rolled back; it must allocate
 *     pages, so a database that cannot grow (SQLITE_FULL, SQLITE_READONLY) fails it;
 *   - PostgreSQL: a temporary table in a rolled-back transaction (a read-only or failed-over
 *     database refuses it).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';

const FRESH_MS = 5_000;
const TIMEOUT_MS = 1_000;
const PROBE_BYTES = 4096;

/** Null while writes work; otherwise why not (for `reason` in /api/health). */
export type StorageProbe = () => Promise<string | null>;

class Rollback extends Error {}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; syscall?: unknown };
  const code = typeof e.code === 'string' ? e.code : null;
  const message = typeof e.message === 'string' ? e.message.slice(0, 120) : null;
  // A filesystem error's message names paths; its code is enough for an operator. A PostgreSQL
  // code alone (25006) says little, its message is safe and says it (read-only transaction).
  if (typeof e.syscall === 'string' || (code !== null && code.startsWith('SQLITE_')))
    return code ?? 'unknown error';
  return [code, message].filter(Boolean).join(': ') || 'unknown error';
}

async function probeDirectory(dir: string): Promise<void> {
  const file = path.join(dir, `.write-probe-${process.pid}`);
  const handle = await fs.open(file, 'w', 0o600);
  try {
    await handle.writeFile(Buffer.alloc(PROBE_BYTES));
    await handle.sync();
  } finally {
    await handle.close();
    await fs.rm(file, { force: true });
  }
}

function probeSqlite(sqlite: NonNullable<Database['sqlite']>): void {
  // A savepoint nests inside a transaction Kysely may hold open on this same connection.
  // No waiting for another process's write lock: busy is not broken, just busy.
  const busy = sqlite.pragma('busy_timeout', { simple: true }) as number;
  sqlite.pragma('busy_timeout = 0');
  try {
    sqlite.exec('SAVEPOINT health_write_probe');
    try {
      sqlite.exec('CREATE TABLE health_write_probe (x BLOB)');
      sqlite.prepare('INSERT INTO health_write_probe VALUES (zeroblob(?))').run(PROBE_BYTES * 16);
    } finally {
      sqlite.exec('ROLLBACK TO health_write_probe');
      sqlite.exec('RELEASE health_write_probe');
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return;
    throw err;
  } finally {
    sqlite.pragma(`busy_timeout = ${Number(busy) || 0}`);
  }
}

async function probePostgres(db: Database['db']): Promise<void> {
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`create temporary table health_write_probe (x int) on commit drop`.execute(trx);
      await sql`insert into health_write_probe values (1)`.execute(trx);
      throw new Rollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    });
}

export function createStorageProbe(
  database: Database,
  dataDir: string,
  opts: { freshMs?: number; timeoutMs?: number } = {},
): StorageProbe {
  const freshMs = opts.freshMs ?? FRESH_MS;
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  const dirs = new Set([dataDir]);
  if (database.sqlite) dirs.add(path.dirname(database.sqlite.name));
  let value: string | null = null;
  let checkedAt = -Infinity;
  let inFlight: Promise<string | null> | null = null;

  async function probe(): Promise<string | null> {
    for (const dir of dirs) {
      try {
        await probeDirectory(dir);
      } catch (err) {
        return `storage not writable (data directory: ${describe(err)})`;
      }
    }
    try {
      if (database.sqlite) probeSqlite(database.sqlite);
      else await probePostgres(database.db);
    } catch (err) {
      return `storage not writable (database: ${describe(err)})`;
    }
    return null;
  }

  return async () => {
    if (performance.now() - checkedAt < freshMs) return value;
    inFlight ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('storage not writable (write probe timed out)'), timeoutMs);
      });
      try {
        value = await Promise.race([probe(), timedOut]);
        checkedAt = performance.now();
        return value;
      } finally {
        clearTimeout(timer);
        inFlight = null;
      }
    })();
    return inFlight;
  };
}
