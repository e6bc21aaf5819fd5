/**
 * Idle connections: many authenticated WebSockets held open (each confirmed by a ping/pong),
 * the server's RSS per socket, and the fan-out of one event to all of them: a todo created
 * over REST, timed from the request until every socket has its `module_data_changed`.
 */
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { log, mapLimit, mib, nowMs, percentile, round, sampleProc, sleep, type Mode } from './lib.js';
import { api, type ServerHandle } from './server.js';

/** Sockets, fan-outs, and the pause before each RSS reading (ms). */
const COUNTS: Record<Mode, { sockets: number; fanouts: number; settleMs: number }> = {
  full: { sockets: 10_000, fanouts: 10, settleMs: 2000 },
  quick: { sockets: 10_000, fanouts: 3, settleMs: 2000 },
  smoke: { sockets: 200, fanouts: 2, settleMs: 200 },
};

export interface SocketsSection {
  requested: number;
  connected: number;
  /** File descriptors this process may open (the server inherits the same limit). */
  fdLimit: number;
  connectSeconds: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssPerSocketKiB: number;
  /** Each fan-out: ms from sending the POST to the socket's frame, over all sockets. */
  fanouts: {
    received: number;
    missing: number;
    firstMs: number;
    p50Ms: number;
    p99Ms: number;
    lastMs: number;
  }[];
  /** Median over the fan-outs of the time until the last socket had the frame. */
  fanoutLastMs: number;
}

/**
 * The open-files limit of this process and the server it started (Node raises its soft limit to
 * the hard one at start-up, and children inherit it).
 */
export function fdLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

interface Idle {
  ws: WebSocket;
  /** When this socket received the todo currently awaited (0: not yet). */
  gotAt: number;
}

export async function runSockets(opts: { server: ServerHandle; mode: Mode }): Promise<SocketsSection> {
  const { server } = opts;
  const limit = fdLimit();
  const { sockets: requested, fanouts, settleMs } = COUNTS[opts.mode];
  // Each socket is one descriptor here and one in the server; keep some for everything else.
  const count = Math.min(requested, limit - 500);
  if (count < requested)
    log(`sockets: ulimit -n is ${limit}: opening ${count} sockets instead of ${requested}`);

  await sleep(settleMs);
  const before = sampleProc(server.pid);
  let awaited = '';
  let received = 0;
  const all: Idle[] = [];
  const started = nowMs();
  await mapLimit(Array.from({ length: count }), 100, async () => {
    const ws = new WebSocket(`${server.wsUrl}/ws?token=${encodeURIComponent(server.token)}`, {
      perMessageDeflate: false,
    });
    const idle: Idle = { ws, gotAt: 0 };
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('WebSocket: no pong within 30 s')), 30_000);
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`WebSocket closed (${code})`)));
      ws.once('open', () => ws.send('{"type":"ping","data":{}}'));
      ws.on('message', (raw: Buffer) => {
        const text = raw.toString('utf8');
        if (text.includes('"pong"')) {
          clearTimeout(timer);
          ws.removeAllListeners('close');
          resolve();
          return;
        }
        if (idle.gotAt === 0 && awaited !== '' && text.includes(awaited)) {
          idle.gotAt = nowMs();
          received += 1;
        }
      });
    });
    all.push(idle);
  });
  const connectSeconds = (nowMs() - started) / 1000;
  log(`sockets: ${all.length} open in ${connectSeconds.toFixed(1)} s`);
  await sleep(settleMs);
  const after = sampleProc(server.pid);

  const results: SocketsSection['fanouts'] = [];
  for (let f = 0; f < fanouts; f++) {
    for (const s of all) s.gotAt = 0;
    received = 0;
    // The POST is the only write meanwhile, so any todo creation is the awaited frame (its id
    // is only known from the answer, which may come after the first sockets have the frame).
    awaited = '"module":"todos","action":"created"';
    const t0 = nowMs();
    const res = await api(server, 'POST', '/api/todos', { title: `Fan-out ${f}` });
    if (res.status !== 201) throw new Error(`POST /api/todos: ${res.status} ${res.text}`);
    const deadline = nowMs() + 15_000;
    while (received < all.length && nowMs() < deadline) await sleep(5);
    awaited = '';
    const times = all
      .filter((s) => s.gotAt > 0)
      .map((s) => s.gotAt - t0)
      .sort((a, b) => a - b);
    results.push({
      received: times.length,
      missing: all.length - times.length,
      firstMs: round(times[0] ?? Number.NaN),
      p50Ms: round(percentile(times, 50)),
      p99Ms: round(percentile(times, 99)),
      lastMs: round(times.at(-1) ?? Number.NaN),
    });
    await sleep(300);
  }
  log(`sockets: fan-out last socket ${results.map((r) => r.lastMs).join(', ')} ms`);

  await mapLimit(all, 500, async (s) => {
    if (s.ws.readyState !== WebSocket.OPEN) return;
    await new Promise<void>((resolve) => {
      s.ws.once('close', () => resolve());
      s.ws.close();
      setTimeout(resolve, 5_000).unref();
    });
  });

  const lasts = results.map((r) => r.lastMs).sort((a, b) => a - b);
  const rssBefore = before?.rssBytes ?? Number.NaN;
  const rssAfter = after?.rssBytes ?? Number.NaN;
  return {
    requested,
    connected: all.length,
    fdLimit: limit,
    connectSeconds: round(connectSeconds, 1),
    rssBeforeMiB: mib(rssBefore),
    rssAfterMiB: mib(rssAfter),
    rssPerSocketKiB: round((rssAfter - rssBefore) / 1024 / Math.max(1, all.length), 1),
    fanouts: results,
    fanoutLastMs: percentile(lasts, 50),
  };
}
