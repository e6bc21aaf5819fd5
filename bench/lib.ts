/**
 * Small helpers shared by the benchmark sections: flags, a seeded random source, percentiles,
 * one clock for every process, /proc sampling of the server, and free ports.
 */
import fs from 'node:fs';
import net from 'node:net';

export type Mode = 'full' | 'quick' | 'smoke';

/** One clock for every process on the machine: CLOCK_MONOTONIC in milliseconds (fractional). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A deterministic random source (mulberry32), so a seed always gives the same dataset. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof createRandom>;

/** Nearest-rank percentile of an ascending list (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarise(samples: number[]): {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, x) => s + x, 0) / sorted.length : Number.NaN;
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean,
  };
}

export const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

/** A TCP port nothing listens on right now (the server is then started on it). */
export async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE_BYTES = 4096;

export interface ProcSample {
  at: number;
  /** CPU seconds (user + system) since the process started. */
  cpuSeconds: number;
  rssBytes: number;
}

/** CPU time and resident memory of a process, from /proc (null when it is gone or not Linux). */
export function sampleProc(pid: number): ProcSample | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const rssBytes = rss ? Number(rss[1]) * 1024 : Number(fields[21]) * PAGE_BYTES;
    return { at: nowMs(), cpuSeconds: (utime + stime) / CLOCK_TICKS, rssBytes };
  } catch {
    return null;
  }
}

/**
 * Samples a process every `everyMs` until stopped: CPU use over the window (percent of one
 * core) and RSS (start, end, max).
 */
export function watchProc(pid: number, everyMs = 250) {
  const samples: ProcSample[] = [];
  const take = () => {
    const s = sampleProc(pid);
    if (s) samples.push(s);
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      const first = samples[0];
      const last = samples.at(-1);
      if (!first || !last || last.at === first.at)
        return {
          cpuPercent: Number.NaN,
          rssStartMiB: Number.NaN,
          rssEndMiB: Number.NaN,
          rssMaxMiB: Number.NaN,
        };
      return {
        cpuPercent: round(((last.cpuSeconds - first.cpuSeconds) / ((last.at - first.at) / 1000)) * 100, 1),
        rssStartMiB: mib(first.rssBytes),
        rssEndMiB: mib(last.rssBytes),
        rssMaxMiB: mib(Math.max(...samples.map((s) => s.rssBytes))),
      };
    },
  };
}

/**
 * Waits until the process is nearly idle (CPU under `below` percent of a core over a short
 * window): after a load run ends, the server may still be working through requests that were
 * queued when the clients stopped, and the next measurement must not inherit them.
 * `dbBusy`: on PostgreSQL the queued work runs in the database's own processes, which the
 * server's CPU does not show. Returns the seconds waited.
 */
export async function waitIdle(
  pid: number,
  maxSeconds: number,
  below = 15,
  dbBusy?: () => Promise<boolean>,
): Promise<number> {
  const started = nowMs();
  let prev = sampleProc(pid);
  while (prev && nowMs() - started < maxSeconds * 1000) {
    await sleep(250);
    const cur = sampleProc(pid);
    if (!cur) break;
    const percent = ((cur.cpuSeconds - prev.cpuSeconds) / ((cur.at - prev.at) / 1000)) * 100;
    if (percent < below && !(await dbBusy?.())) break;
    prev = cur;
  }
  return round((nowMs() - started) / 1000, 1);
}

export const mib = (bytes: number): number => round(bytes / 1_048_576, 1);

/** `--name=value` and `--flag` arguments. */
export function parseFlags(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const arg of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (m) out.set(m[1]!, m[2] ?? true);
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const startedAt = nowMs();

/** Progress on stderr, with the seconds since the harness started. */
export function log(line: string): void {
  process.stderr.write(`[bench +${((nowMs() - startedAt) / 1000).toFixed(1)}s] ${line}\n`);
}
