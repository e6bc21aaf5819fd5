/**
 * One occurrence of a recurring event (COMPAT.md): PATCH/DELETE
 * /api/events/{id}/occurrences/{date}?mode=this_only|this_and_future|all. Not in the typed
 * client until the server publishes it, so these go through fetch with the same bearer token.
 * A 404 or 405 from a server without the API is told apart from a real error.
 */
import { auth } from '../../../lib/auth';
import type { EventBody } from './events';

export type Scope = 'this_only' | 'this_and_future' | 'all';

/** The server does not offer per-occurrence changes (yet): the screen offers "all events". */
export class OccurrenceApiMissing extends Error {
  constructor() {
    super('This server cannot change a single occurrence yet.');
  }
}

async function call(method: 'PATCH' | 'DELETE', id: string, date: string, mode: Scope, body?: EventBody) {
  const url = `/api/events/${encodeURIComponent(id)}/occurrences/${date}?mode=${mode}`;
  const send = (token: string | null) =>
    fetch(url, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  let res = await send(auth.token);
  if (res.status === 401) res = await send(await auth.refresh());
  if (res.ok) return;
  const err = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  // The server's unknown-route 404 says "Route PATCH:/... not found"; the API's own 404 does not.
  if (res.status === 405 || (res.status === 404 && /^Route /.test(err?.error?.message ?? '')))
    throw new OccurrenceApiMissing();
  throw new Error(err?.error?.message ?? `HTTP ${res.status}`);
}

export const patchOccurrence = (id: string, date: string, mode: Scope, body: EventBody) =>
  call('PATCH', id, date, mode, body);
export const deleteOccurrence = (id: string, date: string, mode: Scope) => call('DELETE', id, date, mode);
