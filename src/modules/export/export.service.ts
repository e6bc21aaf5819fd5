/**
 * GET /api/export: the whole document written as it is read, one page of one table at a time
 * (keyset pagination on each table's key), so memory holds one page, never the document.
 * Attachment files follow inline as base64, read in chunks. Rows written while the export runs
 * may or may not be in it; no row appears twice.
 */
import fs from 'node:fs';
import { sql, type Kysely } from 'kysely';
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

const PAGE = 500;
// A multiple of 3, so that each chunk encodes to base64 without padding in the middle.
const FILE_CHUNK = 3 * 64 * 1024;

type Row = Record<string, unknown>;

export interface ExportDeps {
  db: Kysely<DB>;
  clock: Clock;
  store: Pick<FileStore, 'pathOf'>;
}

export function createExporter(deps: ExportDeps) {
  const { db } = deps;

  async function page(t: TableSpec, after: string | null): Promise<Row[]> {
    // Table and column names come from TABLES, never from a request.
    let q = db
      .selectFrom(sql.table(t.name).as('t'))
      .select(columnsOf(t).map((c) => sql.ref(`t.${c}`).as(c)))
      .orderBy(sql.ref(`t.${t.key}`))
      .limit(PAGE);
    if (after !== null) q = q.where(sql.ref(`t.${t.key}`), '>', after);
    if (t.name === 'settings') q = q.where(sql.ref('t.key'), 'in', [...EXPORTED_SETTINGS]);
    const rows = (await q.execute()) as Row[];
    for (const row of rows)
      for (const c of BIGINT_COLUMNS) if (typeof row[c] === 'string') row[c] = Number(row[c]);
    return rows;
  }

  async function* rowsOf(t: TableSpec): AsyncGenerator<Row> {
    let after: string | null = null;
    for (;;) {
      const rows = await page(t, after);
      yield* rows;
      if (rows.length < PAGE) return;
      after = String(rows[rows.length - 1]![t.key]);
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
      const head = { format: FORMAT, version: VERSION, exported_at: deps.clock.now().toISOString() };
      yield JSON.stringify(head).slice(0, -1) + ',"tables":{';
      for (const [i, t] of TABLES.entries()) {
        yield `${i ? ',' : ''}${JSON.stringify(t.name)}:[`;
        let first = true;
        for await (const row of rowsOf(t)) {
          yield (first ? '' : ',') + JSON.stringify(row);
          first = false;
        }
        yield ']';
      }
      // Each attachment's bytes, or null when its file is missing (the import then skips the row).
      yield '},"attachments_data":{';
      let first = true;
      for await (const row of rowsOf(TABLES.find((t) => t.name === 'attachments')!)) {
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
    },
  };
}
