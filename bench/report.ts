/**
 * The results: checked against the issue's targets, printed as Markdown tables (the same tables
 * docs/BENCHMARKS.md shows) and written as JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChatSection } from './chat.js';
import type { Manifest } from './generate.js';
import type { Mode } from './lib.js';
import type { PostgresInfo } from './postgres.js';
import { LOOP_DELAY_TARGET_MS, type LoopSection } from './loop.js';
import type { RestSection } from './rest.js';
import type { SocketsSection } from './sockets.js';
import type { SoakSection } from './soak.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started and ended: other work on the machine. */
  loadAverage: { start: number; end: number };
}

export type Db = 'sqlite' | 'postgres';
export const DB_LABEL: Record<Db, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export interface Results {
  mode: Mode;
  db: Db;
  /** The PostgreSQL run's server, pool and database set-up. */
  postgres?: PostgresInfo;
  startedAt: string;
  finishedAt: string;
  commit: string;
  machine: Machine;
  dataset: Pick<Manifest, 'scale' | 'counts' | 'shape' | 'words' | 'bytes'>;
  rest?: RestSection;
  loop?: LoopSection;
  chat?: ChatSection;
  sockets?: SocketsSection;
  soak?: SoakSection;
  /** Warnings and errors the server logged during the run. */
  serverLog: string[];
  targets: Target[];
}

export interface Target {
  what: string;
  value: number;
  limit: string;
  /** null: reported but not judged (e.g. a soak too short to tell growth from warm-up). */
  pass: boolean | null;
}

/**
 * Issue 17's targets for the REST rows (stated for 2-core machines): the least share of the
 * floor's req/s at 50 connections, and the highest p99 in ms. Search rows are matched by prefix.
 */
export const REST_TARGETS: ReadonlyArray<{ prefix: string; ofFloor?: number; p99?: number }> = [
  { prefix: 'GET /api/todos?limit=20', ofFloor: 0.3, p99: 20 },
  { prefix: 'GET /api/today', ofFloor: 0.2, p99: 20 },
  { prefix: 'GET /api/events (one week)', ofFloor: 0.2, p99: 20 },
  { prefix: 'GET /api/search', p99: 50 },
  { prefix: 'POST /api/todos', ofFloor: 0.15 },
];
export const restTarget = (name: string) => REST_TARGETS.find((t) => name.startsWith(t.prefix));
/** The added p99 of chat chunks, in ms, by concurrent streams (none below 100). */
export const chatTarget = (users: number): number | null => (users >= 1000 ? 25 : users >= 100 ? 5 : null);
/** The PostgreSQL run must reach at least this share of SQLite's figure on every row. */
export const POSTGRES_SHARE_TARGET = 0.5;

