/**
 * `npm run migrate:sqlite-to-pg -- <sqlite file> [postgres url]`: copies a ClawChat SQLite
 * database into an empty PostgreSQL one (DATABASE_URL, or the second argument), for the move to
 * several instances (docs/SCALE-OUT.md).
 *
 * - Both databases are brought to the same migration (the SQLite file as the server would at
 *   start-up; PostgreSQL gets the whole history), and the target must hold no data yet.
 * - Every table is copied in foreign-key order (read from PostgreSQL's catalog, so tables added
 *   by later migrations are never skipped), in batches, with ids kept as they are.
 * - All in one PostgreSQL transaction: a failure leaves the target as it was. The search
 *   triggers are off during the copy and the index is rebuilt once at the end; sequences are
 *   moved past the copied ids.
 *
 * Stop the server first: writes made to the SQLite file during the copy would not be copied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql, type Kysely, type Transaction } from 'kysely';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';
import { rebuildPostgresSearch } from '../db/migrations/0004_postgres_search.js';

const BATCH_ROWS = 500;
/** Kysely's bookkeeping and state the migrations derive (search documents, counters): never copied. */
const SKIPPED = new Set([
  'kysely_migration',
  'kysely_migration_lock',
  'search_docs',
  'series_generation',
  'row_counts',
]);
/** Triggers that keep `search_docs` in step; off during the copy, the index is rebuilt after it. */
const SEARCH_SOURCES = ['todos', 'events', 'memos', 'messages'];

export interface CopyReport {
  tables: Array<{ table: string; rows: number }>;
}

type Log = (line: string) => void;

/** The tables of the PostgreSQL database, parents before children. */
async function tablesInOrder(db: Kysely<any>): Promise<string[]> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  const { rows: links } = await sql<{ child: string; parent: string }>`
    select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where c.contype = 'f' and n.nspname = current_schema()`.execute(db);
  const names = tables
    .map((t) => t.name)
    .filter((t) => !SKIPPED.has(t))
    .sort();
  const parents = new Map(names.map((t) => [t, new Set<string>()]));
  for (const { child, parent } of links) if (child !== parent) parents.get(child)?.add(parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < names.length) {
    const next = names.find(
      (t) => !placed.has(t) && [...parents.get(t)!].every((p) => placed.has(p) || !parents.has(p)),
    );
    if (!next) throw new Error('The foreign keys between tables form a cycle; cannot order the copy');
    ordered.push(next);
    placed.add(next);
  }
  return ordered;
}

async function columnsOf(db: Kysely<any>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
  return rows.map((r) => r.name);
}

/** Moves every sequence owned by a column of `table` past the largest copied value. */
async function advanceSequences(trx: Transaction<any>, table: string): Promise<void> {
  const { rows } = await sql<{ column: string; seq: string }>`
    select a.attname as column, pg_get_serial_sequence(${table}, a.attname) as seq
    from pg_attribute a
    where a.attrelid = ${table}::regclass and a.attnum > 0 and not a.attisdropped
      and pg_get_serial_sequence(${table}, a.attname) is not null`.execute(trx);
  for (const { column, seq } of rows)
    await sql`select setval(${seq}, coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(
      trx,
    );
}

/** Copies the SQLite database in `sqliteFile` into the (empty) PostgreSQL database at `postgresUrl`. */
export async function copySqliteToPostgres(
  sqliteFile: string,
  postgresUrl: string,
  log: Log = () => undefined,
): Promise<CopyReport> {
  if (!fs.existsSync(sqliteFile)) throw new Error(`No SQLite database at ${sqliteFile}`);
  // The source as the server would leave it at start-up: every migration applied.
  const source = await createDatabase({ kind: 'sqlite', file: path.resolve(sqliteFile) });
  const target = await createDatabase({ kind: 'postgres', url: postgresUrl });
  try {
    const tables = await tablesInOrder(target.db);
    const sourceTables = new Set(
      source
        .sqlite!.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`)
        .all()
        .map((r) => (r as { name: string }).name),
    );
    const missing = tables.filter((t) => !sourceTables.has(t));
    if (missing.length)
      throw new Error(`The SQLite database has no table ${missing.join(', ')}; is it a ClawChat database?`);

    for (const table of tables) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(
        target.db,
      );
      if (Number(rows[0]?.n ?? 0) > 0)
        throw new Error(
          `The PostgreSQL database is not empty (table ${table} has rows); copy into a new database`,
        );
    }

    const report: CopyReport = { tables: [] };
    await target.db.transaction().execute(async (trx) => {
      // Tables by name, as the catalog lists them.
      const untyped: Kysely<any> = trx;
      // Links within a table (a subtask moved under a newer todo) are checked at commit.
      await sql`set constraints all deferred`.execute(trx);
      for (const table of SEARCH_SOURCES)
        await sql`alter table ${sql.table(table)} disable trigger user`.execute(trx);
      for (const table of tables) {
        const columns = await columnsOf(trx, table);
        const select = source.sqlite!.prepare(
          `select ${columns.map((c) => `"${c}"`).join(', ')} from "${table}" order by rowid`,
        );
        let batch: Record<string, unknown>[] = [];
        let copied = 0;
        const flush = async () => {
          if (batch.length === 0) return;
          await untyped.insertInto(table).values(batch).execute();
          copied += batch.length;
          batch = [];
        };
        for (const row of select.iterate()) {
          batch.push(row as Record<string, unknown>);
          if (batch.length >= BATCH_ROWS) await flush();
        }
        await flush();
        await advanceSequences(trx, table);
        report.tables.push({ table, rows: copied });
        log(`${table}: ${copied} row${copied === 1 ? '' : 's'}`);
      }
      // The deferred checks run now: ALTER TABLE refuses a table with checks still pending.
      await sql`set constraints all immediate`.execute(trx);
      for (const table of SEARCH_SOURCES)
        await sql`alter table ${sql.table(table)} enable trigger user`.execute(trx);
      log('rebuilding the search index...');
      await rebuildPostgresSearch(trx);
      // The count triggers of migration 0014 were off with the others.
      await sql`update row_counts set n = (select count(*) from todos) where name = 'todos'`.execute(trx);
    });
    return report;
  } finally {
    await source.close();
    await target.close();
  }
}

async function main(): Promise<void> {
  const [file, url] = process.argv.slice(2).filter((a) => a !== '--');
  if (!file) {
    console.error(
      'usage: npm run migrate:sqlite-to-pg -- <sqlite file> [postgres://... (default: DATABASE_URL)]',
    );
    process.exit(2);
  }
  const target = url ?? loadConfig().database;
  const postgresUrl = typeof target === 'string' ? target : target.kind === 'postgres' ? target.url : null;
  if (!postgresUrl || !/^postgres(ql)?:\/\//.test(postgresUrl)) {
    console.error(
      'The target must be PostgreSQL: set DATABASE_URL=postgres://... or pass the URL after the file',
    );
    process.exit(2);
  }
  const started = Date.now();
  const report = await copySqliteToPostgres(file, postgresUrl, (line) => console.log(line));
  const rows = report.tables.reduce((n, t) => n + t.rows, 0);
  console.log(
    `Copied ${rows} rows in ${report.tables.length} tables in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
