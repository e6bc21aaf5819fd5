/**
 * `--db=postgres`: the same dataset in a fresh database of the local PostgreSQL server.
 *
 * The SQLite dataset is copied with the project's own migration tool (the built
 * `dist/cli/sqlite-to-postgres.js`, what `npm run migrate:sqlite-to-pg` runs), so PostgreSQL gets
 * the schema, ids and search index a real move would give it; then VACUUM ANALYZE, as autovacuum
 * would soon after any bulk load (without the visibility map every count reads the heap). The full dataset's copy takes minutes, so it is made once into a template database
 * (`clawchat_bench_tpl_<key>`, rebuilt when the SQLite dataset changes) and each run clones it
 * with `CREATE DATABASE ... TEMPLATE`, a file copy of a few seconds. The run's own database
 * (`clawchat_bench_<pid>`) is dropped at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { Manifest } from './generate.js';
import { log, round } from './lib.js';
import { ROOT } from './server.js';

/** The administrative connection: any database but the ones created here (`--pg-url` or BENCH_PG_URL). */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PostgresInfo {
  /** `SHOW server_version`. */
  version: string;
  /** The server's pool size as configured in dist/db/database.js (a number, or the expression found there). */
  poolMax: number | string;
  /** The most connections the server held open to the run's database, sampled every 250 ms. */
  peakConnections: number;
  /** Seconds to make the database: the copy (or the clone of the cached template). */
  setupSeconds: number;
  fromTemplate: boolean;
}

