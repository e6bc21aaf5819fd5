/**
 * The recurring series in memory, with their expansions per window, for the reads that need
 * every series: a calendar window, "today", the briefing and the reminders. Loading and
 * expanding a few thousand series costs tens of milliseconds; a series changes only through a
 * write, and every write to one bumps `series_generation` (a trigger, migration 0005). Each read
 * checks that one row and starts again when it moved, whichever process or tool wrote.
 */
import type { EventRow } from '../../db/schema.js';

export interface SeriesSource<S> {
  generation(): Promise<string>;
  /** Every recurring series, by first start. */
  load(): Promise<EventRow[]>;
  /** The series' occurrences overlapping [from, to), in `order`. */
  expand(row: EventRow, from: Date, to: Date): S[];
  order(a: S, b: S): number;
  /** Whether the series has an occurrence before its first start (a moved one, occurrences.ts). */
  startsEarly?(row: EventRow): boolean;
}

/** Work between two yields to the event loop while a window is expanded. */
const SLICE_MS = 10;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Windows remembered per generation (today, this week, the reminder horizon, ...). */
const MAX_WINDOWS = 32;
/** A window with more occurrences than this (a year of daily series) is expanded each time. */
const MAX_CACHED_SLOTS = 20_000;

interface State<S> {
  generation: string;
  rows: EventRow[];
  windows: Map<string, S[]>;
  /** Windows being expanded now: concurrent reads of one window share the work. */
  expanding: Map<string, Promise<S[]>>;
}

function merge<S>(a: S[], b: S[], order: (x: S, y: S) => number): S[] {
  const out = new Array<S>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = order(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

export type SeriesCache<S> = ReturnType<typeof createSeriesCache<S>>;

export function createSeriesCache<S>(source: SeriesSource<S>) {
  let state: State<S> | null = null;
  let loading: { generation: string; done: Promise<State<S>> } | null = null;

  async function current(): Promise<State<S>> {
    const generation = await source.generation();
    if (state?.generation === generation) return state;
    // Concurrent reads of one generation share one load. A load is labelled with the generation
    // read before its rows, so its rows are never older than its label.
    if (loading?.generation !== generation) {
      const mine = {
        generation,
        done: source.load().then((rows) => {
          const loaded = {
            generation,
            rows,
            windows: new Map<string, S[]>(),
            expanding: new Map<string, Promise<S[]>>(),
          };
          if (loading === mine) {
            state = loaded;
            loading = null;
          }
          return loaded;
        }),
      };
      mine.done.catch(() => {
        if (loading === mine) loading = null;
      });
      loading = mine;
    }
    return loading.done;
  }

  /** Every occurrence of every series of `s` overlapping [from, to), sorted. */
  async function expand(s: State<S>, from: Date, to: Date): Promise<S[]> {
    const end = to.getTime();
    // Each series' occurrences come sorted: merge the runs pairwise (not one sort of them all),
    // so the work can stop for other requests between merges.
    let runs: S[][] = [];
    let sliceStart = performance.now();
    const pause = async () => {
      // Thousands of series take longer than a request may hold the event loop: let others in.
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
    };
    for (const row of s.rows) {
      // Rows are by first start: only a series with an occurrence moved earlier can follow.
      if (Date.parse(row.start_time) >= end && !source.startsEarly?.(row)) continue;
      const run = source.expand(row, from, to);
      if (run.length > 0) runs.push(run);
      await pause();
    }
    while (runs.length > 1) {
      const next: S[][] = [];
      for (let i = 0; i < runs.length; i += 2) {
        next.push(
          i + 1 < runs.length ? merge(runs[i]!, runs[i + 1]!, (a, b) => source.order(a, b)) : runs[i]!,
        );
        await pause();
      }
      runs = next;
    }
    return runs[0] ?? [];
  }

  return {
    /** Every occurrence of every series overlapping [from, to), sorted. Do not mutate it. */
    async between(from: Date, to: Date): Promise<readonly S[]> {
      const s = await current();
      const key = `${from.getTime()}/${to.getTime()}`;
      const cached = s.windows.get(key);
      if (cached) {
        s.windows.delete(key); // least recently used goes first
        s.windows.set(key, cached);
        return cached;
      }
      // Fifty requests for a week nobody asked for yet would each expand every series.
      let pending = s.expanding.get(key);
      if (!pending) {
        pending = expand(s, from, to).finally(() => s.expanding.delete(key));
        s.expanding.set(key, pending);
      }
      const slots = await pending;
      if (slots.length <= MAX_CACHED_SLOTS && !s.windows.has(key)) {
        if (s.windows.size >= MAX_WINDOWS) s.windows.delete(s.windows.keys().next().value!);
        s.windows.set(key, slots);
      }
      return slots;
    },
  };
}
