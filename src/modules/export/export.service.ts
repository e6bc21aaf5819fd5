/**
 * GET /api/export: the whole document written as it is read, one page of one table at a time
 * (keyset pagination on each table's key), so memory holds one page, never the document.
 * Attachment files follow inline as base64, read in chunks. Every page is read from one
 * snapshot (export.snapshot.ts): the document is the data as it was at one instant.
 */
import fs from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { FileStore } from '../attachments/storage.js';
import {
  BIGINT_COLUMNS,
  EXPORTED_SETTINGS,
  FORMAT,
  TABLES,
  type TableSpec,
  VERSION,
  columnsOf,
} from './export.format.js';
import { openSnapshot } from './export.snapshot.js';

const PAGE = 500;
// A multiple of 3, so that each chunk encodes to base64 without padding in the middle.
const FILE_CHUNK = 3 * 64 * 1024;

type Row = Record<string, unknown>;

export interface ExportDeps {
  database: Pick<Database, 'db' | 'dialect' | 'sqlite'>;
  clock: Clock;
  store: Pick<FileStore, 'pathOf'>;
}

export function createExporter(deps: ExportDeps) {
  async function page(db: Kysely<DB>, t: TableSpec, after: Row | null): Promise<Row[]> {
    // Table and column names come from TABLES, never from a request.
    const [first, second] = t.key as [string, string | undefined];
    let q = db
      .selectFrom(sql.table(t.name).as('t'))
      .select(columnsOf(t).map((c) => sql.ref(`t.${c}`).as(c)))
      .limit(PAGE);
    for (const k of t.key) q = q.orderBy(sql.ref(`t.${k}`));
    if (after !== null && second === undefined) q = q.where(sql.ref(`t.${first}`), '>', after[first]);
    // (a, b) > (x, y), spelled out: both databases use the primary key's index for it.
    if (after !== null && second !== undefined)
      q = q.where((eb) =>
        eb.or([
          eb(sql.ref(`t.${first}`), '>', after[first]),
          eb.and([
            eb(sql.ref(`t.${first}`), '=', after[first]),
            eb(sql.ref(`t.${second}`), '>', after[second]),
          ]),
        ]),
      );
    if (t.name === 'settings') q = q.where(sql.ref('t.key'), 'in', [...EXPORTED_SETTINGS]);
    const rows = (await q.execute()) as Row[];
    for (const row of rows)
      for (const c of BIGINT_COLUMNS) if (typeof row[c] === 'string') row[c] = Number(row[c]);
    return rows;
  }

  async function* rowsOf(db: Kysely<DB>, t: TableSpec): AsyncGenerator<Row> {
    let after: Row | null = null;
    for (;;) {
      const rows = await page(db, t, after);
      yield* rows;
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!;
    }
  }

  async function* fileBase64(id: string): AsyncGenerator<string> {
    const stream = fs.createReadStream(deps.store.pathOf(id), { highWaterMark: FILE_CHUNK });
    for await (const chunk of stream) yield (chunk as Buffer).toString('base64');
  }

  const exists = (file: string) =>
    fs.promises.access(file).then(
      () => true,
      () => false,
    );

  return {
    /** The document as a sequence of text pieces (docs/EXPORT.md). */
    async *document(): AsyncGenerator<string> {
      // Opened on the first read of the response, closed when it ends or the client goes away.
      const snapshot = await openSnapshot(deps.database);
      try {
        yield* write(snapshot.db);
      } finally {
        await snapshot.close();
      }
    },
  };

  async function* write(db: Kysely<DB>): AsyncGenerator<string> {
    const head = { format: FORMAT, version: VERSION, exported_at: deps.clock.now().toISOString() };
    yield JSON.stringify(head).slice(0, -1) + ',"tables":{';
    for (const [i, t] of TABLES.entries()) {
      yield `${i ? ',' : ''}${JSON.stringify(t.name)}:[`;
      let first = true;
      for await (const row of rowsOf(db, t)) {
        yield (first ? '' : ',') + JSON.stringify(row);
        first = false;
      }
      yield ']';
    }
    // Each attachment's bytes, or null when its file is missing (the import then skips the row).
    yield '},"attachments_data":{';
    let first = true;
    for await (const row of rowsOf(
      db,
      TABLES.find((t) => t.name === 'attachments')!,
    )) {
      const id = String(row.id);
      yield `${first ? '' : ','}${JSON.stringify(id)}:`;
      first = false;
      if (!(await exists(deps.store.pathOf(id)))) {
        yield 'null';
        continue;
      }
      yield '"';
      for await (const piece of fileBase64(id)) yield piece;
      yield '"';
    }
    yield '}}';
  }
}
