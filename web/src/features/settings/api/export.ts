import { useMutation } from '@tanstack/preact-query';
import { auth } from '../../../lib/auth';

/**
 * GET /api/export as a file download. Fetched with the bearer token (a plain link would need
 * the token in the URL), then handed to the browser as a blob. A 404 means this server has
 * no export yet, said plainly.
 */
export async function downloadExport(): Promise<string> {
  const get = (token: string | null) =>
    fetch('/api/export', { headers: token ? { authorization: `Bearer ${token}` } : {} });
  let res = await get(auth.token);
  if (res.status === 401) res = await get(await auth.refresh());
  if (res.status === 404) throw new Error('This server does not offer an export yet (update ClawChat).');
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `Export failed (HTTP ${res.status}).`);
  }
  const blob = await res.blob();
  const name =
    /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ??
    `clawchat-export-${new Date().toISOString().slice(0, 10)}.json`;
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return name;
}

export function useExport() {
  return useMutation({ mutationFn: downloadExport });
}
