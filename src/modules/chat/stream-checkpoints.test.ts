import { describe, expect, it } from 'vitest';
import { createStreamCheckpoints } from './stream-checkpoints.js';

describe('stream checkpoints', () => {
  it('flush writes text queued while an earlier write was still in flight', async () => {
    const saved: string[] = [];
    let release!: () => void;
    let first = true;
    const checkpoints = createStreamCheckpoints(
      async (batch) => {
        if (first) {
          first = false;
          await new Promise<void>((resolve) => (release = resolve));
        }
        for (const [, content] of batch) saved.push(content);
      },
      (err) => {
        throw err;
      },
    );
    checkpoints.update('msg_1', 'a');
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first write starts and waits
    checkpoints.update('msg_1', 'ab');
    const flushed = checkpoints.flush();
    release();
    await flushed;
    expect(saved).toEqual(['a', 'ab']);
  });
});
