/**
 * The typed API client: paths, bodies and answers come from the server's OpenAPI document
 * (api-types.ts, generated at build), so a changed schema breaks the build, not the screen.
 * Every request carries the access token; a 401 refreshes the session once and retries.
 */
import createClient from 'openapi-fetch';
import type { paths, components } from './api-types';
import { auth } from './auth';

export type Schemas = components['schemas'];
export type ApiError = Schemas['ErrorResponse'];

async function authedFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const withToken = (req: Request, token: string | null) => {
    if (token) req.headers.set('authorization', `Bearer ${token}`);
    return fetch(req);
  };
  const res = await withToken(input, auth.token);
  if (res.status !== 401 || input.url.includes('/api/auth/')) return res;
  const token = await auth.refresh();
  return token ? withToken(retry, token) : res;
}

export const api = createClient<paths>({ baseUrl: '/', fetch: authedFetch });

/** The envelope's message, or a generic one, for showing to a person. */
export function errorMessage(error: unknown, fallback = 'Something went wrong. Please try again.'): string {
  const e = error as Partial<ApiError> | undefined;
  return e?.error?.message ?? (error instanceof Error ? error.message : fallback);
}

/** Throws the error body so TanStack Query sees a failure; returns the data otherwise. */
export function unwrap<T>(result: { data?: T; error?: unknown }): T {
  if (result.error !== undefined) throw new Error(errorMessage(result.error));
  return result.data as T;
}
