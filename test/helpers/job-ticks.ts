/** Ticking a job by hand at a series of times, as the scheduler would over a stretch of the day. */
import type { Harness } from './jobs.js';

/**
 * Sets the clock to each time in turn (a Seoul wall time or an instant with `Z`, as `h.at`) and
 * ticks `job` there; the last tick's result.
 */
export async function tickAt(h: Harness, job: string, ...times: string[]): Promise<unknown> {
  let result: unknown;
  for (const time of times) {
    h.at(time);
    result = await h.tick(job);
  }
  return result;
}
