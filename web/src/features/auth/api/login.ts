import { auth, type TokenPair } from '../../../lib/auth';
import { socket } from '../../../lib/socket';
import { api } from '../../../lib/api';

export type LoginResult = { ok: true } | { ok: false; message: string; retryAfter?: number };

/** Wrong PIN and the lockout are answered plainly, with the wait time. */
export async function login(pin: string): Promise<LoginResult> {
  let res: Response;
  try {
    res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pin }),
    });
  } catch {
    return { ok: false, message: 'Cannot reach the server. Check your connection and try again.' };
  }
  if (res.ok) {
    auth.accept((await res.json()) as TokenPair);
    return { ok: true };
  }
  if (res.status === 429) {
    const retryAfter = Math.max(1, Number(res.headers.get('retry-after') ?? '60') || 60);
    return { ok: false, message: 'Too many wrong attempts.', retryAfter };
  }
  if (res.status === 401) return { ok: false, message: 'Wrong PIN. Please try again.' };
  if (res.status === 400) return { ok: false, message: 'Enter your PIN (digits only).' };
  return { ok: false, message: `The server could not sign you in (HTTP ${res.status}).` };
}

export async function logout(): Promise<void> {
  socket.stop();
  // Revoking is best effort: the local session ends either way.
  await api.POST('/api/auth/logout').catch(() => undefined);
  auth.clear();
}
