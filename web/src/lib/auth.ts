/**
 * The session: the access token lives in memory only; the refresh token is kept in
 * localStorage so a reload stays signed in. Refreshes are serialised across tabs (Web Locks)
 * and always use the newest stored refresh token, because the server rotates it and treats a
 * reused one as theft (it would sign every tab out).
 */
const REFRESH_KEY = 'clawchat.refresh_token';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

type Listener = () => void;

let accessToken: string | null = null;
let status: 'unknown' | 'signed_in' | 'signed_out' = localStorage.getItem(REFRESH_KEY)
  ? 'unknown'
  : 'signed_out';
const listeners = new Set<Listener>();
let inflight: Promise<string | null> | null = null;

function emit(): void {
  for (const l of listeners) l();
}

export const auth = {
  get token(): string | null {
    return accessToken;
  },
  get status() {
    return status;
  },
  subscribe: (l: Listener): (() => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  accept(pair: TokenPair): void {
    accessToken = pair.access_token;
    localStorage.setItem(REFRESH_KEY, pair.refresh_token);
    status = 'signed_in';
    emit();
  },
  /** Forget the session locally (after logout, or when the server no longer accepts it). */
  clear(): void {
    accessToken = null;
    localStorage.removeItem(REFRESH_KEY);
    status = 'signed_out';
    emit();
  },
  /** A new access token from the stored refresh token; null (and signed out) if refused. */
  refresh(): Promise<string | null> {
    inflight ??= withLock(doRefresh).finally(() => {
      inflight = null;
    });
    return inflight;
  },
};

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  if ('locks' in navigator) return navigator.locks.request('clawchat-refresh', fn);
  return fn();
}

async function doRefresh(): Promise<string | null> {
  const stored = localStorage.getItem(REFRESH_KEY);
  if (!stored) {
    auth.clear();
    return null;
  }
  let res: Response;
  try {
    res = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: stored }),
    });
  } catch {
    // Offline: keep the stored token for the next try, but do not hang on the splash screen.
    if (status === 'unknown') {
      status = 'signed_out';
      emit();
    }
    return null;
  }
  if (res.status === 401) {
    // Another tab may have rotated it meanwhile: only a refusal of the newest token ends the session.
    if (localStorage.getItem(REFRESH_KEY) === stored) auth.clear();
    return null;
  }
  if (!res.ok) {
    if (status === 'unknown') {
      status = 'signed_out';
      emit();
    }
    return null;
  }
  const pair = (await res.json()) as TokenPair;
  auth.accept(pair);
  return pair.access_token;
}

// Signing out in one tab signs out every tab.
window.addEventListener('storage', (e) => {
  if (e.key === REFRESH_KEY && e.newValue === null && status === 'signed_in') {
    accessToken = null;
    status = 'signed_out';
    emit();
  }
});
