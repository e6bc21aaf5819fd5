/**
 * Loaded into the server under test with `node --import` by bench/loop.ts (never by the app):
 * measures the event loop's delay with perf_hooks and, on SIGUSR2, writes one line
 * `BENCH_LOOP_DELAY {"seq":..,"maxMs":..,"p99Ms":..,"meanMs":..,"samples":..}` to stderr and starts
 * over. Only when BENCH_LOOP_PROBE=1, so loading it by mistake does nothing. No endpoint.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';

if (process.env.BENCH_LOOP_PROBE === '1') {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ms = (ns) => Math.round(ns / 10_000) / 100;
  let seq = 0;
  process.on('SIGUSR2', () => {
    const stats = {
      seq: ++seq,
      maxMs: ms(histogram.max),
      p99Ms: ms(histogram.percentile(99)),
      meanMs: ms(histogram.mean),
      samples: histogram.count,
    };
    histogram.reset();
    process.stderr.write(`BENCH_LOOP_DELAY ${JSON.stringify(stats)}\n`);
  });
}
