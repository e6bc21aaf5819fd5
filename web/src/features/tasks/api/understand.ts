/**
 * The quick-add preview: POST /api/understand says what the offline understander reads in a
 * line ("pay rent friday !high #home") without acting. The endpoint is new; a server without it
 * answers 404, and the quick-add then saves the raw title with no preview.
 */
import { api } from '../../../lib/api';
import type { Priority } from './keys';

export interface Understood {
  intent: string;
  params: { title?: string; due_date?: string | null; priority?: Priority; tags?: string[] };
}

// Not in the generated paths until the endpoint merges; the cast is the one untyped call here.
const untyped = api as unknown as {
  POST(
    path: string,
    init: { body: unknown },
  ): Promise<{ data?: unknown; error?: unknown; response: Response }>;
};

let unavailable = false;

/** The understood fields, or null when the server has no understander (404) or it failed. */
export async function understand(text: string): Promise<Understood | null> {
  if (unavailable || !text.trim()) return null;
  try {
    const res = await untyped.POST('/api/understand', { body: { text } });
    if (res.response.status === 404) {
      unavailable = true;
      return null;
    }
    if (res.error !== undefined || !res.data) return null;
    return res.data as Understood;
  } catch {
    return null;
  }
}
