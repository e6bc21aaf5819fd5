/**
 * REST load: autocannon (programmatic API, in the driver process, never in the server's)
 * against each endpoint, and against the floor serving the same bytes as the todo list.
 * Latencies are taken from autocannon's per-response timings (sub-millisecond), not its
 * 1 ms-bucket histogram.
 */
import fs from 'node:fs';
import path from 'node:path';
import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import { DateTime } from 'luxon';
import { startFloor } from './floor.js';
import type { Manifest } from './generate.js';
import { ZONE } from './generate.js';
import { log, round, summarise, waitIdle, watchProc, type Mode } from './lib.js';
import { api, type ServerHandle } from './server.js';

export interface Endpoint {
  name: string;
  method: 'GET' | 'POST';
  /** A fixed path, or one per request (e.g. a random id). */
  path: string | (() => string);
  body?: string;
  /** A list endpoint: held to the list targets (p99, ratio of the floor, no collapse at 200). */
  list?: boolean;
  search?: boolean;
}

export interface LoadResult {
  name: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** Server CPU over the run, percent of one core. */
  serverCpu: number;
  serverRssMiB: number;
  /** Throughput as a fraction of the floor's at the same connection count. */
  ofFloor?: number;
  /** Mean bytes per response. */
  bytes: number;
  /** Seconds the server stayed busy after the clients stopped (requests queued by then). */
  drainSeconds: number;
}

export interface RestSection {
  floor: { before: LoadResult; after?: LoadResult; at200?: LoadResult; bodyBytes: number };
  endpoints: LoadResult[];
  /** Each endpoint again at 200 connections, with its throughput relative to 50 connections. */
  at200: (LoadResult & { of50: number })[];
  searchTerms: Manifest['words'];
}

export const DURATIONS: Record<Mode, { warmup: number; run: number; maxDrain: number }> = {
  full: { warmup: 3, run: 20, maxDrain: 60 },
  quick: { warmup: 0.5, run: 3, maxDrain: 10 },
  smoke: { warmup: 0, run: 0.5, maxDrain: 0.5 },
};

/** One autocannon run (after an unmeasured warm-up). `pid`: the process whose CPU and RSS to watch. */
export async function load(opts: {
  url: string;
  token?: string;
  endpoint: Endpoint;
  connections: number;
  seconds: number;
  warmup: number;
  pid: number;
  /** The longest wait for the server to finish queued requests after a run. */
  maxDrain: number;
  dbBusy?: () => Promise<boolean>;
}): Promise<LoadResult> {
  const { endpoint } = opts;
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (endpoint.body !== undefined) headers['content-type'] = 'application/json';
  const pathOf = endpoint.path;
  const request: AutocannonRequest = {
    method: endpoint.method,
    headers,
    ...(endpoint.body === undefined ? {} : { body: endpoint.body }),
    ...(typeof pathOf === 'string'
      ? { path: pathOf }
      : {
          path: pathOf(),
          setupRequest: (req: AutocannonRequest) => ({ ...req, path: pathOf() }),
        }),
  };
  const run = async (seconds: number, record: boolean) => {
    const latencies: number[] = [];
    const instance = autocannon({
      url: opts.url,
      connections: opts.connections,
      duration: seconds,
      timeout: 20,
      requests: [request],
    });
    if (record)
      instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) =>
        latencies.push(ms),
      );
    const result = await instance;
    return { result, latencies };
  };

  if (opts.warmup > 0) {
    await run(opts.warmup, false);
    await waitIdle(opts.pid, opts.maxDrain, 15, opts.dbBusy);
  }
  const watch = watchProc(opts.pid);
  const { result, latencies } = await run(opts.seconds, true);
  const proc = watch.stop();
  const drainSeconds = await waitIdle(opts.pid, opts.maxDrain, 15, opts.dbBusy);
  const s = summarise(latencies);
  const requests = result['2xx'] + result.non2xx;
  return {
    name: endpoint.name,
    connections: opts.connections,
    seconds: result.duration,
    requests,
    rps: round(requests / result.duration, 0),
    p50: round(s.p50),
    p99: round(s.p99),
    max: round(s.max),
    errors: result.errors + result.timeouts + result.non2xx,
    serverCpu: proc.cpuPercent,
    serverRssMiB: proc.rssMaxMiB,
    bytes: requests ? Math.round(result.throughput.total / requests) : 0,
    drainSeconds,
  };
}

