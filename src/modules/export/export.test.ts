/**
 * GET /api/export and POST /api/import (docs/EXPORT.md): a server holding data of every kind is
 * exported and imported into a fresh server, and every list reads the same there; a second import
 * skips everything; a bad document answers 400 and writes nothing.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';

const NOW = '2026-03-10T01:00:00Z';
const start = () => startTestServer({ now: NOW, timezone: 'Asia/Seoul' });

let a: TestServer;
let doc: any;
let text: string;
let exportHeaders: Headers;
const ids: Record<string, string> = {};

async function until<T>(what: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await what();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

async function upload(s: TestServer, query: string, bytes: Buffer, name: string): Promise<string> {
  const body = new FormData();
  body.set('file', new Blob([bytes], { type: 'application/octet-stream' }), name);
  const res = await fetch(`${s.url}/api/attachments?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}` },
    body,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function ok(s: TestServer, method: string, path: string, body?: unknown) {
  const res = await s.request(method, path, body);
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  return res.json;
}

/** Data of every kind: settings, todos (a subtree, a relationship), events, memos, files, chat, tasks, notifications. */
async function seed(s: TestServer): Promise<void> {
  await ok(s, 'PATCH', '/api/settings', { timezone: 'Europe/Berlin', briefing_time: '07:30' });
  await ok(s, 'PUT', '/api/settings', { theme: 'dark', sendOnEnter: false });
  const parent = await ok(s, 'POST', '/api/todos', {
    title: 'Plan the trip',
    priority: 'high',
    tags: ['travel'],
    due_date: '2026-03-20',
  });
  const child = await ok(s, 'POST', '/api/todos', { title: 'Book the flights', parent_id: parent.id });
  await ok(s, 'POST', '/api/todos', { title: 'Pack', parent_id: child.id, due_date: '2026-03-19T18:00:00Z' });
  await ok(s, 'PATCH', `/api/todos/${child.id}`, { status: 'completed' });
  await ok(s, 'POST', '/api/task-relationships', {
    source_todo_id: child.id,
    target_todo_id: parent.id,
    relationship_type: 'blocks',
  });
  ids.parent = parent.id;
  ids.child = child.id;
  await ok(s, 'POST', '/api/events', {
    title: 'Dentist',
    start_time: '2026-03-12T02:00:00Z',
    end_time: '2026-03-12T03:00:00Z',
    location: 'Main St',
    reminder_minutes: 30,
  });
  const standup = await ok(s, 'POST', '/api/events', {
    title: 'Standup',
    start_time: '2026-03-09T00:00:00Z',
    recurrence_rule: 'RRULE:FREQ=WEEKLY;BYDAY=MO',
    tags: ['work'],
    // The series' own changes travel with it: its end and a removed date.
    recurrence_end: '2026-06-29',
    recurrence_exceptions: ['2026-03-16'],
  });
  ids.standup = standup.id;
  // One occurrence changed (an override row) and one cancelled through the occurrence API.
  await ok(s, 'PATCH', `/api/events/${standup.id}/occurrences/2026-03-23`, {
    title: 'Standup, moved',
    start_time: '2026-03-24T08:00:00Z',
    location: 'Room 2',
  });
  const cancelled = await s.request('DELETE', `/api/events/${standup.id}/occurrences/2026-03-30`);
  expect(cancelled.status).toBe(204);
  const memo = await ok(s, 'POST', '/api/memos', {
    title: 'Wifi',
    content: 'The password is xylophone42',
    tags: ['home'],
  });
  ids.memo = memo.id;
  ids.memoFile = await upload(s, `memo_id=${memo.id}`, Buffer.from('hello file\n'), 'note.txt');
  // Every byte value, and a length that is not a multiple of 3 (base64 padding).
  ids.todoFile = await upload(
    s,
    `todo_id=${parent.id}`,
    Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256)),
    'bytes.bin',
  );
  // Enough todos that the export and import page through a table (500 rows a page).
  for (let i = 0; i < 520; i += 20)
    await Promise.all(
      Array.from({ length: 20 }, (_, j) => ok(s, 'POST', '/api/todos', { title: `bulk ${i + j}` })),
    );
  // A chat turn (offline understander: it creates a todo linked to the message).
  const sent = await ok(s, 'POST', '/api/chat/send', { content: 'add buy oat milk tomorrow' });
  ids.conversation = sent.conversation_id;
  await until(
    () => s.request('GET', `/api/chat/conversations/${sent.conversation_id}/messages`),
    (r) =>
      r.json.items.length === 2 && r.json.items.every((m: { status: string }) => m.status !== 'streaming'),
  );
  const task = await ok(s, 'POST', '/api/agent-tasks', { instruction: 'Summarize my week' });
  await until(
    () => s.request('GET', `/api/agent-tasks/${task.id}`),
    (r) => !['queued', 'running'].includes(r.json.status),
  );
  await s.built.services.notifications.decide({
    kind: 'reminder',
    title: 'Dentist',
    body: 'in 30 minutes',
    dedupe_key: 'test:dentist',
  });
  await s.built.services.notifications.idle();
}

