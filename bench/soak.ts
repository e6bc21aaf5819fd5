/**
 * Soak: mixed load for a long while (10 minutes in a full run): every REST endpoint of the REST
 * section in turn on 10 connections, 10 conversations streaming chat turns, 20 idle sockets
 * receiving everything. The server's RSS is sampled each second: after the warm-up (the first
 * 20%) and at the end it should be the same but for noise.
 */
import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import WebSocket from 'ws';
import { runLevel, type ChatLevel } from './chat.js';
import type { Manifest } from './generate.js';
import { log, mib, round, sleep, watchProc, type Mode } from './lib.js';
import type { ProviderHandle } from './provider.js';
import { endpoints } from './rest.js';
import type { ServerHandle } from './server.js';

const SECONDS: Record<Mode, number> = { full: 600, quick: 12, smoke: 3 };
const CHAT_USERS = 10;
const IDLE_SOCKETS = 20;

export interface SoakSection {
  seconds: number;
  requests: number;
  rps: number;
  errors: number;
  chat: Pick<ChatLevel, 'turns' | 'failedTurns' | 'chunksLost' | 'laterChunks'>;
  rssBeforeMiB: number;
  /** After the warm-up (the first 20% of the run). */
  rssStartMiB: number;
  rssEndMiB: number;
  rssMaxMiB: number;
  /** Least-squares slope of RSS after the warm-up, MiB per minute. */
  rssSlopeMiBPerMin: number;
  serverCpu: number;
}

function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export async function runSoak(opts: {
  server: ServerHandle;
  provider: ProviderHandle;
  manifest: Manifest;
  mode: Mode;
  conversations: string[];
}): Promise<SoakSection> {
  const { server } = opts;
  const seconds = SECONDS[opts.mode];
  log(`soak: ${seconds} s of mixed load`);
  const idle = await Promise.all(
    Array.from({ length: IDLE_SOCKETS }, async () => {
      const ws = new WebSocket(`${server.wsUrl}/ws?token=${encodeURIComponent(server.token)}`, {
        perMessageDeflate: false,
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      return ws;
    }),
  );

  const watch = watchProc(server.pid, 1000);
  const requests: AutocannonRequest[] = endpoints(opts.manifest).map((e) => {
    const headers: Record<string, string> = { authorization: `Bearer ${server.token}` };
    if (e.body !== undefined) headers['content-type'] = 'application/json';
    const pathOf = e.path;
    return {
      method: e.method,
      headers,
      ...(e.body === undefined ? {} : { body: e.body }),
      ...(typeof pathOf === 'string'
        ? { path: pathOf }
        : { path: pathOf(), setupRequest: (req: AutocannonRequest) => ({ ...req, path: pathOf() }) }),
    };
  });
  const rest = autocannon({ url: server.url, connections: 10, duration: seconds, timeout: 20, requests });
  const chat = runLevel(server, opts.provider, opts.conversations, CHAT_USERS, seconds);
  const [result, chatLevel] = await Promise.all([rest, chat]);
  const proc = watch.stop();
  for (const ws of idle) ws.close();
  await sleep(200);

  const samples = watch.samples;
  const t0 = samples[0]?.at ?? 0;
  const warm = samples.filter((s) => s.at - t0 >= seconds * 200);
  const requestsDone = result['2xx'] + result.non2xx;
  return {
    seconds,
    requests: requestsDone,
    rps: round(requestsDone / result.duration, 0),
    errors: result.errors + result.timeouts + result.non2xx,
    chat: {
      turns: chatLevel.turns,
      failedTurns: chatLevel.failedTurns,
      chunksLost: chatLevel.chunksLost,
      laterChunks: chatLevel.laterChunks,
    },
    rssBeforeMiB: mib(samples[0]?.rssBytes ?? Number.NaN),
    rssStartMiB: mib(warm[0]?.rssBytes ?? Number.NaN),
    rssEndMiB: proc.rssEndMiB,
    rssMaxMiB: proc.rssMaxMiB,
    rssSlopeMiBPerMin: round(
      slope(warm.map((s) => ({ x: (s.at - t0) / 60_000, y: s.rssBytes / 1_048_576 }))),
      2,
    ),
    serverCpu: proc.cpuPercent,
  };
}