/** The issue's targets (stated for 2-core machines). */
export function checkTargets(r: Omit<Results, 'targets'>): Target[] {
  const out: Target[] = [];
  const add = (what: string, value: number, limit: string, pass: boolean | null) =>
    out.push({ what, value, limit, pass });
  for (const e of r.rest?.endpoints ?? []) {
    const t = restTarget(e.name);
    if (t?.ofFloor !== undefined)
      add(
        `${e.name}: share of the floor's req/s`,
        e.ofFloor ?? Number.NaN,
        `>= ${t.ofFloor.toFixed(2)}`,
        (e.ofFloor ?? 0) >= t.ofFloor,
      );
    if (t?.p99 !== undefined)
      // Nothing completed within the run: every request took longer than the run, a miss.
      add(
        e.requests === 0
          ? `${e.name}: p99 ms (none completed within the ${e.seconds} s run)`
          : `${e.name}: p99 ms`,
        e.p99,
        `< ${t.p99}`,
        e.requests > 0 && e.p99 < t.p99,
      );
    add(`${e.name}: errors`, e.errors, '= 0', e.errors === 0);
  }
  if (r.loop)
    add(
      'Event loop: longest CPU stretch without a break, requests and reminder ticks (densest series present), ms',
      r.loop.worstMs,
      `< ${LOOP_DELAY_TARGET_MS}`,
      r.loop.worstMs < LOOP_DELAY_TARGET_MS,
    );
  for (const e of r.rest?.at200 ?? [])
    add(`${e.name}: req/s at 200 connections / at 50`, e.of50, '>= 0.80', e.of50 >= 0.8);
  for (const l of r.chat?.levels ?? []) {
    const limit = chatTarget(l.users);
    if (limit !== null) {
      add(
        `chat, ${l.users} streams: first chunk added p99 ms`,
        l.firstChunk.p99,
        `< ${limit}`,
        l.firstChunk.p99 < limit,
      );
      add(
        `chat, ${l.users} streams: later chunks added p99 ms`,
        l.laterChunks.p99,
        `< ${limit}`,
        l.laterChunks.p99 < limit,
      );
    }
    add(
      `chat, ${l.users} streams: chunks lost`,
      l.chunksLost + l.badFrames,
      '= 0',
      l.chunksLost + l.badFrames === 0,
    );
  }
  if (r.sockets) {
    const s = r.sockets;
    add(
      `${s.connected} idle sockets: server RSS MiB`,
      s.rssAfterMiB,
      s.connected >= 10_000 ? '< 400' : '< 400 (fewer sockets than 10,000)',
      s.rssAfterMiB < 400,
    );
    add(
      'fan-out: sockets that missed the event',
      s.fanouts.reduce((a, f) => a + f.missing, 0),
      '= 0',
      s.fanouts.every((f) => f.missing === 0),
    );
  }
  if (r.soak) {
    const s = r.soak;
    const growth = s.rssEndMiB - s.rssStartMiB;
    const noise = Math.max(25, s.rssStartMiB * 0.1);
    // Only a long soak can tell a leak from warm-up (caches, JIT, heap sizing).
    const judged = s.seconds >= 300;
    add(
      `soak ${s.seconds} s: RSS growth after warm-up, MiB`,
      Math.round(growth),
      `< ${Math.round(noise)} (noise)${judged ? '' : '; judged from 300 s'}`,
      judged ? growth < noise : null,
    );
    add(
      `soak: errors + chunks lost`,
      s.errors + s.chat.chunksLost,
      '= 0',
      s.errors + s.chat.chunksLost === 0,
    );
  }
  return out;
}

export const fmt = (x: number | undefined, digits = 1): string =>
  x === undefined || !Number.isFinite(x) ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: digits });
export const pct = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? '-' : `${Math.round(x * 100)}%`;

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The database line: which server, and for PostgreSQL the pool the server was built with. */
function databaseLine(r: Results): string {
  if (r.db === 'sqlite')
    return 'Database: SQLite (WAL; group commit: every 2xx write fsynced first, off the event loop), one connection';
  const p = r.postgres;
  if (!p) return 'Database: PostgreSQL';
  return (
    `Database: PostgreSQL ${p.version}, local server; pool max ${p.poolMax} (dist/db/database.js), ` +
    `at most ${p.peakConnections} server connections seen open; database ${p.fromTemplate ? 'cloned from the cached copy' : 'copied from SQLite'} in ${p.setupSeconds} s`
  );
}