/** Every list a client reads, as it reads it. */
async function lists(s: TestServer): Promise<Record<string, unknown>> {
  const paths = [
    '/api/settings',
    '/api/todos?limit=1000',
    '/api/events?limit=200',
    // The window listing shows the removed dates gone, the changed one moved, the series ended.
    '/api/events?start_after=2026-03-01&start_before=2026-08-01&limit=200',
    `/api/events/${ids.standup}/ics`,
    '/api/memos?limit=100',
    '/api/tags',
    `/api/task-relationships?todo_id=${ids.parent}`,
    `/api/attachments?memo_id=${ids.memo}`,
    `/api/attachments?todo_id=${ids.parent}`,
    '/api/chat/conversations',
    `/api/chat/conversations/${ids.conversation}/messages`,
    '/api/agent-tasks',
    '/api/notifications',
    '/api/search?q=xylophone42',
    '/api/search?q=oat',
  ];
  const out: Record<string, unknown> = {};
  for (const p of paths) {
    const res = await s.request('GET', p);
    expect(res.status, p).toBe(200);
    out[p] = res.json ?? res.text;
  }
  for (const id of [ids.memoFile, ids.todoFile]) {
    const res = await fetch(`${s.url}/api/attachments/${id}/download`, {
      headers: { authorization: `Bearer ${s.token}` },
    });
    out[id!] = Buffer.from(await res.arrayBuffer()).toString('hex');
  }
  return out;
}

const importInto = (s: TestServer, body: unknown) =>
  s.raw('POST', '/api/import', {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
  });

async function isEmpty(s: TestServer): Promise<void> {
  expect((await s.request('GET', '/api/todos')).json.total).toBe(0);
  expect((await s.request('GET', '/api/memos')).json.total).toBe(0);
  expect((await s.request('GET', '/api/chat/conversations')).json.items).toEqual([]);
  expect((await s.request('GET', '/api/settings')).json.timezone).toBe('Asia/Seoul');
  expect(fs.readdirSync(s.config.attachmentsDir)).toEqual([]);
}

