/** Refresh-token reuse as a thief would cause it. */
import { expect } from 'vitest';
import type { TestServer } from './server.js';

/**
 * Refreshes with `refreshToken`, uses its successor, then presents `refreshToken` again: that is
 * reuse (COMPAT.md), answered 401, and it revokes the session.
 */
export async function reuseRefreshToken(s: TestServer, refreshToken: string): Promise<void> {
  const next = await s.request('POST', '/api/auth/refresh', { refresh_token: refreshToken });
  expect(next.status).toBe(200);
  expect(
    (await s.request('POST', '/api/auth/refresh', { refresh_token: next.json.refresh_token })).status,
  ).toBe(200);
  expect((await s.request('POST', '/api/auth/refresh', { refresh_token: refreshToken })).status).toBe(401);
}
