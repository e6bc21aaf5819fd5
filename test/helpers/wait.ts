/** Polling for a state the server reaches on its own time (a worker, a restart). */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads until `ok` holds, every 20 ms, failing with the last value read after `timeoutMs`. */
export async function until<T>(
  read: () => Promise<T> | T,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 8_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await sleep(20);
  }
}