beforeAll(async () => {
  a = await start();
  await seed(a);
  const res = await fetch(`${a.url}/api/export`, { headers: { authorization: `Bearer ${a.token}` } });
  expect(res.status).toBe(200);
  exportHeaders = res.headers;
  text = await res.text();
  doc = JSON.parse(text);
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
  let b: TestServer;
  beforeAll(async () => {
    b = await start();
  });
  afterAll(async () => {
    await b?.close();
  });

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

describe('a bad document', () => {
  let c: TestServer;
  beforeAll(async () => {
    c = await start();
  });
  afterAll(async () => {
    await c?.close();
  });

  const edited = (change: (d: any) => void) => {
    const d = JSON.parse(text);
    change(d);
    return d;
  };

  it('answers 400 naming the table and row of an invalid row, and writes nothing', async () => {
    const res = await importInto(
      c,
      edited((d) => (d.tables.todos[300].status = 'bogus')),
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { table: 'todos', row: 300, field: 'status' },
    });
    await isEmpty(c);
  });

  it('rolls back a row the database refuses after earlier tables were written', async () => {
    const res = await importInto(
      c,
      edited((d) =>
        d.tables.task_relationships.push({
          id: 'rel_nothing',
          source_todo_id: 'todo_missing',
          target_todo_id: ids.parent,
          relationship_type: 'blocks',
          created_at: '2026-03-10T01:00:00.000Z',
        }),
      ),
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { table: 'task_relationships', row: 1 },
    });
    await isEmpty(c);
  });

  it("names the row as the document lists it when a subtask's parent is nowhere", async () => {
    const res = await importInto(
      c,
      edited((d) => (d.tables.todos[7].parent_id = 'todo_nowhere')),
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { table: 'todos', row: 7 } });
    await isEmpty(c);
  });

  it('refuses files that do not match their rows, other formats and versions, and broken JSON', async () => {
    const cases: unknown[] = [
      edited(
        (d) =>
          (d.attachments_data[ids.memoFile!] = Buffer.from('other bytes, more of them').toString('base64')),
      ),
      edited((d) => (d.attachments_data[ids.memoFile!] = '%%%')),
      edited((d) => (d.format = 'something-else')),
      edited((d) => (d.version = 3)),
      edited((d) => (d.tables.passwords = [])),
      edited((d) => d.tables.settings.push({ key: 'auth.pin_hash', value: 'x' })),
      edited((d) => d.tables.memos.push(d.tables.memos[0])),
      edited((d) => (d.tables.todos[0].parent_id = d.tables.todos[0].id)),
      text.slice(0, 5000),
      '[]',
    ];
    for (const [i, body] of cases.entries()) {
      const res = await importInto(c, body);
      expect(res.status, `case ${i}: ${res.text.slice(0, 200)}`).toBe(400);
      expect(res.json.error.code, `case ${i}`).toBe('VALIDATION_ERROR');
    }
    await isEmpty(c);
  });

  it('checks every row as the API would: rules, zones, dates, types, files, unknown fields', async () => {
    const standup = () => doc.tables.events.findIndex((e: { id: string }) => e.id === ids.standup);
    const memoFile = () => doc.tables.attachments.findIndex((r: { id: string }) => r.id === ids.memoFile);
    const cases: [string, (d: any) => void, Record<string, unknown>][] = [
      [
        'a rule the events API refuses',
        (d) => (d.tables.events[standup()].recurrence_rule = 'FREQ=SOMETIMES'),
        { table: 'events', row: standup(), field: 'recurrence_rule' },
      ],
      [
        'a rule more often than once a minute',
        (d) => (d.tables.events[standup()].recurrence_rule = 'FREQ=HOURLY;BYSECOND=1,2'),
        { table: 'events', row: standup(), field: 'recurrence_rule' },
      ],
      [
        'a zone that is no IANA zone',
        (d) => (d.tables.events[0].timezone = 'Mars/Olympus_Mons'),
        { table: 'events', row: 0, field: 'timezone' },
      ],
      [
        "the owner's zone",
        (d) => (d.tables.settings.find((r: { key: string }) => r.key === 'owner.timezone').value = 'Nowhere'),
        { table: 'settings', field: 'value' },
      ],
      [
        'a day that does not exist',
        (d) => (d.tables.todos[12].due_date = '2026-02-30T10:00:00.000Z'),
        { table: 'todos', row: 12, field: 'due_date' },
      ],
      [
        'an end before the start',
        (d) => (d.tables.event_overrides[0].end_time = '2026-03-01T00:00:00.000Z'),
        { table: 'event_overrides', row: 0, field: 'end_time' },
      ],
      [
        'an unknown status',
        (d) => (d.tables.messages[0].status = 'lost'),
        { table: 'messages', row: 0, field: 'status' },
      ],
      [
        'an unknown field',
        (d) => (d.tables.memos[0].owner = 'mallory'),
        { table: 'memos', row: 0, field: 'owner' },
      ],
      [
        'a content type that is no MIME type',
        (d) => (d.tables.attachments[memoFile()].content_type = 'text/html<script>'),
        { table: 'attachments', row: memoFile(), field: 'content_type' },
      ],
      [
        'a file over MAX_UPLOAD_SIZE_MB',
        (d) => (d.tables.attachments[memoFile()].size_bytes = 26 * 1_048_576),
        { table: 'attachments', row: memoFile(), field: 'size_bytes' },
      ],
      [
        'a file name with a path',
        (d) => (d.tables.attachments[memoFile()].filename = '../../etc/passwd'),
        { table: 'attachments', row: memoFile(), field: 'filename' },
      ],
      [
        'tags that are not a list of tags',
        (d) => (d.tables.memos[0].tags = '["", 3]'),
        { table: 'memos', row: 0, field: 'tags' },
      ],
    ];
    for (const [what, change, details] of cases) {
      const res = await importInto(c, edited(change));
      expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(400);
      expect(res.json.error, what).toMatchObject({ code: 'VALIDATION_ERROR', details });
    }
    await isEmpty(c);
    expect((await c.request('GET', '/api/events')).json.total).toBe(0);
  });

  it('still reads a version-1 document (no occurrence changes, no notification keys)', async () => {
    const v1 = edited((d) => {
      d.version = 1;
      delete d.tables.event_overrides;
      delete d.tables.notification_keys;
    });
    const res = await importInto(c, v1);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.json.imported).toMatchObject({
      todos: 524,
      events: 2,
      event_overrides: 0,
      notification_keys: 0,
    });
    // A version-1 document naming a table of version 2 is refused like any unknown table.
    const mixed = await importInto(
      c,
      edited((d) => (d.version = 1)),
    );
    expect(mixed.status).toBe(400);
    expect(mixed.json.error.details).toMatchObject({ table: 'event_overrides' });
  });
});

