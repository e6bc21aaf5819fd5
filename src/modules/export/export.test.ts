/**
 * GET /api/export and POST /api/import (docs/EXPORT.md): a server holding data of every kind is
 * exported and imported into a fresh server, and every list reads the same there; a second import
 * skips everything. Bad documents and the other import rules: import-checks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer, type TestServer } from '../../../test/helpers/server.js';
import { NOW, exported, ids, importInto, lists } from '../../../test/helpers/export.js';

let a: TestServer;
let doc: any;
let text: string;
let exportHeaders: Headers;

beforeAll(async () => {
  ({ server: a, doc, text, headers: exportHeaders } = await exported());
}, 120_000);
afterAll(async () => {
  await a?.close();
});

describe('GET /api/export', () => {
  it('streams one versioned document as a download', () => {
    expect(exportHeaders.get('content-type')).toMatch(/^application\/json/);
    // The owner's zone is Berlin by now: 02:00 there on 2026-03-10.
    expect(exportHeaders.get('content-disposition')).toBe(
      'attachment; filename="clawchat-export-2026-03-10.json"',
    );
    // Written as it is read: no length known up front.
    expect(exportHeaders.get('content-length')).toBeNull();
    expect(exportHeaders.get('transfer-encoding')).toBe('chunked');
    expect(doc).toMatchObject({
      format: 'clawchat-export',
      version: 2,
      exported_at: '2026-03-10T01:00:00.000Z',
    });
    expect(Object.keys(doc.tables)).toEqual([
      'settings',
      'conversations',
      'messages',
      'todos',
      'events',
      'event_overrides',
      'memos',
      'task_relationships',
      'attachments',
      'agent_tasks',
      'notifications',
      'notification_keys',
    ]);
  });

  it('holds every row once, across pages, and no secrets', () => {
    const todoIds = doc.tables.todos.map((t: { id: string }) => t.id);
    expect(todoIds.length).toBe(3 + 520 + 1);
    expect(new Set(todoIds).size).toBe(todoIds.length);
    expect(doc.tables.memos).toHaveLength(1);
    expect(doc.tables.events).toHaveLength(2);
    expect(doc.tables.event_overrides).toEqual([
      expect.objectContaining({
        event_id: ids.standup,
        occurrence_date: '2026-03-23',
        title: 'Standup, moved',
        start_time: '2026-03-24T08:00:00.000Z',
      }),
    ]);
    const series = doc.tables.events.find((e: { id: string }) => e.id === ids.standup);
    expect(JSON.parse(series.recurrence_exceptions)).toEqual(['2026-03-16', '2026-03-30']);
    expect(doc.tables.notification_keys.map((k: { key: string }) => k.key)).toContain('test:dentist');
    expect(doc.tables.messages).toHaveLength(2);
    expect(doc.tables.agent_tasks).toHaveLength(1);
    // The agent task's outcome is one, the reminder the other.
    expect(doc.tables.notifications).toHaveLength(2);
    expect(doc.tables.task_relationships).toHaveLength(1);
    expect(doc.tables.settings.map((r: { key: string }) => r.key).sort()).toEqual([
      'app.preferences',
      'app.preferences_updated_at',
      'owner.briefing_time',
      'owner.timezone',
    ]);
    expect(Buffer.from(doc.attachments_data[ids.memoFile!], 'base64').toString()).toBe('hello file\n');
    for (const secret of ['pin', 'session', 'refresh', 'push_token', 'feed'])
      expect(text.toLowerCase(), secret).not.toContain(`"${secret}`);
    expect(text).not.toContain(a.refreshToken);
  });
});

describe('POST /api/import', () => {
  const b = useTestServer({ now: NOW, timezone: 'Asia/Seoul' });

  it('restores everything into a fresh server: every list reads the same', async () => {
    const res = await importInto(b, text);
    expect(res.status, res.text).toBe(200);
    expect(res.json.imported).toEqual({
      settings: 4,
      conversations: 1,
      messages: 2,
      todos: 524,
      events: 2,
      event_overrides: 1,
      memos: 1,
      task_relationships: 1,
      attachments: 2,
      agent_tasks: 1,
      notifications: 2,
      notification_keys: doc.tables.notification_keys.length,
    });
    expect(Object.values(res.json.skipped).every((n) => n === 0)).toBe(true);
    expect(await lists(b)).toEqual(await lists(a));
    // The search index (kept by triggers) finds what was imported.
    const found = (await b.request('GET', '/api/search?q=xylophone42')).json.items;
    expect(found).toEqual([expect.objectContaining({ type: 'memo', id: ids.memo })]);
    const oat = (await b.request('GET', '/api/search?q=oat&types=todos,messages')).json.items.map(
      (h: { type: string }) => h.type,
    );
    expect([...new Set(oat)].sort()).toEqual(['message', 'todo']);
  });

  it('skips and counts everything the second time', async () => {
    const res = await importInto(b, text);
    expect(res.status, res.text).toBe(200);
    expect(Object.values(res.json.imported).every((n) => n === 0)).toBe(true);
    expect(res.json.skipped).toMatchObject({
      todos: 524,
      messages: 2,
      attachments: 2,
      settings: 4,
      notifications: 2,
      event_overrides: 1,
    });
  });
});
