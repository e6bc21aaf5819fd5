/**
 * `npm run migrate:sqlite-to-pg`: a SQLite deployment copied into PostgreSQL answers every read
 * exactly as it did before, ids, search and sequences included. Skips with a printed reason
 * when PostgreSQL is unreachable (never in CI).
 */
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_PIN, type TestServer } from '../../test/helpers/server.js';
import { createTestDatabase, missingServices, type TestDatabase } from '../../test/helpers/services.js';
import { copySqliteToPostgres } from './sqlite-to-postgres.js';

const missing = await missingServices(['postgres'], 'SQLite to PostgreSQL copy');
const NOW = '2026-03-02T09:00:00.000Z';

/** Reads whose answers must not change with the database. */
const READS = [
  '/api/todos?limit=100',
  '/api/todos?root_only=true&order_by=sort_order',
  '/api/todos?q=report',
  '/api/events?limit=100',
  '/api/memos?limit=100',
  '/api/chat/conversations?limit=100',
  '/api/agent-tasks',
  '/api/notifications',
];
/** Searches: the same hits (scores and snippets come from another ranking function). */
const SEARCHES = ['report', '회의', 'cafe'];

describe.skipIf(missing !== null)('SQLite to PostgreSQL', () => {
  let before: TestServer;
  let target: TestDatabase;
  const answers = new Map<string, string>();
  const hits = new Map<string, string[]>();
  const searchIds = async (s: TestServer, q: string) => {
    const res = await s.request('GET', `/api/search?${new URLSearchParams({ q, limit: '100' })}`);
    expect(res.status, res.text).toBe(200);
    return (res.json.items as Array<{ id: string }>).map((h) => h.id).sort();
  };
  let conversationId = '';

  beforeAll(async () => {
    before = await startTestServer({ database: 'sqlite', now: NOW, timezone: 'Asia/Seoul' });
    const post = async (p: string, body: unknown) => {
      before.clock.advance(1000);
      const res = await before.request('POST', p, body);
      expect(res.status, res.text).toBeLessThan(300);
      return res.json;
    };
    await post('/api/todos', {
      title: 'Quarterly report',
      tags: ['work', 'q1'],
      due_date: '2026-03-05T15:00:00+09:00',
    });
    await post('/api/todos', { title: '주간회의록 정리', priority: 'high' });
    // A todo moved under one made after it: the copy meets the subtask before its parent.
    const older = await post('/api/todos', { title: 'Collect receipts' });
    const newer = await post('/api/todos', { title: 'Tax return' });
    expect((await before.request('PATCH', `/api/todos/${older.id}`, { parent_id: newer.id })).status).toBe(
      200,
    );
    await post('/api/task-relationships', {
      source_todo_id: newer.id,
      target_todo_id: older.id,
      relationship_type: 'blocked_by',
    });
    await post('/api/events', {
      title: 'Report review',
      start_time: '2026-03-04T10:00:00+09:00',
      location: 'Room 4',
      recurrence_rule: 'FREQ=WEEKLY;COUNT=3',
      reminder_minutes: 15,
    });
    await post('/api/memos', { title: 'Café notes', content: 'the report is due', tags: ['ideas'] });
    const sent = await post('/api/chat/send', {
      content: 'remind me to file the report tomorrow',
      client_message_id: 'c-1',
    });
    conversationId = sent.conversation_id;
    await before.built.services.chat.runner.whenDone(sent.message_id);
    await post('/api/agent-tasks', { task_type: 'summarize', instruction: 'summarize the report' });
    // A failed login: login_failures has a serial id whose sequence must move on in PostgreSQL.
    expect((await before.request('POST', '/api/auth/login', { pin: '000000' })).status).toBe(401);
    await before.built.services.agentTasks.worker.idle();
    for (const read of [...READS, `/api/chat/conversations/${conversationId}`]) {
      const res = await before.request('GET', read);
      expect(res.status, `${read}: ${res.text}`).toBe(200);
      answers.set(read, res.text);
    }
    for (const q of SEARCHES) hits.set(q, await searchIds(before, q));
    await before.close();
    target = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await target?.drop();
  });

  it('copies every table with its ids; the copy answers every read byte for byte as before', async () => {
    const lines: string[] = [];
    const report = await copySqliteToPostgres(path.join(before.dataDir, 'clawchat.db'), target.url, (l) =>
      lines.push(l),
    );
    const rows = Object.fromEntries(report.tables.map((t) => [t.table, t.rows]));
    // Five todos: four posted, one made by the chat turn.
    expect(rows).toMatchObject({
      todos: 5,
      task_relationships: 1,
      events: 1,
      memos: 1,
      conversations: 1,
      agent_tasks: 1,
      login_failures: 1,
    });
    expect(rows.messages).toBeGreaterThanOrEqual(2);
    // Parents before children.
    const order = report.tables.map((t) => t.table);
    expect(order.indexOf('conversations')).toBeLessThan(order.indexOf('messages'));
    expect(order.indexOf('messages')).toBeLessThan(order.indexOf('todos'));
    expect(order.indexOf('notifications')).toBeLessThan(order.indexOf('notification_keys'));
    expect(lines.at(-1)).toContain('search index');

    const after = await startTestServer({
      env: { DATABASE_URL: target.url },
      now: NOW,
      timezone: 'Asia/Seoul',
    });
    try {
      expect(after.config.database.kind).toBe('postgres');
      for (const [read, text] of answers) {
        const res = await after.request('GET', read);
        expect(res.status, read).toBe(200);
        expect(res.text, read).toBe(text);
      }
      for (const [q, ids] of hits) {
        expect(ids.length, q).toBeGreaterThan(0);
        expect(await searchIds(after, q), q).toEqual(ids);
      }
      // Sequences moved past the copied ids: new rows go in.
      expect((await after.request('POST', '/api/auth/login', { pin: '000000' })).status).toBe(401);
      expect((await after.request('POST', '/api/auth/login', { pin: TEST_PIN })).status).toBe(200);
      // The search index is live for new writes too.
      const memo = await after.request('POST', '/api/memos', { content: 'another report' });
      const found = await after.request('GET', '/api/search?q=report&types=memos');
      expect(found.json.items.map((h: { id: string }) => h.id)).toContain(memo.json.id);
    } finally {
      await after.close();
    }
  });

  it('refuses a target that already holds data', async () => {
    await expect(copySqliteToPostgres(path.join(before.dataDir, 'clawchat.db'), target.url)).rejects.toThrow(
      /not empty/,
    );
  });

  it('runs as `npm run migrate:sqlite-to-pg -- <file> <url>`', () => {
    const res = spawnSync(
      'npm',
      ['run', '--silent', 'migrate:sqlite-to-pg', '--', path.join(before.dataDir, 'missing.db'), target.url],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        encoding: 'utf8',
      },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('No SQLite database at');
  });
});
