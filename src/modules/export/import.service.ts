/**
 * POST /api/import: an export document (export.format.ts) written into this server in one
 * transaction. Ids are kept; a row whose key already exists is skipped and counted. Every row is
 * checked before anything is written, and a row the database refuses (a reference to nothing)
 * rolls everything back: either the whole document is in, or nothing is.
 */
import { Readable } from 'node:stream';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import type { FileStore } from '../attachments/storage.js';
import {
  FORMAT,
  READABLE_VERSIONS,
  TABLES,
  type ExportTable,
  type TableSpec,
  rowCheck,
  tablesOf,
} from './export.format.js';
import { rowProblem, type CheckLimits } from './import.checks.js';

type Row = Record<string, unknown>;
type Counts = Record<ExportTable, number>;

export interface ImportResult {
  imported: Counts;
  skipped: Counts;
}

export interface ImportDeps {
  db: Kysely<DB>;
  store: Pick<FileStore, 'receive' | 'remove'>;
  /** Called after a successful import, so cached settings (the timezone) are read again. */
  afterImport: () => Promise<unknown>;
  limits: CheckLimits;
}

const CHUNK = 200;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const invalid = (message: string, details: Record<string, unknown>) =>
  new AppError('VALIDATION_ERROR', message, details);

/** A chunk the database refused: the import is run again row by row to say which row. */
class BatchRefused extends Error {
  constructor(readonly original: unknown) {
    super('batch refused');
  }
}

/** Each row's index in its table as the document lists it (todos are reordered, parents first). */
const positions = new WeakMap<Row, number>();

/** One attempt at writing the document. */
interface WriteRun {
  result: ImportResult;
  /** Attachment ids whose rows went in: their files are kept. */
  inserted: Set<string>;
  /** Notification ids skipped because their dedupe key was taken here under another id. */
  notWritten: Set<string>;
  /** Row by row, to name the row the database refuses. */
  oneByOne: boolean;
}

const zero = (): Counts => Object.fromEntries(TABLES.map((t) => [t.name, 0])) as Counts;

/**
 * Parents before their subtasks, whatever order the document lists them in. A loop, not
 * recursion: a chain of subtasks may be thousands deep.
 */
