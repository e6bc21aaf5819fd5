/**
 * POST /api/import refusing what it must (docs/EXPORT.md): a bad row answers 400 naming it and
 * writes nothing; decided notifications, the snapshot and the body limit. The round trip is in
 * export.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminder } from '../../../test/helpers/reminders.js';
import { useTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs } from '../../../test/helpers/ws.js';
import { NOW, exported, ids, importInto, isEmpty, ok, start } from '../../../test/helpers/export.js';

let a: TestServer;
let doc: any;
let text: string;

beforeAll(async () => {
  ({ server: a, doc, text } = await exported());
}, 120_000);
afterAll(async () => {
  await a?.close();
});

describe('a bad document', () => {
  const c = useTestServer({ now: NOW, timezone: 'Asia/Seoul' });

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

  it('takes a chain of subtasks thousands deep, listed children first', async () => {
    const deep = 20_000;
    const base = doc.tables.todos[0];
    const chain = Array.from({ length: deep }, (_, i) => ({
      ...base,
      id: `todo_deep_${i}`,
      title: `level ${i}`,
      parent_id: i === 0 ? null : `todo_deep_${i - 1}`,
    })).reverse();
    const d = JSON.parse(text);
    d.tables.todos.push(...chain);
    const fresh = await start();
    try {
      const res = await importInto(fresh, d);
      expect(res.status, res.text).toBe(200);
      const leaf = await fresh.request('GET', `/api/todos/todo_deep_${deep - 1}`);
      expect(leaf.json.parent_id).toBe(`todo_deep_${deep - 2}`);
    } finally {
      await fresh.close();
    }
  }, 120_000);

  it('imports a message whose card is malformed, and a press on it is a plain NOT_FOUND', async () => {
    const d = JSON.parse(text);
    const message = d.tables.messages[d.tables.messages.length - 1];
    message.metadata = JSON.stringify({ card: { card_type: 'todo_created', actions: 'not a list' } });
    const fresh = await start();
    try {
      expect((await importInto(fresh, d)).status).toBe(200);
      const ws = await connectWs(fresh);
      try {
        ws.send('action_response', { message_id: message.id, action: 'complete_todo', params: {} });
        const error = await ws.waitForType('error');
        expect(error.data.code).toBe('NOT_FOUND');
      } finally {
        await ws.close();
      }
    } finally {
      await fresh.close();
    }
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
    const standup = doc.tables.events.findIndex((e: { id: string }) => e.id === ids.standup);
    const memoFile = doc.tables.attachments.findIndex((r: { id: string }) => r.id === ids.memoFile);
    const refused = async (what: string, change: (d: any) => void, details: Record<string, unknown>) => {
      const res = await importInto(c, edited(change));
      expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(400);
      expect(res.json.error, what).toMatchObject({ code: 'VALIDATION_ERROR', details });
    };
    // One field of one row set to what the API would refuse, named back as table, row and field.
    const fieldCases: [what: string, table: string, row: number, field: string, value: unknown][] = [
      ['a rule the events API refuses', 'events', standup, 'recurrence_rule', 'FREQ=SOMETIMES'],
      [
        'a rule more often than once a minute',
        'events',
        standup,
        'recurrence_rule',
        'FREQ=HOURLY;BYSECOND=1,2',
      ],
      ['a zone that is no IANA zone', 'events', 0, 'timezone', 'Mars/Olympus_Mons'],
      ['a day that does not exist', 'todos', 12, 'due_date', '2026-02-30T10:00:00.000Z'],
      ['an end before the start', 'event_overrides', 0, 'end_time', '2026-03-01T00:00:00.000Z'],
      ['an unknown status', 'messages', 0, 'status', 'lost'],
      ['an unknown field', 'memos', 0, 'owner', 'mallory'],
      ['a content type that is no MIME type', 'attachments', memoFile, 'content_type', 'text/html<script>'],
      ['a file over MAX_UPLOAD_SIZE_MB', 'attachments', memoFile, 'size_bytes', 26 * 1_048_576],
      ['a file name with a path', 'attachments', memoFile, 'filename', '../../etc/passwd'],
      ['tags that are not a list of tags', 'memos', 0, 'tags', '["", 3]'],
    ];
    for (const [what, table, row, field, value] of fieldCases)
      await refused(what, (d) => (d.tables[table][row][field] = value), { table, row, field });
    // A setting is named by its table and field only.
    await refused(
      "the owner's zone",
      (d) => (d.tables.settings.find((r: { key: string }) => r.key === 'owner.timezone').value = 'Nowhere'),
      { table: 'settings', field: 'value' },
    );
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
  const e = useTestServer({ now: NOW, timezone: 'Asia/Seoul' });

  it('are skipped, and their keys kept as decided by no notification here', async () => {
    // The same reminder decided here under another id before the import.
    await e.built.services.notifications.decide(reminder('Dentist', 'in 30 minutes', 'test:dentist'));
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
  const d = useTestServer({ now: NOW, env: { IMPORT_LIMIT_MB: '2' } });

  const withFile = (bytes: number, name = 'big') => ({
    format: 'clawchat-export',
    version: 2,
    tables: {
      memos: [
        {
          id: `memo_${name}`,
          title: name,
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
          id: `att_${name}`,
          filename: `${name}.bin`,
          content_type: 'application/octet-stream',
          size_bytes: bytes,
          memo_id: `memo_${name}`,
          todo_id: null,
          created_at: '2026-03-10T01:00:00.000Z',
        },
      ],
    },
    attachments_data: { [`att_${name}`]: Buffer.alloc(bytes, 7).toString('base64') },
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

  it('leaves nothing behind when a file cannot be put in place (no row without its file)', async () => {
    const doc = withFile(1_000, 'blocked');
    // A non-empty folder where the file must go: the rename fails.
    fs.mkdirSync(path.join(d.config.attachmentsDir, 'att_blocked', 'inside'), { recursive: true });
    const res = await importInto(d, doc);
    expect(res.status).toBe(500);
    expect((await d.request('GET', '/api/memos/memo_blocked')).status).toBe(404);
    expect((await d.request('GET', '/api/attachments/att_blocked/download')).status).toBe(404);
  });

  it('answers 413 with the envelope past it', async () => {
    const res = await importInto(d, withFile(1_700_000));
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    // Other routes keep the general limit.
    const memo = await d.raw('POST', '/api/memos', {
      body: JSON.stringify({ content: 'y'.repeat(1_200_000) }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${d.token}` },
    });
    expect(memo.status).toBe(413);
  });
});
