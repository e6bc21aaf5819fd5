/**
 * The owner's console's database maintenance (`/api/admin/data`, `/api/admin/db/*`) over real
 * HTTP, on SQLite or PostgreSQL (CLAWCHAT_TEST_DB=postgres).
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityUntil, login } from '../../../test/helpers/admin.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';

describe('owner console: data and database maintenance', () => {
  let s: TestServer;
  const NOW = '2026-06-01T12:00:00.000Z';
  const OLD = '2026-01-01T12:00:00.000Z';
  beforeAll(async () => {
    s = await startTestServer({ now: OLD });
  });
  afterAll(async () => s.close());

  it('purge: archived conversations, messages and completed todos older than the cutoff', async () => {
    // Written in January...
    const oldDone = (await s.request('POST', '/api/todos', { title: 'Old done' })).json.id;
    await s.request('PATCH', `/api/todos/${oldDone}`, { status: 'completed' });
    const oldOpen = (await s.request('POST', '/api/todos', { title: 'Old open' })).json.id;
    // A completed todo whose subtask is still open stays: purging it would take the subtask along.
    const doneParent = (await s.request('POST', '/api/todos', { title: 'Done parent' })).json.id;
    await s.request('PATCH', `/api/todos/${doneParent}`, { status: 'completed' });
    const openChild = (await s.request('POST', '/api/todos', { title: 'Open child', parent_id: doneParent }))
      .json.id;
    const oldArchived = (await s.request('POST', '/api/chat/conversations', { title: 'Old archived' })).json
      .id;
    await s.request('PATCH', `/api/chat/conversations/${oldArchived}`, { is_archived: true });
    const oldActive = (await s.request('POST', '/api/chat/conversations', { title: 'Old active' })).json.id;
    const sent = (await s.request('POST', '/api/chat/send', { conversation_id: oldActive, content: 'hello' }))
      .json;
    for (let i = 0; i < 100; i++) {
      const conv = (await s.request('GET', `/api/chat/conversations/${oldActive}`)).json;
      if (conv.messages?.every((m: any) => m.status !== 'streaming') && conv.messages.length >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // ...and in June.
    s.clock.set(NOW);
    s.token = (await login(s)).access_token;
    const newDone = (await s.request('POST', '/api/todos', { title: 'New done' })).json.id;
    await s.request('PATCH', `/api/todos/${newDone}`, { status: 'completed' });
    const newArchived = (await s.request('POST', '/api/chat/conversations', { title: 'New archived' })).json
      .id;
    await s.request('PATCH', `/api/chat/conversations/${newArchived}`, { is_archived: true });

    for (const body of [
      { target: 'todos', older_than_days: 0 },
      { target: 'events', older_than_days: 5 },
      { target: 'todos' },
    ]) {
      const bad = await s.request('POST', '/api/admin/db/purge', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error.code).toBe('VALIDATION_ERROR');
    }

    const todos = await s.request('POST', '/api/admin/db/purge', { target: 'todos', older_than_days: 30 });
    expect(todos.status).toBe(200);
    expect(todos.json).toEqual({ target: 'todos', deleted: 1, cutoff: '2026-05-02T12:00:00.000Z' });
    expect((await s.request('GET', `/api/todos/${oldDone}`)).status).toBe(404);
    expect((await s.request('GET', `/api/todos/${oldOpen}`)).status).toBe(200);
    expect((await s.request('GET', `/api/todos/${doneParent}`)).status).toBe(200);
    expect((await s.request('GET', `/api/todos/${openChild}`)).status).toBe(200);
    // Gone again, so the later tests of this file see the todos they expect.
    expect((await s.request('DELETE', `/api/todos/${doneParent}`)).status).toBe(204);
    expect((await s.request('GET', `/api/todos/${newDone}`)).status).toBe(200);

    const conversations = await s.request('POST', '/api/admin/db/purge', {
      target: 'conversations',
      older_than_days: 30,
    });
    expect(conversations.json.deleted).toBe(1);
    expect((await s.request('GET', `/api/chat/conversations/${oldArchived}`)).status).toBe(404);
    expect((await s.request('GET', `/api/chat/conversations/${newArchived}`)).status).toBe(200);

    const messages = await s.request('POST', '/api/admin/db/purge', {
      target: 'messages',
      older_than_days: 30,
    });
    expect(messages.json.deleted).toBe(2);
    const conv = (await s.request('GET', `/api/chat/conversations/${oldActive}`)).json;
    expect(conv.messages).toEqual([]);
    expect(sent.message_id).toEqual(expect.any(String));

    const items = await activityUntil(s, (l) => l.filter((a) => a.kind === 'admin').length >= 3);
    expect(items[0].message).toBe('Purged 2 messages older than 30 days');
  });

  it('data: rows and storage per table, attachments', async () => {
    const res = await s.request('GET', '/api/admin/data');
    expect(res.status).toBe(200);
    const byName = new Map(res.json.tables.map((t: any) => [t.table, t]));
    expect(byName.get('todos')).toMatchObject({ rows: 2 });
    expect(byName.has('activity')).toBe(true);
    expect(res.json.size_bytes).toBeGreaterThan(0);
    for (const t of res.json.tables) expect(t.bytes === null || t.bytes >= 0).toBe(true);
    expect((byName.get('todos') as any).bytes).toBeGreaterThan(0);
    // FTS5 shadow tables are folded into their index.
    expect(byName.has('search_fts_data')).toBe(false);
    expect(res.json.attachments).toEqual({ available: true, count: 0, total_bytes: 0 });
  });

  it('backup: a consistent copy in DATA_DIR/backups, readable by the owner only (SQLite); pg_dump on PostgreSQL', async () => {
    const res = await s.request('POST', '/api/admin/db/backup');
    if (s.config.database.kind === 'postgres') {
      expect(res.status).toBe(409);
      expect(res.json.error.code).toBe('CONFLICT');
      expect(res.json.error.message).toContain('pg_dump');
      expect(res.json.error.details.command).toContain('pg_dump');
      return;
    }
    expect(res.status).toBe(200);
    expect(res.json.file).toMatch(/^clawchat-2026-06-01T12-00-00-000Z\.db$/);
    const file = path.join(s.dataDir, 'backups', res.json.file);
    const stat = fs.statSync(file);
    expect(stat.size).toBe(res.json.size_bytes);
    expect(stat.mode & 0o777).toBe(0o600);
    const copy = new SQLite(file, { readonly: true });
    try {
      expect(copy.prepare('select title from todos order by title').all()).toEqual([
        { title: 'New done' },
        { title: 'Old open' },
      ]);
    } finally {
      copy.close();
    }
    // A second backup in the same second gets a name of its own.
    const again = await s.request('POST', '/api/admin/db/backup');
    expect(again.json.file).toBe('clawchat-2026-06-01T12-00-00-000Z-2.db');
  });

  it('reindex: rebuilds the search index', async () => {
    const memo = (await s.request('POST', '/api/memos', { title: 'Zebra quartz', content: 'unusual words' }))
      .json.id;
    if (s.config.database.kind === 'sqlite') {
      // Damage the word index behind the server's back: search cannot read it any more.
      const raw = new SQLite(path.join(s.dataDir, 'clawchat.db'));
      raw.unsafeMode(true);
      raw.exec('delete from search_fts_data where id > 10');
      raw.close();
      const damaged = await s.request('GET', '/api/search?q=zebra');
      expect(damaged.status === 500 || !damaged.json.items?.some((h: any) => h.id === memo)).toBe(true);
    }
    const res = await s.request('POST', '/api/admin/db/reindex');
    expect(res.status).toBe(200);
    expect(res.json.documents).toBeGreaterThanOrEqual(3);
    const found = await s.request('GET', '/api/search?q=zebra');
    expect(found.status).toBe(200);
    expect(found.json.items.map((h: any) => h.id)).toContain(memo);
  });
});
