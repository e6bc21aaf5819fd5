/**
 * Is the AI provider reachable? A cached probe (`GET <base>/v1/models`): answered from cache
 * while fresh, refreshed in the background when stale, so /api/health never waits long.
 */
import type { Config } from '../config.js';

const FRESH_MS = 10_000;
const PROBE_TIMEOUT_MS = 1_500;

/** The OpenAI-compatible root: the base URL with exactly one `/v1`. */
export function openAiBaseUrl(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

export function createAiHealthProbe(ai: Config['ai']): () => Promise<boolean | null> {
  if (ai.provider === 'none') return async () => null;
  let value: boolean | null = null;
  let checkedAt = 0;
  let inFlight: Promise<boolean> | null = null;

  async function probe(): Promise<boolean> {
    try {
      const res = await fetch(`${openAiBaseUrl(ai.baseUrl)}/models`, {
        headers: ai.apiKey ? { authorization: `Bearer ${ai.apiKey}` } : {},
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await res.body?.cancel();
      return res.ok;
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

  return async () => {
    if (value === null) return refresh();
    if (Date.now() - checkedAt > FRESH_MS) void refresh();
    return value;
  };
}