function parentsFirst(rows: Row[]): Row[] {
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  const out: Row[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  rows.forEach((row, index) => {
    const chain: Row[] = [];
    for (let at: Row | undefined = row; at && state.get(at.id as string) !== 'done';) {
      const id = at.id as string;
      if (state.get(id) === 'visiting')
        throw invalid('todos: parent_id forms a cycle', {
          table: 'todos',
          row: positions.get(at) ?? index,
          id,
        });
      state.set(id, 'visiting');
      chain.push(at);
      at = byId.get(at.parent_id as string);
    }
    for (const r of chain.reverse()) {
      state.set(r.id as string, 'done');
      out.push(r);
    }
  });
  return out;
}

/** A row's key as one comparable value (event_overrides have a two-column key). */
const keyOf = (t: TableSpec, row: Row): string => JSON.stringify(t.key.map((k) => row[k]));

/** Rows into `t`'s table; the table is named at run time, so its row type is not known here. */
async function insertInto(trx: Transaction<DB>, t: TableSpec, rows: Row[]): Promise<void> {
  await trx
    .insertInto(t.name as never)
    .values(rows)
    .execute();
}

/** Checks the document's shape and every row; throws a 400 naming the first bad table and row. */
function readDocument(
  doc: unknown,
  limits: CheckLimits,
): {
  tables: Map<ExportTable, Row[]>;
  files: Record<string, string | null>;
} {
  if (typeof doc !== 'object' || doc === null)
    throw invalid('The body must be an export document', { field: 'body' });
  const d = doc as Record<string, unknown>;
  if (d.format !== FORMAT) throw invalid(`format must be "${FORMAT}"`, { field: 'format' });
  if (typeof d.version !== 'number' || !READABLE_VERSIONS.includes(d.version))
    throw invalid(`Only version ${READABLE_VERSIONS.join(' or ')} documents can be imported`, {
      field: 'version',
    });
  const readable = tablesOf(d.version);
  const tables = d.tables;
  if (typeof tables !== 'object' || tables === null || Array.isArray(tables))
    throw invalid('tables must be an object of arrays', { field: 'tables' });
  const known = new Set<string>(readable.map((t) => t.name));
  for (const name of Object.keys(tables))
    if (!known.has(name)) throw invalid(`Unknown table ${name}`, { table: name });
  const out = new Map<ExportTable, Row[]>();
  for (const t of readable) {
    const rows = (tables as Record<string, unknown>)[t.name] ?? [];
    if (!Array.isArray(rows)) throw invalid(`tables.${t.name} must be an array`, { table: t.name });
    const check = rowCheck(t);
    const seen = new Set<unknown>();
    rows.forEach((row: unknown, index) => {
      if (!check.Check(row)) {
        const e = check.Errors(row).First();
        const field = e?.path.replace(/^\//, '') || undefined;
        throw invalid(
          `${t.name} row ${index}: ${field ?? 'row'} ${e?.message ?? 'is invalid'}`.toLowerCase(),
          {
            table: t.name,
            row: index,
            field,
          },
        );
      }
      const bad = rowProblem(t, row, limits);
      if (bad)
        throw invalid(`${t.name} row ${index}: ${bad.field} ${bad.message}`, {
          table: t.name,
          row: index,
          field: bad.field,
        });
      const key = keyOf(t, row);
      if (seen.has(key))
        throw invalid(`${t.name} row ${index}: ${t.key.join(', ')} ${key} appears twice`, {
          table: t.name,
          row: index,
        });
      seen.add(key);
      positions.set(row, index);
    });
    out.set(t.name, t.name === 'todos' ? parentsFirst(rows as Row[]) : (rows as Row[]));
  }
  const files = d.attachments_data ?? {};
  if (typeof files !== 'object' || files === null || Array.isArray(files))
    throw invalid('attachments_data must be an object', { field: 'attachments_data' });
  const data = files as Record<string, unknown>;
  (out.get('attachments') ?? []).forEach((row, index) => {
    const b64 = data[row.id as string];
    if (b64 === null) return;
    if (typeof b64 !== 'string' || !BASE64.test(b64))
      throw invalid(`attachments row ${index}: attachments_data holds no base64 for ${String(row.id)}`, {
        table: 'attachments',
        row: index,
        field: 'attachments_data',
      });
    const size = Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
    if (size !== row.size_bytes)
      throw invalid(
        `attachments row ${index}: the file holds ${size} bytes, size_bytes says ${String(row.size_bytes)}`,
        {
          table: 'attachments',
          row: index,
          field: 'size_bytes',
        },
      );
  });
  return { tables: out, files: data as Record<string, string | null> };
}

export function createImporter(deps: ImportDeps) {
  /** The keys (as keyOf writes them) among `chunk` that this server already holds. */
  async function existing(trx: Transaction<DB>, t: TableSpec, chunk: Row[]): Promise<Set<string>> {
    const [first, second] = t.key;
    let q = trx.selectFrom(sql.table(t.name).as('t')).select(t.key.map((k) => sql.ref(`t.${k}`).as(k)));
    q =
      second === undefined
        ? q.where(sql.ref(`t.${first!}`), 'in', chunk.map((r) => r[first!]) as string[])
        : q.where((eb) =>
            eb.or(
              chunk.map((r) =>
                eb.and([
                  eb(sql.ref(`t.${first!}`), '=', r[first!] as string),
                  eb(sql.ref(`t.${second}`), '=', r[second] as string),
                ]),
              ),
            ),
          );
    return new Set((await q.execute()).map((r) => keyOf(t, r)));
  }

  /** Notifications whose dedupe key this server already decided (under another id). */
  async function decided(trx: Transaction<DB>, chunk: Row[]): Promise<Set<string>> {
    const rows = await trx
      .selectFrom('notifications')
      .select('dedupe_key')
      .where(
        'dedupe_key',
        'in',
        chunk.map((r) => r.dedupe_key as string),
      )
      .execute();
    return new Set(rows.map((r) => r.dedupe_key));
  }

  async function insertTable(trx: Transaction<DB>, t: TableSpec, rows: Row[], run: WriteRun) {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const have = await existing(trx, t, chunk);
      // A notification's dedupe key is unique too: one already decided here is not decided twice.
      const dupes = t.name === 'notifications' ? await decided(trx, chunk) : new Set<string>();
      let fresh = chunk.filter((row) => !have.has(keyOf(t, row)) && !dupes.has(row.dedupe_key as string));
      if (t.name === 'notifications')
        for (const row of chunk)
          if (dupes.has(row.dedupe_key as string)) run.notWritten.add(row.id as string);
      // A key of a notification left out above still counts as decided, by no notification here.
      if (t.name === 'notification_keys')
        fresh = fresh.map((row) =>
          run.notWritten.has(row.notification_id as string) ? { ...row, notification_id: null } : row,
        );
      run.result.skipped[t.name] += chunk.length - fresh.length;
      if (fresh.length === 0) continue;
      if (run.oneByOne) {
        for (const row of fresh) await insertRow(trx, t, row, positions.get(row) ?? -1);
      } else {
        try {
          await insertInto(trx, t, fresh);
        } catch (err) {
          throw new BatchRefused(err);
        }
      }
      run.result.imported[t.name] += fresh.length;
      if (t.name === 'attachments') for (const row of fresh) run.inserted.add(row.id as string);
    }
  }

  async function insertRow(trx: Transaction<DB>, t: TableSpec, row: Row, index: number): Promise<void> {
    try {
      await insertInto(trx, t, [row]);
    } catch (err) {
      throw invalid(`${t.name} row ${index}: the database refused it (${(err as Error).message})`, {
        table: t.name,
        row: index,
        id: keyOf(t, row),
      });
    }
  }

  /**
   * One transaction over every table; rows go in 200 at a time, or one by one to name a refused
   * row. `placeFiles` runs last inside it, so a file that cannot be put in place undoes the rows.
   */
  async function writeAll(
    tables: Map<ExportTable, Row[]>,
    oneByOne: boolean,
    placeFiles: (attachmentIds: Set<string>) => Promise<void>,
  ) {
    const run: WriteRun = {
      result: { imported: zero(), skipped: zero() },
      inserted: new Set(),
      notWritten: new Set(),
      oneByOne,
    };
    await deps.db.transaction().execute(async (trx) => {
      for (const t of TABLES) await insertTable(trx, t, tables.get(t.name) ?? [], run);
      await placeFiles(run.inserted);
    });
    return run;
  }

  return {
    async run(doc: unknown): Promise<ImportResult> {
      const { tables, files } = readDocument(doc, deps.limits);
      // Attachments whose bytes are missing from the export cannot be restored: skipped.
      const attachments = tables.get('attachments') ?? [];
      const withFile = attachments.filter((r) => files[r.id as string] !== null);
      tables.set('attachments', withFile);
      // Files go to temporary names first; only those whose rows committed are kept.
      const received = new Map<string, Awaited<ReturnType<ImportDeps['store']['receive']>>>();
      const kept = new Set<string>();
      try {
        for (const row of withFile) {
          const bytes = Buffer.from(files[row.id as string]!, 'base64');
          received.set(row.id as string, await deps.store.receive(Readable.from([bytes])));
        }
        // As an upload does: the file is in place before its row commits (a crash between the
        // two leaves a file without a row, which the start-up sweep removes; never the reverse).
        const placeFiles = async (attachmentIds: Set<string>) => {
          for (const id of attachmentIds) {
            await received.get(id)!.commit(id);
            kept.add(id);
          }
        };
        const written = await writeAll(tables, false, placeFiles)
          .catch((err: unknown) => {
            if (err instanceof BatchRefused) return writeAll(tables, true, placeFiles);
            throw err;
          })
          .catch(async (err: unknown) => {
            // The rows did not commit: the files already put in place for them go too.
            for (const id of kept) await deps.store.remove(id);
            kept.clear();
            throw err;
          });
        written.result.skipped.attachments += attachments.length - withFile.length;
        await deps.afterImport();
        return written.result;
      } finally {
        for (const [id, file] of received) if (!kept.has(id)) await file.discard();
      }
    },
  };
}