/** The endpoints of the issue, in the order they are loaded (the write last: it grows the data). */
export function endpoints(manifest: Manifest, now = DateTime.now().setZone(ZONE)): Endpoint[] {
  const ids = manifest.sample.todoIds;
  let next = 0;
  const monday = now.startOf('week');
  const sunday = monday.plus({ days: 6 });
  const q = (w: string) => `/api/search?q=${encodeURIComponent(w)}`;
  return [
    { name: 'GET /api/todos?limit=20', method: 'GET', path: '/api/todos?limit=20', list: true },
    // Ids in turn from a sample spread over the whole table.
    { name: 'GET /api/todos/{id}', method: 'GET', path: () => `/api/todos/${ids[next++ % ids.length]}` },
    { name: 'GET /api/today', method: 'GET', path: '/api/today', list: true },
    {
      name: 'GET /api/events (one week)',
      method: 'GET',
      path: `/api/events?start_after=${monday.toISODate()}&start_before=${sunday.toISODate()}`,
      list: true,
    },
    {
      name: `GET /api/search (common: ${manifest.words.common.word})`,
      method: 'GET',
      path: q(manifest.words.common.word),
      list: true,
      search: true,
    },
    {
      name: `GET /api/search (rare: ${manifest.words.rare.word})`,
      method: 'GET',
      path: q(manifest.words.rare.word),
      list: true,
      search: true,
    },
    {
      name: `GET /api/search (Korean: ${manifest.words.korean.word})`,
      method: 'GET',
      path: q(manifest.words.korean.word),
      list: true,
      search: true,
    },
    {
      name: 'POST /api/todos',
      method: 'POST',
      path: '/api/todos',
      body: JSON.stringify({
        title: 'Benchmark todo: call the dentist',
        priority: 'high',
        tags: ['bench', 'health'],
        due_date: now.plus({ days: 3 }).toISODate(),
      }),
    },
  ];
}

/** Every endpoint answers 2xx (and search finds something) before any load: a broken harness stops here. */
async function checkEndpoints(server: ServerHandle, list: Endpoint[]): Promise<void> {
  for (const e of list) {
    const p = typeof e.path === 'string' ? e.path : e.path();
    const res = await api<{ total?: number }>(
      server,
      e.method,
      p,
      e.body === undefined ? undefined : JSON.parse(e.body),
    );
    if (res.status < 200 || res.status >= 300)
      throw new Error(`${e.name}: ${res.status} ${res.text.slice(0, 300)}`);
    if (e.search && !(typeof res.json.total === 'number' && res.json.total > 0))
      throw new Error(`${e.name}: no hits (${res.text.slice(0, 200)})`);
  }
}

export async function runRest(opts: {
  server: ServerHandle;
  manifest: Manifest;
  mode: Mode;
  workDir: string;
}): Promise<RestSection> {
  const { server, manifest, mode } = opts;
  const d = DURATIONS[mode];
  const list = endpoints(manifest);
  await checkEndpoints(server, list);

  // The floor serves exactly what the todo list answers.
  const sample = await fetch(`${server.url}/api/todos?limit=20`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const body = Buffer.from(await sample.arrayBuffer());
  const bodyFile = path.join(opts.workDir, 'floor-body.json');
  fs.writeFileSync(bodyFile, body);
  const floor = await startFloor(bodyFile);
  const floorEndpoint: Endpoint = {
    name: 'floor (node:http, fixed bytes)',
    method: 'GET',
    path: '/api/todos?limit=20',
  };
  const runFloor = (connections: number) =>
    load({
      url: floor.url,
      endpoint: floorEndpoint,
      connections,
      seconds: d.run,
      warmup: d.warmup,
      pid: floor.pid,
      maxDrain: d.maxDrain,
    });

  try {
    log('rest: floor at 50 connections');
    const before = await runFloor(50);
    const results: LoadResult[] = [];
    for (const e of list) {
      log(`rest: ${e.name}`);
      results.push(
        await load({
          url: server.url,
          token: server.token,
          endpoint: e,
          connections: 50,
          seconds: d.run,
          warmup: d.warmup,
          pid: server.pid,
          maxDrain: d.maxDrain,
          dbBusy: server.dbBusy,
        }),
      );
    }
    // Under more concurrency: the list endpoints (just the todo list in quick and smoke runs) at 200.
    const at200: RestSection['at200'] = [];
    const heavy = mode === 'full' ? list.filter((e) => e.list) : list.slice(0, 1);
    for (const e of heavy) {
      log(`rest: ${e.name} at 200 connections`);
      const r = await load({
        url: server.url,
        token: server.token,
        endpoint: e,
        connections: 200,
        seconds: d.run,
        warmup: d.warmup,
        pid: server.pid,
        maxDrain: d.maxDrain,
        dbBusy: server.dbBusy,
      });
      const at50 = results.find((x) => x.name === e.name)!;
      at200.push({ ...r, of50: round(r.rps / at50.rps, 2) });
    }
    log('rest: floor at 200 connections, then again at 50 (the machine may have changed meanwhile)');
    const floor200 = await runFloor(200);
    const after = mode === 'smoke' ? undefined : await runFloor(50);
    // Ratios against the floor's mean of before and after: other load on the machine drifts.
    const floorRps = after ? (before.rps + after.rps) / 2 : before.rps;
    for (const r of results) r.ofFloor = round(r.rps / floorRps, 3);
    for (const r of at200) r.ofFloor = round(r.rps / floor200.rps, 3);
    return {
      floor: { before, after, at200: floor200, bodyBytes: body.length },
      endpoints: results,
      at200,
      searchTerms: manifest.words,
    };
  } finally {
    await floor.stop();
  }
}