/** One run's tables; `withTargets: false` when the caller prints one targets table for several runs. */
export function renderTables(r: Results, withTargets = true): string {
  const parts: string[] = [];
  const d = r.dataset;
  parts.push(
    `ClawChat benchmark (${r.mode}) on ${DB_LABEL[r.db]}, ${r.startedAt}, commit ${r.commit}\n` +
      `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}, Node ${r.machine.node}; ` +
      `load average ${r.machine.loadAverage.start} at start, ${r.machine.loadAverage.end} at end\n` +
      `${databaseLine(r)}\n` +
      `Dataset: ${fmt(d.counts.todos, 0)} todos, ${fmt(d.counts.events, 0)} events (${fmt(d.counts.recurring, 0)} recurring), ${fmt(d.counts.memos, 0)} memos, ` +
      `${fmt(d.counts.conversations, 0)} conversations, ${fmt(d.counts.messages, 0)} messages; ${fmt(d.bytes / 1_048_576, 0)} MiB; ` +
      `${fmt(d.shape.overdueOpenTodos, 0)} overdue open todos, ${fmt(d.shape.inProgressUndatedTodos, 0)} undated in progress, ` +
      `${fmt(d.shape.openEndedRecurringEvents, 0)} open-ended series; search terms: ` +
      Object.values(d.words)
        .map((w) => `"${w.word}" in ${fmt(w.documents, 0)} documents`)
        .join(', '),
  );
  if (r.loop)
    parts.push(
      `Event-loop delay inside the server (perf_hooks), reminder ticks every ${r.loop.reminderIntervalSeconds} s, ` +
        `densest accepted series present (${r.loop.densestRule.slice(0, 40)}...)\n` +
        table(
          [
            'phase',
            'requests',
            'CPU stretch ms',
            'delay max ms',
            'p99 ms',
            'mean ms',
            'driver max ms (noise)',
          ],
          r.loop.phases.map((p) => [
            p.name,
            String(p.requests),
            fmt(p.cpuMaxMs, 1),
            fmt(p.maxMs, 1),
            fmt(p.p99Ms, 1),
            fmt(p.meanMs, 1),
            fmt(p.driverMaxMs, 1),
          ]),
        ),
    );
  if (r.rest) {
    const f = r.rest.floor;
    const row = (label: string, x: typeof f.before, ofFloor: string) => [
      label,
      fmt(x.rps, 0),
      ofFloor,
      fmt(x.p50, 2),
      fmt(x.p99, 2),
      String(x.errors),
      fmt(x.bytes, 0),
      `${fmt(x.serverCpu, 0)}%`,
      fmt(x.drainSeconds, 1),
    ];
    const rows = [row('floor: node:http, same bytes (before)', f.before, '100%')];
    if (f.after) rows.push(row('floor: node:http, same bytes (after)', f.after, '100%'));
    for (const e of r.rest.endpoints) rows.push(row(e.name, e, pct(e.ofFloor)));
    parts.push(
      'REST, 50 connections (drain: seconds the server stayed busy after the clients stopped)\n' +
        table(
          ['endpoint', 'req/s', 'of floor', 'p50 ms', 'p99 ms', 'errors', 'bytes', 'CPU', 'drain s'],
          rows,
        ),
    );
    const rows200 = r.rest.at200.map((e) => [
      e.name,
      fmt(e.rps, 0),
      pct(e.of50),
      pct(e.ofFloor),
      fmt(e.p99, 2),
      String(e.errors),
    ]);
    if (f.at200)
      rows200.unshift([
        'floor',
        fmt(f.at200.rps, 0),
        pct(f.before.rps ? f.at200.rps / f.before.rps : Number.NaN),
        '100%',
        fmt(f.at200.p99, 2),
        String(f.at200.errors),
      ]);
    parts.push(
      'REST, 200 connections\n' +
        table(['endpoint', 'req/s', 'of 50 conns', 'of floor', 'p99 ms', 'errors'], rows200),
    );
  }
  if (r.chat) {
    const c = r.chat;
    parts.push(
      `Chat streaming: provider sends ${c.chunksPerReply} chunks per reply, one every ${c.chunkIntervalMs} ms; added latency = provider write -> client frame\n` +
        table(
          [
            'streams',
            'sockets',
            'turns',
            'first chunk p50/p99 ms',
            'later chunks p50/p99 ms',
            'lost',
            'failed turns',
            'server CPU',
            'server RSS MiB',
            'driver loop p99 ms',
          ],
          c.levels.map((l) => [
            `${l.users} (mean ${l.concurrentStreams} in flight)`,
            String(l.sockets),
            String(l.turns),
            `${fmt(l.firstChunk.p50, 2)} / ${fmt(l.firstChunk.p99, 2)}`,
            `${fmt(l.laterChunks.p50, 2)} / ${fmt(l.laterChunks.p99, 2)}`,
            `${l.chunksLost + l.badFrames} of ${fmt(l.chunksExpected, 0)}`,
            l.failedTurns === 0
              ? '0'
              : `${l.failedTurns} (${Object.entries(l.failures)
                  .map(([why, n]) => `${why}: ${n}`)
                  .join(', ')})`,
            `${fmt(l.serverCpu, 0)}%`,
            fmt(l.serverRssMiB, 0),
            fmt(l.driverLoopDelayP99, 1),
          ]),
        ),
    );
  }
  if (r.sockets) {
    const s = r.sockets;
    parts.push(
      'Idle WebSockets\n' +
        table(
          [
            'sockets',
            'connect s',
            'server RSS before',
            'server RSS after',
            'per socket',
            'fan-out to all: first / p50 / last ms (median run)',
            'missed',
          ],
          [
            [
              `${fmt(s.connected, 0)} of ${fmt(s.requested, 0)}`,
              fmt(s.connectSeconds, 1),
              `${fmt(s.rssBeforeMiB)} MiB`,
              `${fmt(s.rssAfterMiB)} MiB`,
              `${fmt(s.rssPerSocketKiB)} KiB`,
              (() => {
                const m = [...s.fanouts].sort((a, b) => a.lastMs - b.lastMs)[
                  Math.floor(s.fanouts.length / 2)
                ];
                return m ? `${fmt(m.firstMs)} / ${fmt(m.p50Ms)} / ${fmt(m.lastMs)}` : '-';
              })(),
              String(s.fanouts.reduce((a, f) => a + f.missing, 0)),
            ],
          ],
        ),
    );
  }
  if (r.soak) {
    const s = r.soak;
    parts.push(
      'Soak (mixed REST on 10 connections + 10 chat streams + 20 idle sockets)\n' +
        table(
          [
            'seconds',
            'req/s',
            'errors',
            'chat turns',
            'chunks lost',
            'RSS before / after warm-up / end / max MiB',
            'RSS slope MiB/min',
            'server CPU',
          ],
          [
            [
              String(s.seconds),
              fmt(s.rps, 0),
              String(s.errors),
              String(s.chat.turns),
              String(s.chat.chunksLost),
              `${fmt(s.rssBeforeMiB)} / ${fmt(s.rssStartMiB)} / ${fmt(s.rssEndMiB)} / ${fmt(s.rssMaxMiB)}`,
              fmt(s.rssSlopeMiBPerMin, 2),
              `${fmt(s.serverCpu, 0)}%`,
            ],
          ],
        ),
    );
  }
  if (withTargets) parts.push(renderTargets([{ db: DB_LABEL[r.db], targets: r.targets }]));
  if (r.serverLog.length)
    parts.push(
      `Server log (warnings and errors): ${r.serverLog.length} lines; first: ${r.serverLog[0]!.slice(0, 300)}`,
    );
  return parts.join('\n\n');
}

/**
 * The targets table: reported, never a reason to fail a run (the smoke fails only on errors).
 * `db` names whose figures a row judges: one database, or "PostgreSQL / SQLite" for a comparison.
 */
export function renderTargets(groups: Array<{ db: string; targets: Target[] }>): string {
  const rows = groups.flatMap((g) =>
    g.targets.map((t) => [
      g.db,
      t.what,
      fmt(t.value, 2),
      t.limit,
      t.pass === null ? 'n/a' : t.pass ? 'ok' : 'MISSED',
    ]),
  );
  const missed = rows.filter((r) => r[4] === 'MISSED').length;
  return (
    `Targets (issue 17; ${missed} of ${rows.length} missed; a missed target is reported, never fails the run)\n` +
    table(['db', 'target', 'value', 'limit', ''], rows)
  );
}

export function writeResults(r: unknown, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
}
