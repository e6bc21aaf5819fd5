/**
 * PostgreSQL search (migration 0004, `createPostgresSearchBackend`) against SQLite's FTS5: the
 * same documents and queries must find the same items on both, whatever the suite's database.
 * Skips with a printed reason when PostgreSQL is unreachable (never in CI).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo } from '../../../test/helpers/legacy-rows.js';
import { unmigratedPostgres, writeLegacySearchRows } from '../../../test/helpers/old-databases.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { missingServices } from '../../../test/helpers/services.js';
import { prefixTsQuery } from './search.repository.js';

const missing = await missingServices(['postgres'], 'PostgreSQL search');

/** Texts whose tokenising differs between naive parsers; each query below must agree on both. */
const DOCS = [
  'Meet at Café Müller',
  'the resume is at the cafe',
  'cafe\u0301 noir, decomposed',
  'visit example.com today',
  'write to kim@example.org soon',
  'see https://github.com/acme/rocket for details',
  'pi is about 3.14 and e is 2.71',
  'release v1.2.3 shipped',
  'Привет, мир',
  'ΣΟΦΙΑ lecture notes',
  "don't panic",
  'snake_case_name in code',
  'VLA-model pipeline',
  '주간회의록 정리하기',
  '明日の会議室を予約する',
  'OKR 회의 agenda',
];

const QUERIES = [
  'cafe',
  'CAFÉ',
  'café noir',
  'muller',
  'example',
  'example.com',
  'com',
  'kim',
  'example.org',
  'github',
  'acme rocket',
  '3.14',
  '14',
  'v1',
  'v1.2.3',
  'привет',
  'ПРИВ',
  'σοφια',
  "don't",
  'snake_case',
  'case',
  'vla model',
  'pipe',
  '회의',
  '회의록',
  '会議',
  'okr 회의',
  'agenda 회의록',
  'x',
  '"',
  'title:secret',
];

describe.skipIf(missing !== null)('search on PostgreSQL', () => {
  let sqlite: TestServer;
  let postgres: TestServer;
  const ids = new Map<string, { sqlite: string; postgres: string }>();

  const find = async (s: TestServer, q: string): Promise<string[]> => {
    const res = await s.request('GET', `/api/search?${new URLSearchParams({ q, limit: '100' })}`);
    expect(res.status, `${q}: ${res.text}`).toBe(200);
    return (res.json.items as Array<{ id: string }>).map((h) => h.id);
  };

  beforeAll(async () => {
    [sqlite, postgres] = await Promise.all([
      startTestServer({ database: 'sqlite', now: '2026-03-02T09:00:00.000Z' }),
      startTestServer({ database: 'postgres', now: '2026-03-02T09:00:00.000Z' }),
    ]);
    for (const content of DOCS) {
      const [a, b] = await Promise.all(
        [sqlite, postgres].map(async (s) => {
          const res = await s.request('POST', '/api/memos', { content });
          expect(res.status, res.text).toBe(201);
          return res.json.id as string;
        }),
      );
      ids.set(content, { sqlite: a!, postgres: b! });
    }
  });
  afterAll(async () => {
    await Promise.all([sqlite?.close(), postgres?.close()]);
  });

  it('finds the same items as SQLite for every query', async () => {
    const byId = (side: 'sqlite' | 'postgres') =>
      new Map([...ids].map(([content, pair]) => [pair[side], content]));
    const names = { sqlite: byId('sqlite'), postgres: byId('postgres') };
    for (const q of QUERIES) {
      const [a, b] = await Promise.all([find(sqlite, q), find(postgres, q)]);
      const onSqlite = a.map((id) => names.sqlite.get(id)).sort();
      const onPostgres = b.map((id) => names.postgres.get(id)).sort();
      expect(onPostgres, `query ${JSON.stringify(q)}`).toEqual(onSqlite);
    }
    // A few answers spelled out, so agreement is not agreement on nothing.
    const on = async (q: string) => (await find(postgres, q)).map((id) => names.postgres.get(id)).sort();
    expect(await on('cafe')).toEqual(
      ['Meet at Café Müller', 'cafe\u0301 noir, decomposed', 'the resume is at the cafe'].sort(),
    );
    expect(await on('example.com')).toEqual(['visit example.com today']);
    expect(await on('ПРИВ')).toEqual(['Привет, мир']);
    expect(await on('회의')).toEqual(['OKR 회의 agenda', '주간회의록 정리하기'].sort());
  });

  it('marks the matched words in snippets, accents and substrings included', async () => {
    const page = await postgres.request('GET', `/api/search?q=${encodeURIComponent('muller')}`);
    expect(page.json.items[0].snippet).toContain('**Müller**');
    const mixed = await postgres.request('GET', `/api/search?q=${encodeURIComponent('okr 회의')}`);
    expect(mixed.json.items[0].snippet).toMatch(/\*\*OKR\*\*.*\*\*회의\*\*/);
    for (const hit of mixed.json.items) {
      expect(hit.score).toBeGreaterThan(0);
      expect(hit.score).toBeLessThanOrEqual(1);
    }
  });

  it('never lets user text become tsquery syntax', () => {
    expect(prefixTsQuery(['vla', 'model'])).toBe("'vla':* & 'model':*");
    // Only parsed words reach it; anything else is dropped, not escaped.
    expect(prefixTsQuery(["a'b", 'x:*', '!', '', 'ok'])).toBe("'ok':*");
    expect(prefixTsQuery(["'"])).toBeNull();
  });

  it('indexes what was stored before migration 0004 (a database from before PostgreSQL search)', async () => {
    const { fresh, old: database } = await unmigratedPostgres();
    try {
      const migrator = await migrateTo(database.db, 'postgres', '0003_notification_keys');
      await writeLegacySearchRows(database.db, '2026-01-05T00:00:00.000Z');
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const { rows } = await sql<{
        type: string;
        item_id: string;
      }>`select type, item_id from search_docs order by item_id`.execute(database.db);
      expect(rows).toEqual([
        { type: 'message', item_id: 'msg_old' },
        { type: 'todo', item_id: 'todo_old' },
      ]);
    } finally {
      await database.close();
    }
    const s = await startTestServer({ env: { DATABASE_URL: fresh.url }, now: '2026-03-01T00:00:00.000Z' });
    try {
      const found = async (q: string) =>
        (
          (await s.request('GET', `/api/search?q=${encodeURIComponent(q)}`)).json.items as Array<{
            id: string;
          }>
        )
          .map((h) => h.id)
          .sort();
      expect(await found('legacy')).toEqual(['msg_old', 'todo_old']);
      expect(await found('회의')).toEqual(['todo_old']);
      expect(await found('archive')).toEqual(['todo_old']);
      // The triggers are live for the old rows too.
      expect((await s.request('DELETE', '/api/todos/todo_old')).status).toBe(204);
      expect(await found('legacy')).toEqual(['msg_old']);
    } finally {
      await s.close();
      await fresh.drop();
    }
  });
});
