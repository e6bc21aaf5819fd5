/**
 * The search index migration (0006) on data stored before it.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../../db/database.js';
import { migrations } from '../../db/migrations/index.js';
import type { HitPage } from '../../../test/helpers/search.js';
import { migrateTo, oldItem, oldTodo } from '../../../test/helpers/legacy-rows.js';
import { unmigratedSqlite, writeLegacySearchRows } from '../../../test/helpers/old-databases.js';
import { startTestServer } from '../../../test/helpers/server.js';

describe('search index migration', () => {
  it('renumbers an index made before 0006 by time, with the type in the low bits', async () => {
    const { dataDir, old } = await unmigratedSqlite();
    const names = Object.keys(migrations('sqlite'));
    const before = names[names.indexOf('0006_search_speed') - 1]!;
    await migrateTo(old.db, 'sqlite', before);
    // Written out of time order: ids from 0002 follow the writes.
    const item = oldItem;
    await old.db
      .insertInto('memos')
      .values({
        id: 'memo_late',
        title: 'Late',
        content: 'heron count',
        tags: '[]',
        ...item('2026-02-10T08:00:00.000Z'),
      })
      .execute();
    await old.db
      .insertInto('todos')
      .values(oldTodo('2026-01-03T08:00:00.000Z', { id: 'todo_early', title: 'Heron watch' }))
      .execute();
    await old.close();

    const s = await startTestServer({ dataDir, now: '2026-03-01T00:00:00.000Z', database: 'sqlite' });
    try {
      const created = await s.request('POST', '/api/memos', { content: 'heron photos' });
      expect(created.status).toBe(201);
      const db = await createDatabase(s.config.database, { migrate: false });
      try {
        const { rows } = await sql<{ item_id: string; type_bits: number }>`
          select item_id, id & 3 as type_bits from search_docs order by id`.execute(db.db);
        expect(rows.map((d) => [d.item_id, d.type_bits])).toEqual([
          ['todo_early', 0],
          ['memo_late', 2],
          [created.json.id, 2],
        ]);
      } finally {
        await db.close();
      }
      const found = await s.request<HitPage>('GET', '/api/search?q=heron');
      expect(found.json.total).toBe(3);
      expect(found.json.items[0]!.id).toBe('todo_early'); // the title hit
      expect((await s.request<HitPage>('GET', '/api/search?q=heron&types=memos')).json.total).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('indexes what was stored before the index existed', async () => {
    const { dataDir, old } = await unmigratedSqlite();
    await migrateTo(old.db, 'sqlite', '0001_initial');
    const at = '2026-01-05T00:00:00.000Z';
    await writeLegacySearchRows(old.db, at);
    await old.db
      .insertInto('memos')
      .values({ id: 'memo_old', title: 'Old memo', content: 'legacy notes', tags: '[]', ...oldItem(at) })
      .execute();
    await old.close();

    // The SQLite file made above (PostgreSQL's backfill: search.postgres.test.ts).
    const s = await startTestServer({ dataDir, now: '2026-03-01T00:00:00.000Z', database: 'sqlite' });
    try {
      const res = await s.request<HitPage>('GET', '/api/search?q=legacy');
      expect(res.json.items.map((h) => h.id).sort()).toEqual(['memo_old', 'msg_old', 'todo_old']);
      expect(res.json.items.find((h) => h.id === 'msg_old')).toMatchObject({
        title: 'Old chat',
        conversation_id: 'conv_old',
      });
      expect(
        (await s.request<HitPage>('GET', `/api/search?q=${encodeURIComponent('회의')}`)).json.items.map(
          (h) => h.id,
        ),
      ).toEqual(['todo_old']);
      expect((await s.request<HitPage>('GET', '/api/search?q=archive')).json.items.map((h) => h.id)).toEqual([
        'todo_old',
      ]);
      // Triggers are live for the old rows too.
      expect((await s.request('DELETE', '/api/todos/todo_old')).status).toBe(204);
      expect((await s.request<HitPage>('GET', '/api/search?q=legacy')).json.total).toBe(2);
    } finally {
      await s.close();
    }
  });
});
