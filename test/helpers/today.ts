/** The Today tests' reads and writes: the /api/today body, items made for a day, the clock moved. */
import { expect } from 'vitest';
import { created, fetched } from './factories.js';
import { TEST_PIN, type TestServer } from './server.js';

export interface Todo {
  id: string;
  title: string;
  status: string;
  due_date: string | null;
}
export interface Occurrence {
  id: string;
  title: string;
  start_time: string;
  end_time: string | null;
  occurrence_start: string;
  is_all_day: boolean;
  is_recurring: boolean;
}
export interface Today {
  today_tasks: Todo[];
  overdue_tasks: Todo[];
  today_events: Occurrence[];
  today_tasks_total: number;
  overdue_total: number;
  today_events_total: number;
  inbox_count: number;
  greeting: string;
  date: string;
  timezone: string;
}

export async function today(s: TestServer, tz?: string): Promise<Today> {
  return fetched<Today>(s, tz === undefined ? '/api/today' : `/api/today?tz=${encodeURIComponent(tz)}`);
}

export async function todo(
  s: TestServer,
  title: string,
  fields: Record<string, unknown> = {},
): Promise<Todo> {
  return created<Todo>(s, '/api/todos', { title, ...fields });
}

export async function event(
  s: TestServer,
  title: string,
  fields: Record<string, unknown>,
): Promise<Occurrence> {
  return created<Occurrence>(s, '/api/events', { title, ...fields });
}

/** Moves the clock, logging in again: access tokens expire by the same clock. */
export async function setNow(s: TestServer, iso: string): Promise<void> {
  s.clock.set(iso);
  const res = await s.request<{ access_token: string }>(
    'POST',
    '/api/auth/login',
    { pin: TEST_PIN },
    { authorization: '' },
  );
  expect(res.status, res.text).toBe(200);
  s.token = res.json.access_token;
}

export const titles = (items: Array<{ title: string }>) => items.map((i) => i.title);

/** Deletes every todo and event, so each case starts from an empty day. */
export async function clear(s: TestServer): Promise<void> {
  for (const path of ['/api/todos', '/api/events']) {
    const list = await s.request<{ items: Array<{ id: string }> }>('GET', `${path}?limit=100`);
    for (const id of new Set(list.json.items.map((i) => i.id)))
      expect((await s.request('DELETE', `${path}/${id}`)).status).toBe(204);
  }
}
