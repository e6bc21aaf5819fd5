/**
 * Items made through the real API, with defaults a test overrides only where it matters:
 * `await todo(s, { due_date: '2026-03-11' })`. Each fails the test unless it was created (201).
 */
import { expect } from 'vitest';
import type { TestServer } from './server.js';

/** POST `body` to `path`, failing the test unless it answers 201; the created item. */
export async function created<T = any>(
  s: TestServer,
  path: string,
  body: Record<string, unknown>,
): Promise<T> {
  const res = await s.request<T>('POST', path, body);
  expect(res.status, `POST ${path}: ${res.text}`).toBe(201);
  return res.json;
}

/** GET `path`, failing the test unless it answers 200; the body. */
export async function fetched<T = any>(s: TestServer, path: string): Promise<T> {
  const res = await s.request<T>('GET', path);
  expect(res.status, `GET ${path}: ${res.text}`).toBe(200);
  return res.json;
}

export interface MadeItem {
  id: string;
  title: string;
  [field: string]: unknown;
}

let made = 0;
const next = (what: string) => `${what} ${++made}`;

export const todo = (s: TestServer, fields: Record<string, unknown> = {}) =>
  created<MadeItem>(s, '/api/todos', { title: next('Todo'), ...fields });

export const event = (s: TestServer, fields: Record<string, unknown> = {}) =>
  created<MadeItem>(s, '/api/events', {
    title: next('Event'),
    start_time: new Date(s.clock.now().getTime() + 3_600_000).toISOString(),
    ...fields,
  });

export const memo = (s: TestServer, fields: Record<string, unknown> = {}) =>
  created<MadeItem>(s, '/api/memos', { content: next('Memo'), ...fields });

export const conversation = (s: TestServer, title = next('Conversation')) =>
  created<MadeItem>(s, '/api/chat/conversations', { title });
