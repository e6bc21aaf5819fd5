import { useEffect, useRef, useState } from 'preact/hooks';
import { login } from '../api/login';

/** "45 seconds", or "15 minutes" for a long lockout (rounded up, so it is never too early). */
function waitText(seconds: number): string {
  if (seconds <= 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

export function SignIn() {
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (waitUntil === null) return;
    const t = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= waitUntil) {
        setWaitUntil(null);
        setError(null);
      }
    }, 1000);
    return () => clearInterval(t);
  }, [waitUntil]);

  const wait = waitUntil === null ? 0 : Math.max(0, Math.ceil((waitUntil - now) / 1000));

  async function submit(e: Event) {
    e.preventDefault();
    if (busy || wait > 0 || pin === '') return;
    setBusy(true);
    setError(null);
    const result = await login(pin);
    setBusy(false);
    if (result.ok) return;
    setError(result.message);
    if (result.retryAfter) {
      setNow(Date.now());
      setWaitUntil(Date.now() + result.retryAfter * 1000);
    }
    setPin('');
    input.current?.focus();
  }

  return (
    <main class="signin">
      <form class="card signin-card" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <img src="/icon.svg" alt="" width={56} height={56} />
        <h1 id="signin-title">Sign in to ClawChat</h1>
        <label for="pin">PIN</label>
        <input
          id="pin"
          ref={input}
          type="password"
          inputMode="numeric"
          autoComplete="current-password"
          autoFocus
          value={pin}
          onInput={(e) => setPin(e.currentTarget.value)}
          aria-describedby={error ? 'signin-error' : undefined}
          aria-invalid={error ? true : undefined}
        />
        {error && (
          <p id="signin-error" class="error" role="alert">
            {error}
            {wait > 0 && ` Try again in ${waitText(wait)}.`}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || wait > 0 || pin === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
