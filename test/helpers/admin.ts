/** The owner-console tests' reads: a fresh login (optionally from a given browser), the activity log. */
import { expect } from 'vitest';
import { TEST_PIN, type TestServer } from './server.js';

export async function login(s: TestServer, userAgent?: string) {
  const res = await s.request(
    'POST',
    '/api/auth/login',
    { pin: TEST_PIN },
    userAgent ? { 'user-agent': userAgent } : {},
  );
  expect(res.status).toBe(200);
  return res.json as { access_token: string; refresh_token: string };
}

/** The activity log, polled until `pred` holds (entries written after the answer was sent). */
export async function activityUntil(s: TestServer, pred: (items: any[]) => boolean): Promise<any[]> {
  let items: any[] = [];
  for (let i = 0; i < 50; i++) {
    items = (await s.request('GET', '/api/admin/activity')).json.items;
    if (pred(items)) return items;
    await new Promise((r) => setTimeout(r, 20));
  }
  return items;
}
