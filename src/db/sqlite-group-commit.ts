/**
 * Group commit for SQLite: the disk wait of a commit leaves the event loop, and commits made
 * at the same time share one fsync.
 *
 * With `synchronous = FULL` SQLite fsyncs the WAL inside every COMMIT, on the thread that
 * commits: ours, the only one. Here the connection runs with `synchronous = NORMAL` (a COMMIT
 * only writes the WAL into the page cache) and the fsync FULL would have done is done by us,
 * on libuv's thread pool, before the query that committed returns. So a route that answers 2xx
 * after its write still answers only once the write is on disk, as with FULL; meanwhile the
 * loop serves other requests, and every commit made while one fsync runs is covered by the next
 * one (one fsync for many writers). See docs/DECISIONS.md "Group commit".
 *
 * Checkpoints (copying the WAL back into the database file, two more fsyncs) move to a worker
 * thread with its own connection, so they no longer stall the loop either.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type SqliteDialectConfig } from 'kysely';

const fdatasync = promisify(fs.fdatasync);

/** How often the worker copies committed WAL frames into the database file. */
const CHECKPOINT_EVERY_MS = 200;

export interface WalSync {
  /** Resolves once every commit made before the call is on disk; rejects for ever after a failed fsync. */
  sync(): Promise<void>;
  /** After the database is closed. */
  close(): Promise<void>;
}

/**
 * One fsync in flight at most; callers that arrive while it runs share the next one (an fsync
 * that started before their commit could miss it).
 */
export function createWalSync(walFile: string): WalSync {
  const fd = fs.openSync(walFile, 'r');
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let open = true;
  // After a failed fsync the kernel may have dropped the dirty pages it could not write, so a
  // later fsync that succeeds proves nothing about the frames before it: every later write is
  // refused, as PostgreSQL does (it stops). A restart recovers from what is on disk.
  let failed: Error | undefined;

  const start = (): Promise<void> => {
    const p = fdatasync(fd)
      .catch((err: Error) => {
        failed ??= err;
        throw err;
      })
      .finally(() => {
        if (running === p) running = undefined;
      });
    running = p;
    return p;
  };

  return {
    sync() {
      if (failed) return Promise.reject(failed);
      // Closed only after the database is: nothing can commit any more.
      if (!open) return Promise.resolve();
      if (queued) return queued;
      if (!running) return start();
      queued = running
        .catch(() => undefined)
        .then(() => {
          queued = undefined;
          return failed ? Promise.reject(failed) : start();
        });
      return queued;
    },
    async close() {
      await Promise.allSettled([running, queued]);
      open = false;
      fs.closeSync(fd);
    },
  };
}

/** Statements that cannot change the database; everything else marks the connection dirty. */
const READ_ONLY = /^\s*(select|explain)\b/i;

/**
 * Kysely's SQLite driver with one change: when a connection is released after a write outside
 * a transaction (an autocommit statement, or COMMIT), the caller waits for the WAL to reach the
 * disk, after the connection is free for the next query.
 */
class GroupCommitDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
    private readonly wal: WalSync,
    private readonly state: { dirty: boolean },
  ) {
    super(config);
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    if (this.state.dirty && !this.sqlite.inTransaction) {
      this.state.dirty = false;
      await this.wal.sync();
    }
  }
}

export class GroupCommitDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #sqlite: SQLite.Database;
  readonly #wal: WalSync;
  readonly #state: { dirty: boolean };

  constructor(config: SqliteDialectConfig, sqlite: SQLite.Database, wal: WalSync, state: { dirty: boolean }) {
    super(config);
    this.#config = config;
    this.#sqlite = sqlite;
    this.#wal = wal;
    this.#state = state;
  }

  override createDriver(): SqliteDriver {
    return new GroupCommitDriver(this.#config, this.#sqlite, this.#wal, this.#state);
  }
}

/** Called with each statement's SQL as it is prepared: marks the connection dirty on writes. */
export function noteWrites(state: { dirty: boolean }): (sql: string) => void {
  return (sql) => {
    if (!READ_ONLY.test(sql)) state.dirty = true;
  };
}

/**
 * A worker thread with its own connection runs passive checkpoints, so the fsyncs of copying
 * the WAL into the database file happen off the event loop. Plain CommonJS source: it runs the
 * same under tsx, Vitest and the compiled server.
 */
export function startCheckpointer(file: string): { stop(): Promise<void> } {
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.driverPath);
    const db = new Database(workerData.file, { fileMustExist: true });
    db.pragma('busy_timeout = 0');
    const timer = setInterval(() => {
      try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick tries again */ }
    }, workerData.every);
    parentPort.on('message', () => {
      clearInterval(timer);
      try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
      db.close();
      parentPort.close();
    });
  `;
  const worker = new Worker(source, {
    eval: true,
    workerData: { driverPath, file, every: CHECKPOINT_EVERY_MS },
  });
  worker.unref();
  // A checkpointer that dies only means the WAL grows until the next start; the server goes on.
  worker.on('error', () => undefined);
  let exited = false;
  worker.once('exit', () => (exited = true));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        // Referenced while it winds down: otherwise a CLI whose last work is closing the
        // database would see an empty event loop and exit before the worker does.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        setTimeout(() => void worker.terminate(), 2_000).unref();
      }),
  };
}
