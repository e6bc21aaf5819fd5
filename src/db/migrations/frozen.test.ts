/**
 * Applied migrations are frozen. A database that ran a migration never runs it again, so a change
 * to what an old migration does reaches only fresh databases, and the two drift apart without
 * any error. This test makes such a change loud: it compiles the SQL every migration's `up` and
 * `down` issue, on both dialects and without a database, and compares it with the committed
 * snapshot (`__snapshots__/frozen.test.ts.snap`, where a reviewer reads the SQL). If it fails
 * because you edited a migration (or something under `frozen/` that one imports): applied
 * migrations are frozen; undo that and write a new migration instead. A refactor that keeps the
 * SQL byte for byte passes unchanged.
 *
 * The recorder answers every query with no rows, which is what a fresh database gives the few
 * migrations that read before they write. The one whose statements depend on what it reads
 * (0004 asks PostgreSQL which extensions exist) is also recorded with the other answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Dialect } from '../database.js';
import { migrations } from './index.js';

type Answer = (query: CompiledQuery) => unknown[];

/** A Kysely instance that runs nothing: it writes down each compiled query and answers `answer(query)`. */
function recordingKysely(dialect: Dialect, answer: Answer): { db: Kysely<any>; log: string[] } {
  const log: string[] = [];
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      log.push(
        query.parameters.length === 0
          ? `${query.sql};`
          : `${query.sql};\n-- parameters: ${JSON.stringify(query.parameters)}`,
      );
      return { rows: answer(query) as R[] };
    },
    streamQuery: () => {
      throw new Error('a migration streamed a query');
    },
  };
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    // Recorded, because running in one transaction is part of what a migration promises.
    beginTransaction: async () => void log.push('begin;'),
    commitTransaction: async () => void log.push('commit;'),
    rollbackTransaction: async () => void log.push('rollback;'),
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  const kyselyDialect: KyselyDialect =
    dialect === 'sqlite'
      ? {
          createAdapter: () => new SqliteAdapter(),
          createDriver: () => driver,
          createQueryCompiler: () => new SqliteQueryCompiler(),
          createIntrospector: (db) => new SqliteIntrospector(db),
        }
      : {
          createAdapter: () => new PostgresAdapter(),
          createDriver: () => driver,
          createQueryCompiler: () => new PostgresQueryCompiler(),
          createIntrospector: (db) => new PostgresIntrospector(db),
        };
  return { db: new Kysely<any>({ dialect: kyselyDialect }), log };
}

const noRows: Answer = () => [];

/** Migrations whose statements depend on what they read, and the other answers to record. */
const OTHER_ANSWERS: Record<string, { dialect: Dialect; label: string; answer: Answer }[]> = {
  '0004_postgres_search': [
    {
      dialect: 'postgres',
      label: 'unaccent and pg_trgm available',
      answer: (q) => (q.sql.includes('pg_available_extensions') ? [{ n: 1 }] : []),
    },
  ],
};

async function recordMigration(
  name: string,
  dialect: Dialect,
  direction: 'up' | 'down',
  answer: Answer,
): Promise<string> {
  const { db, log } = recordingKysely(dialect, answer);
  try {
    const migration = migrations(dialect)[name]!;
    await (direction === 'up' ? migration.up(db) : migration.down!(db));
  } finally {
    await db.destroy();
  }
  return log.length === 0 ? '(nothing)' : log.join('\n\n');
}

async function recordAll(name: string): Promise<string> {
  const sections: string[] = [];
  for (const dialect of ['sqlite', 'postgres'] as const)
    for (const direction of ['up', 'down'] as const) {
      const plain = await recordMigration(name, dialect, direction, noRows);
      sections.push(`-- ==== ${dialect} ${direction} ====\n\n${plain}`);
      // Another answer gets its own section only where it changes the statements.
      for (const other of OTHER_ANSWERS[name] ?? []) {
        if (other.dialect !== dialect) continue;
        const statements = await recordMigration(name, dialect, direction, other.answer);
        if (statements !== plain)
          sections.push(`-- ==== ${dialect} ${direction} (${other.label}) ====\n\n${statements}`);
      }
    }
  return `${sections.join('\n\n')}\n`;
}

const NAMES = Object.keys(migrations('sqlite'));
const HERE = path.dirname(fileURLToPath(import.meta.url));

describe('applied migrations are frozen', () => {
  // 0005 stores the clock; a fixed one keeps its recorded parameter stable.
  beforeEach(() => void vi.spyOn(Date, 'now').mockReturnValue(0));
  afterEach(() => void vi.restoreAllMocks());

  it('lists the same migrations for both dialects', () => {
    expect(Object.keys(migrations('postgres'))).toEqual(NAMES);
  });

  it('has exactly one recorded entry per migration (an entry removed would be recorded afresh)', () => {
    const snapshot = fs.readFileSync(path.join(HERE, '__snapshots__', 'frozen.test.ts.snap'), 'utf8');
    const recorded = [...snapshot.matchAll(/^exports\[`applied migrations are frozen > (\S+) issues/gm)].map(
      (m) => m[1],
    );
    expect(recorded, 'a migration without its recorded SQL').toEqual(NAMES);
  });

  it.each(NAMES)('%s issues the SQL it was released with', async (name) => {
    expect(
      await recordAll(name),
      `${name} was applied and is frozen: undo the change and write a new migration instead`,
    ).toMatchSnapshot();
  });

  it('imports only kysely, the Dialect type and frozen/ (never another migration or live code)', () => {
    // What a migration may import, and what a module under frozen/ may import.
    const rules: [dir: string, allowed: RegExp][] = [
      ['.', /^(kysely|\.\.\/database\.js|\.\/frozen\/[\w.-]+\.js)$/],
      ['frozen', /^(kysely|\.\.\/\.\.\/database\.js|\.\/[\w.-]+\.js)$/],
    ];
    for (const [dir, allowed] of rules) {
      const folder = path.join(HERE, dir);
      const files = fs.readdirSync(folder).filter((f) => /^[\w.-]+\.ts$/.test(f) && !f.endsWith('.test.ts'));
      for (const file of files.filter((f) => f !== 'index.ts' || dir !== '.')) {
        const source = fs.readFileSync(path.join(folder, file), 'utf8');
        for (const [, spec] of source.matchAll(/from '([^']+)'/g))
          expect(spec, `${dir}/${file} imports ${spec}`).toMatch(allowed);
      }
    }
  });
});
