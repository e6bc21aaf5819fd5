/**
 * Loaded into the server under test with `node --import` by bench/loop.ts (never by the app),
 * active only with BENCH_LOOP_PROBE=1. Two measures of how long the event loop was held:
 * - `maxMs`, `p99Ms`, `meanMs`: perf_hooks.monitorEventLoopDelay, in wall-clock time, which on a
 *   loaded machine also counts the time the OS ran other processes;
 * - `cpuMaxMs`: the most CPU time the process used between two ticks of a 5 ms timer, that is
 *   the longest stretch of work the loop ran without a break, whatever else the machine did.
 * On SIGUSR2 it writes one line `BENCH_LOOP_DELAY {...}` to stderr and starts over. No endpoint.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';

if (process.env.BENCH_LOOP_PROBE === '1') {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let lastCpu = cpuNow();
  let cpuMax = 0;
  setInterval(() => {
    const cpu = cpuNow();
    cpuMax = Math.max(cpuMax, cpu - lastCpu);
    lastCpu = cpu;
  }, 5).unref();
  const ms = (ns) => Math.round(ns / 10_000) / 100;
  let seq = 0;
  process.on('SIGUSR2', () => {
    const stats = {
      seq: ++seq,
      maxMs: ms(histogram.max),
      p99Ms: ms(histogram.percentile(99)),
      meanMs: ms(histogram.mean),
      cpuMaxMs: Math.round(cpuMax * 100) / 100,
      samples: histogram.count,
    };
    histogram.reset();
    cpuMax = 0;
    lastCpu = cpuNow();
    process.stderr.write(`BENCH_LOOP_DELAY ${JSON.stringify(stats)}\n`);
  });
}
