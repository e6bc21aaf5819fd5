/**
 * The export/import tests' fixture (src/modules/export/*.test.ts): a server holding data of
 * every kind, its export, and the reads that compare two servers.
 */
import fs from 'node:fs';
import { expect } from 'vitest';
import { startTestServer, type TestServer } from './server.js';

export const NOW = '2026-03-10T01:00:00Z';
export const start = () => startTestServer({ now: NOW, timezone: 'Asia/Seoul' });

/** Ids of what `seed` made, by name. */
export const ids: Record<string, string> = {};

export async function until<T>(what: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await what();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

export async function upload(s: TestServer, query: string, bytes: Buffer, name: string): Promise<string> {
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

export async function ok(s: TestServer, method: string, path: string, body?: unknown) {
  const res = await s.request(method, path, body);
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  return res.json;
}

/** Data of every kind: settings, todos (a subtree, a relationship), events, memos, files, chat, tasks, notifications. */
export async function seed(s: TestServer): Promise<void> {
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
export async function lists(s: TestServer): Promise<Record<string, unknown>> {
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

export const importInto = (s: TestServer, body: unknown) =>
  s.raw('POST', '/api/import', {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
  });

export async function isEmpty(s: TestServer): Promise<void> {
  expect((await s.request('GET', '/api/todos')).json.total).toBe(0);
  expect((await s.request('GET', '/api/memos')).json.total).toBe(0);
  expect((await s.request('GET', '/api/chat/conversations')).json.items).toEqual([]);
  expect((await s.request('GET', '/api/settings')).json.timezone).toBe('Asia/Seoul');
  expect(fs.readdirSync(s.config.attachmentsDir)).toEqual([]);
}

/** A seeded server and its export, as a download. */
export async function exported(): Promise<{ server: TestServer; text: string; doc: any; headers: Headers }> {
  const server = await start();
  await seed(server);
  const res = await fetch(`${server.url}/api/export`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  return { server, text, doc: JSON.parse(text), headers: res.headers };
}