describe('notifications this server already decided', () => {
  let e: TestServer;
  beforeAll(async () => {
    e = await start();
  });
  afterAll(async () => {
    await e?.close();
  });

  it('are skipped, and their keys kept as decided by no notification here', async () => {
    // The same reminder decided here under another id before the import.
    await e.built.services.notifications.decide({
      kind: 'reminder',
      title: 'Dentist',
      body: 'in 30 minutes',
      dedupe_key: 'test:dentist',
    });
    await e.built.services.notifications.idle();
    const dentist = doc.tables.notifications.find(
      (n: { dedupe_key: string }) => n.dedupe_key === 'test:dentist',
    );
    const d = JSON.parse(text);
    d.tables.notification_keys.push({
      key: 'test:dentist-and-more',
      notification_id: dentist.id,
      created_at: dentist.created_at,
    });
    const res = await importInto(e, d);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.json.skipped.notifications).toBe(1);
    const after = (await (
      await fetch(`${e.url}/api/export`, { headers: { authorization: `Bearer ${e.token}` } })
    ).json()) as any;
    expect(after.tables.notification_keys).toContainEqual(
      expect.objectContaining({ key: 'test:dentist-and-more', notification_id: null }),
    );
    expect(after.tables.notifications.map((n: { id: string }) => n.id)).not.toContain(dentist.id);
  });
});

describe('the export is one snapshot', () => {
  it('holds the data as it was when it began, while writes go on', async () => {
    const exporter = a.built.services.exporter;
    const pieces = exporter.document();
    const first = await pieces.next();
    expect(first.done).toBe(false);
    let rest = String(first.value);
    // Written between the export's first and last page, answered at once (not held behind it).
    const memo = await ok(a, 'POST', '/api/memos', { title: 'Late', content: 'written during the export' });
    const gone = await a.request('DELETE', `/api/todos/${ids.child}`);
    expect(gone.status).toBe(204);
    for await (const piece of { [Symbol.asyncIterator]: () => pieces }) rest += piece;
    const during = JSON.parse(rest);
    expect(during.tables.memos.map((m: { id: string }) => m.id)).not.toContain(memo.id);
    // The deleted todo, its subtask and its relationship are all still there, as they were.
    expect(during.tables.todos).toEqual(doc.tables.todos);
    expect(during.tables.task_relationships).toEqual(doc.tables.task_relationships);
    // The next export sees the writes.
    const res = await fetch(`${a.url}/api/export`, { headers: { authorization: `Bearer ${a.token}` } });
    const after = (await res.json()) as any;
    expect(after.tables.memos.map((m: { id: string }) => m.id)).toContain(memo.id);
    expect(after.tables.todos.map((t: { id: string }) => t.id)).not.toContain(ids.child);
  });
});

describe('the import body limit (IMPORT_LIMIT_MB)', () => {
  let d: TestServer;
  beforeAll(async () => {
    d = await startTestServer({ now: NOW, env: { IMPORT_LIMIT_MB: '2' } });
  });
  afterAll(async () => {
    await d?.close();
  });

  const withFile = (bytes: number) => ({
    format: 'clawchat-export',
    version: 2,
    tables: {
      memos: [
        {
          id: 'memo_big',
          title: 'big',
          content: 'x',
          tags: '[]',
          conversation_id: null,
          message_id: null,
          created_at: '2026-03-10T01:00:00.000Z',
          updated_at: '2026-03-10T01:00:00.000Z',
        },
      ],
      attachments: [
        {
          id: 'att_big',
          filename: 'big.bin',
          content_type: 'application/octet-stream',
          size_bytes: bytes,
          memo_id: 'memo_big',
          todo_id: null,
          created_at: '2026-03-10T01:00:00.000Z',
        },
      ],
    },
    attachments_data: { att_big: Buffer.alloc(bytes, 7).toString('base64') },
  });

  it('takes a document over the general body limit, up to its own', async () => {
    // 1.2 MB of file is 1.6 MB of base64: over BODY_LIMIT_BYTES (1 MB), under 2 MB.
    const res = await importInto(d, withFile(1_200_000));
    expect(res.status, res.text.slice(0, 200)).toBe(200);
    expect(res.json.imported).toMatchObject({ memos: 1, attachments: 1 });
    const file = await fetch(`${d.url}/api/attachments/att_big/download`, {
      headers: { authorization: `Bearer ${d.token}` },
    });
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.alloc(1_200_000, 7))).toBe(true);
  });

  it('answers 413 with the envelope past it', async () => {
    const res = await importInto(d, withFile(1_700_000));
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBeTruthy();
    // Other routes keep the general limit.
    const memo = await d.raw('POST', '/api/memos', {
      body: JSON.stringify({ content: 'y'.repeat(1_200_000) }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${d.token}` },
    });
    expect(memo.status).toBe(413);
  });
});
