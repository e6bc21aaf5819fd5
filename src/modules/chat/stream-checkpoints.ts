/**
 * The text of replies still streaming, saved now and then so that a crash keeps what was
 * already shown. Every reply in flight is saved by one shared writer: all the texts that
 * changed go out in one transaction (one fsync on SQLite) at most every SAVE_EVERY_MS, so a
 * thousand streams cost four commits a second, not thousands. A lone reply's first text and
 * any text after a quiet spell are written on the next tick.
 */
export interface StreamCheckpoints {
  /** The reply's text so far (replaces what was queued for it). */
  update(messageId: string, content: string): void;
  /** The reply is ending: its queued text is dropped (the final commit writes the whole). */
  forget(messageId: string): void;
  /** Writes what is queued now; resolves once nothing is in flight. */
  flush(): Promise<void>;
}

const SAVE_EVERY_MS = 250;

/**
 * `save` writes a batch in one transaction, updating only rows still `streaming` (so a batch
 * that lands after a reply's final commit changes nothing).
 */
export function createStreamCheckpoints(
  save: (batch: ReadonlyArray<readonly [messageId: string, content: string]>) => Promise<unknown>,
  onError: (err: unknown) => void,
): StreamCheckpoints {
  const queued = new Map<string, string>();
  let lastAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | null = null;

  function write(): void {
    timer = undefined;
    if (writing !== null || queued.size === 0) return;
    const batch = [...queued];
    queued.clear();
    lastAt = Date.now();
    writing = save(batch)
      .then(() => undefined, onError)
      .finally(() => {
        writing = null;
        schedule();
      });
  }

  function schedule(): void {
    if (timer !== undefined || writing !== null || queued.size === 0) return;
    // At least one tick, so the chunks of every stream that arrived together share the write.
    timer = setTimeout(write, Math.max(0, SAVE_EVERY_MS - (Date.now() - lastAt)));
    timer.unref();
  }

  return {
    update(messageId, content) {
      queued.set(messageId, content);
      schedule();
    },
    forget(messageId) {
      queued.delete(messageId);
    },
    async flush() {
      // Text queued while a write was in flight goes out too, not on a later timer.
      while (writing !== null || queued.size > 0) {
        clearTimeout(timer);
        timer = undefined;
        if (writing === null) write();
        if (writing !== null) await writing;
      }
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