export interface BenchDatabase {
  url: string;
  name: string;
  info: PostgresInfo;
  /** Whether PostgreSQL still runs queries on the run's database (queued work after a load run). */
  busy: () => Promise<boolean>;
  /** Starts counting the server's connections (pg_stat_activity); call the result to stop. */
  watchConnections(): () => void;
  drop(): Promise<void>;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The pool size the built server uses: read from its code, so the report never states a stale figure. */
export function configuredPoolMax(): number | string {
  const file = path.join(ROOT, 'dist', 'db', 'database.js');
  try {
    const code = fs.readFileSync(file, 'utf8');
    const m = /new pg\.Pool\(\{[^}]*?\bmax:\s*([^,}\n]+)/.exec(code);
    if (!m) return 'unknown (pg default 10)';
    const expr = m[1]!.trim();
    return /^\d+$/.test(expr) ? Number(expr) : expr;
  } catch {
    return 'unknown';
  }
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Copies `sqliteFile` into the (new, empty) database at `url` with the built migration tool, then VACUUM ANALYZE. */
async function copyInto(sqliteFile: string, url: string): Promise<void> {
  const entry = path.join(ROOT, 'dist', 'cli', 'sqlite-to-postgres.js');
  const tool = (await import(pathToFileURL(entry).href)) as typeof import('../src/cli/sqlite-to-postgres.js');
  await tool.copySqliteToPostgres(sqliteFile, url, (line) => {
    if (/^(todos|events|memos|messages|conversations):|rebuilding/.test(line)) log(`postgres: ${line}`);
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('vacuum (analyze)');
  } finally {
    await client.end();
  }
}

/** What identifies a dataset: a template made from another one is never reused. */
function datasetKey(manifest: Manifest): string {
  const id = JSON.stringify([
    manifest.version,
    manifest.scale,
    manifest.seed,
    manifest.generatedAt,
    manifest.migrations,
  ]);
  return crypto.createHash('sha256').update(id).digest('hex').slice(0, 12);
}

/**
 * A fresh database holding the dataset. `cache`: keep (and reuse) a template of it for later
 * runs; the tiny smoke dataset is simply copied each time.
 */
export async function createBenchDatabase(opts: {
  adminUrl: string;
  sqliteFile: string;
  manifest: Manifest;
  cache: boolean;
}): Promise<BenchDatabase> {
  const started = Date.now();
  const name = `clawchat_bench_${process.pid}`;
  const url = withDatabase(opts.adminUrl, name);
  const template = `clawchat_bench_tpl_${datasetKey(opts.manifest)}`;
  let fromTemplate = false;

  const version = await admin(opts.adminUrl, async (client) => {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    // A database left by a run that crashed with the same pid.
    await client.query(`drop database if exists ${quoteIdent(name)} with (force)`);
    return rows[0]!.server_version;
  });

  if (opts.cache) {
    const ready = await admin(opts.adminUrl, async (client) => {
      const { rows } = await client.query<{ comment: string | null }>(
        `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
        [template],
      );
      return rows[0]?.comment === 'complete';
    });
    if (!ready) {
      log(`postgres: copying the dataset into ${template} (once per dataset; later runs clone it)`);
      await admin(opts.adminUrl, async (client) => {
        // Templates of older datasets, and a half-made one of this dataset.
        const { rows } = await client.query<{ datname: string }>(
          `select datname from pg_database where datname like 'clawchat\\_bench\\_tpl\\_%'`,
        );
        for (const r of rows) {
          await client.query(`alter database ${quoteIdent(r.datname)} is_template false`);
          await client.query(`drop database ${quoteIdent(r.datname)} with (force)`);
        }
        await client.query(`create database ${quoteIdent(template)}`);
      });
      await copyInto(opts.sqliteFile, withDatabase(opts.adminUrl, template));
      await admin(opts.adminUrl, async (client) => {
        await client.query(`alter database ${quoteIdent(template)} is_template true`);
        await client.query(`comment on database ${quoteIdent(template)} is 'complete'`);
      });
    }
    await admin(opts.adminUrl, (client) =>
      client.query(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`),
    );
    fromTemplate = ready;
  } else {
    await admin(opts.adminUrl, (client) => client.query(`create database ${quoteIdent(name)}`));
    await copyInto(opts.sqliteFile, url);
  }
  const setupSeconds = round((Date.now() - started) / 1000, 1);
  log(
    `postgres: database ${name} ready in ${setupSeconds} s${fromTemplate ? ' (cloned from the cached template)' : ''}`,
  );

  const info: PostgresInfo = {
    version,
    poolMax: configuredPoolMax(),
    peakConnections: 0,
    setupSeconds,
    fromTemplate,
  };
  // One connection to the admin database for the harness's own questions (never counted as the server's).
  let monitor: Promise<pg.Client> | null = null;
  // One question at a time: pg deprecates overlapping queries on one client.
  let last: Promise<unknown> = Promise.resolve();
  const ask = (text: string): Promise<number> => {
    monitor ??= (async () => {
      const client = new pg.Client({ connectionString: opts.adminUrl });
      await client.connect();
      return client;
    })();
    const client = monitor;
    const answer = last
      .catch(() => undefined)
      .then(async () => {
        const res = await (await client).query<{ n: string }>(text, [name]);
        return Number(res.rows[0]?.n ?? 0);
      });
    last = answer;
    return answer;
  };
  return {
    url,
    name,
    info,
    busy: async () =>
      (await ask(
        `select count(*) as n from pg_stat_activity where datname = $1 and state not in ('idle', 'idle in transaction')`,
      )) > 0,
    watchConnections() {
      let pending = false; // a loaded database answers late: never queue a second count
      const timer = setInterval(() => {
        if (pending) return;
        pending = true;
        ask('select count(*) as n from pg_stat_activity where datname = $1')
          .then(
            (n) => (info.peakConnections = Math.max(info.peakConnections, n)),
            () => undefined,
          )
          .finally(() => (pending = false));
      }, 250);
      return () => clearInterval(timer);
    },
    async drop() {
      if (monitor) await (await monitor).end().catch(() => undefined);
      await admin(opts.adminUrl, (client) =>
        client.query(`drop database if exists ${quoteIdent(name)} with (force)`),
      );
    },
  };
}
