/**
 * The ranking window (BEHAVIOUR.md "Search"): with more than RANK_WINDOW matches only the newest
 * RANK_WINDOW are ranked, and `total` still counts all of them. On SQLite always; on PostgreSQL
 * when it is reachable (never skipped in CI).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../db/database.js';
import { createTestDatabase, missingServices, type TestDatabase } from '../../../test/helpers/services.js';
import { RANK_WINDOW } from './search.backend.js';
import { parseSearchText } from './query.js';
import { createSearchRepository, HIT_TYPES } from './search.repository.js';

const missingPg = await missingServices(['postgres'], 'search ranking window on PostgreSQL');
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function memoRow(id: string, title: string, content: string, at: string) {
  return {
    id,
    title,
    content,
    tags: '[]',
    conversation_id: null,
    message_id: null,
    created_at: at,
    updated_at: at,
  };
}

/** `count` plain memos mentioning "lantern" once, the oldest first, one minute apart from 2026-01-01. */
async function seedMemos(database: Database, count: number, first = 0): Promise<void> {
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  await database.db.transaction().execute(async (trx) => {
    for (let i = first; i < first + count; i++) {
      const at = new Date(base + i * 60_000).toISOString();
      const content = `a lantern and several other words to make the document longer ${i}`;
      await trx
        .insertInto('memos')
        .values(memoRow(`memo_${String(i).padStart(6, '0')}`, `note ${i}`, content, at))
        .execute();
    }
  });
}

/** The oldest memo, the best match by far: "lantern" in its title and three times in its body. */
async function seedBestOldest(database: Database): Promise<void> {
  const row = memoRow('memo_best', 'Lantern', 'lantern lantern lantern', '2025-06-01T00:00:00.000Z');
  await database.db.insertInto('memos').values(row).execute();
}

async function firstHit(database: Database) {
  const search = createSearchRepository(database);
  return search.page(parseSearchText('lantern'), HIT_TYPES, 5, 0);
}

async function sqliteDatabase(): Promise<Database> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawchat-window-'));
  const database = await createDatabase({ kind: 'sqlite', file: path.join(dir, 'clawchat.db') });
  cleanups.push(async () => {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return database;
}

async function postgresDatabase(): Promise<Database> {
  const fresh: TestDatabase = await createTestDatabase();
  const database = await createDatabase({ kind: 'postgres', url: fresh.url });
  cleanups.push(async () => {
    await database.close();
    await fresh.drop();
  });
  return database;
}

const backends: Array<[string, () => Promise<Database>, string | null]> = [
  ['SQLite', sqliteDatabase, null],
  ['PostgreSQL', postgresDatabase, missingPg],
];

describe.each(backends)('search ranking window on %s', (_name, open, missing) => {
  it.skipIf(missing !== null)(
    'ranks every match while they fit in the window, then only the newest, counting all',
    async () => {
      const database = await open();
      await seedBestOldest(database);
      await seedMemos(database, RANK_WINDOW - 1);

      const within = await firstHit(database);
      expect(within.total).toBe(RANK_WINDOW);
      expect(within.rows[0]?.id).toBe('memo_best');

      await seedMemos(database, 10, RANK_WINDOW - 1);
      const beyond = await firstHit(database);
      expect(beyond.total).toBe(RANK_WINDOW + 10);
      expect(beyond.rows.map((r) => r.id)).not.toContain('memo_best');
      // What is ranked is the newest window: the ten newest memos are in it, the oldest plain ones not.
      expect(beyond.rows).toHaveLength(5);
      for (const row of beyond.rows) expect(Number(row.id.slice(5))).toBeGreaterThanOrEqual(9);
    },
    120_000,
  );
});
