/**
 * Is the AI provider reachable? A cached probe (`GET <base>/v1/models`): answered from cache
 * while fresh, refreshed in the background when stale, so /api/health never waits long.
 * Real calls feed it too (`report`), so a refused connection is known at once.
 */
import type { Config } from '../config.js';

const FRESH_MS = 10_000;
const PROBE_TIMEOUT_MS = 1_500;

/** The OpenAI-compatible root: the base URL with exactly one `/v1`. */
export function openAiBaseUrl(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

export interface AiHealthProbe {
  /** Reachability: cached while fresh; the first call waits for one probe (at most 1.5 s). */
  (): Promise<boolean | null>;
  /** The last known value without waiting (null: not known yet, or no provider); refreshes in the background when stale. */
  current(): boolean | null;
  /** Evidence from a real call: a refused connection (false) or an answer (true). */
  report(ok: boolean): void;
}

export function createAiHealthProbe(
  ai: Config['ai'],
  opts: { freshMs?: number; timeoutMs?: number } = {},
): AiHealthProbe {
  if (ai.provider === 'none') {
    return Object.assign(async () => null, { current: () => null, report: () => {} });
  }
  const freshMs = opts.freshMs ?? FRESH_MS;
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  let value: boolean | null = null;
  let checkedAt = 0;
  let inFlight: Promise<boolean> | null = null;

  async function probe(): Promise<boolean> {
    try {
      const res = await fetch(`${openAiBaseUrl(ai.baseUrl)}/models`, {
        headers: ai.apiKey ? { authorization: `Bearer ${ai.apiKey}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      // Any HTTP answer below 500 means the server is there (some have no /models route, or
      // want another key for it); only network errors, timeouts and 5xx mean it is down.
      return res.status < 500;
    } catch {
      return false;
    }
  }

  function refresh(): Promise<boolean> {
    inFlight ??= probe().then((ok) => {
      value = ok;
      checkedAt = Date.now();
      inFlight = null;
      return ok;
    });
    return inFlight;
  }

  const stale = () => value === null || Date.now() - checkedAt > freshMs;

  return Object.assign(
    async (): Promise<boolean | null> => {
      if (value === null) return refresh();
      if (stale()) void refresh();
      return value;
    },
    {
      current(): boolean | null {
        if (stale()) void refresh();
        return value;
      },
      report(ok: boolean): void {
        value = ok;
        checkedAt = Date.now();
      },
    },
  );
}
