/**
 * The benchmark harness (docs/BENCHMARKS.md): builds the server, runs it (one process,
 * production mode) on a generated dataset, drives it from separate processes, prints the
 * tables and writes bench/results/latest.json.
 *
 *   npm run bench                      full run (20-25 minutes, 10 of them the soak)
 *   npm run bench -- --quick           every section, short (about 2 minutes once the dataset is
 *                                      cached, longer while the server is slow to drain)
 *   npm run bench:smoke                under a minute on a tiny dataset (SQLite): prints the targets
 *                                      table, fails only if the harness or the server breaks
 *   flags: --only=rest,loop,chat,sockets,soak   --keep-data   --no-build   --cpu-prof
 *          --db=sqlite|postgres|both (bench/postgres.ts)   --pg-url=postgres://...   --write-docs-chart
 *
 * Writes bench/results/latest.json (smoke.json) and latest.svg (smoke.svg), the chart of the main
 * ratios (bench/chart.ts); --write-docs-chart also writes it to docs/images/bench-ratios.svg.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { conversationsFor, runChat, CHUNKS_PER_REPLY, CHUNK_INTERVAL_MS } from './chat.js';
import { generateDataset, readCachedManifest, type Manifest } from './generate.js';
import { log, parseFlags, round, waitIdle, type Mode } from './lib.js';
import { startProvider } from './provider.js';
import { renderChart } from './chart.js';
import { compareRuns, renderReport, type Report } from './compare.js';
import { createBenchDatabase, DEFAULT_ADMIN_URL, type BenchDatabase } from './postgres.js';
import { checkTargets, DB_LABEL, writeResults, type Db, type Results } from './report.js';
import { runLoop, startLoopServer } from './loop.js';
import { runRest } from './rest.js';
import { buildServer, ROOT, startServer, type ServerHandle } from './server.js';
import { runSockets } from './sockets.js';
import { runSoak } from './soak.js';

const SECTIONS = ['rest', 'loop', 'chat', 'sockets', 'soak'] as const;
type Section = (typeof SECTIONS)[number];

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

async function dataset(mode: Mode, workDir: string): Promise<{ file: string; manifest: Manifest }> {
  const file = path.join(workDir, 'clawchat.db');
  if (mode === 'smoke') {
    const manifest = await generateDataset({ file, scale: 0.01 });
    return { file, manifest };
  }
  // The full dataset is cached (deterministic; rebuilt when the generator or the migrations change, or after a week).
  const cached = path.join(ROOT, 'bench', 'data', 'dataset-1.db');
  let manifest = await readCachedManifest(cached, 1);
  if (!manifest) {
    log('dataset: generating (about a minute and a half; cached in bench/data/ for later runs)');
    manifest = await generateDataset({ file: cached, scale: 1 });
  } else log(`dataset: cached (${manifest.generatedAt})`);
  // The run writes (todos, chat turns): it works on a copy.
  fs.copyFileSync(cached, file);
  return { file, manifest };
}

interface RunContext {
  mode: Mode;
  sections: Set<Section>;
  flags: Map<string, string | true>;
  manifest: Manifest;
  workDir: string;
  provider: Awaited<ReturnType<typeof startProvider>>;
  base: Pick<Results, 'mode' | 'startedAt' | 'commit' | 'dataset'>;
}

/** Every chosen section against one database; a section that throws ends this database's run. */
async function runOn(
  ctx: RunContext,
  db: Db,
  databaseUrl: string,
  pg: BenchDatabase | null,
): Promise<{ results: Results; failure: unknown; exitCode: number | null }> {
  const { mode, sections, flags, manifest, workDir, provider } = ctx;
  log(`--- ${DB_LABEL[db]} ---`);
  const startedAt = new Date().toISOString();
  const loadStart = round(os.loadavg()[0]!, 2);
  const profDir = path.join(ROOT, 'bench', 'data', 'profiles'); // git-ignored
  const partial: Omit<Results, 'targets' | 'finishedAt' | 'machine' | 'serverLog'> = {
    ...ctx.base,
    startedAt,
    db,
    ...(pg ? { postgres: pg.info } : {}),
  };
  const serverLog: string[] = [];
  const exitCodes: (number | null)[] = [];
  const stopWatching = pg?.watchConnections();

  /**
   * Each section gets a freshly started server (same database), so no section inherits another's
   * heap or backlog. The smoke run shares one server to stay short: the loop probe's (probe and
   * scheduler on; start-up is the slowest part of a short run), with the loop section first so
   * its "first request" phases still come first.
   */
  let shared: ServerHandle | null = null;
  const launchLoop = () =>
    startLoopServer({ databaseUrl, dbBusy: pg?.busy, dataDir: workDir, aiBaseUrl: provider.url });
  const launch = () =>
    mode === 'smoke' && sections.has('loop')
      ? launchLoop()
      : startServer({
          databaseUrl,
          dbBusy: pg?.busy,
          dataDir: workDir,
          aiBaseUrl: provider.url,
          nodeArgs: flags.has('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
        });
  const stop = async (server: ServerHandle) => {
    const code = await server.stop();
    exitCodes.push(code);
    if (code !== 0) log(`the server exited with ${code}`);
    serverLog.push(
      ...server
        .output()
        .split('\n')
        // The loop probe's readings are results, not log lines.
        .filter((l) => l.trim() !== '' && !l.startsWith('BENCH_LOOP_DELAY ')),
    );
  };
  async function section(
    name: Section,
    run: (server: ServerHandle) => Promise<void>,
    /** A section that needs its own server set-up (the loop probe); the smoke run's shared one has it. */
    ownLaunch?: () => Promise<ServerHandle>,
  ): Promise<void> {
    if (!sections.has(name)) return;
    const server =
      mode === 'smoke' ? (shared ??= await launch()) : ownLaunch ? await ownLaunch() : await launch();
    log(`${name}: server pid ${server.pid} at ${server.url}`);
    try {
      await waitIdle(server.pid, mode === 'smoke' ? 2 : 10, 15, server.dbBusy);
      await run(server);
    } finally {
      if (server !== shared) await stop(server);
    }
  }

  let failure: unknown = null;
  const rest = () =>
    section('rest', async (server) => {
      partial.rest = await runRest({ server, manifest, mode, workDir });
    });
  const loop = () =>
    section(
      'loop',
      async (server) => {
        partial.loop = await runLoop({ server, mode });
      },
      launchLoop,
    );
  try {
    if (mode === 'smoke') {
      await loop();
      await rest();
    } else {
      await rest();
      await loop();
    }
    await section('chat', async (server) => {
      partial.chat = await runChat({ server, provider, manifest, mode });
    });
    await section('sockets', async (server) => {
      partial.sockets = await runSockets({ server, mode });
    });
    await section('soak', async (server) => {
      const conversations = await conversationsFor(server, manifest, 10);
      partial.soak = await runSoak({ server, provider, manifest, mode, conversations });
    });
  } catch (err) {
    failure = err;
    log(`${DB_LABEL[db]}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (shared) await stop(shared);
  stopWatching?.();

  const cpus = os.cpus();
  const results: Omit<Results, 'targets'> = {
    ...partial,
    finishedAt: new Date().toISOString(),
    machine: {
      cpu: cpus[0]?.model.trim() ?? 'unknown',
      cores: cpus.length,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      loadAverage: { start: loadStart, end: round(os.loadavg()[0]!, 2) },
    },
    serverLog,
  };
  return {
    results: { ...results, targets: checkTargets(results) },
    failure,
    exitCode: exitCodes.find((c) => c !== 0) ?? 0,
  };
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  const mode: Mode = flags.has('smoke') ? 'smoke' : flags.has('quick') ? 'quick' : 'full';
  const only = flags.get('only');
  const sections = new Set<Section>(
    typeof only === 'string'
      ? (only.split(',').filter((s) => (SECTIONS as readonly string[]).includes(s)) as Section[])
      : SECTIONS,
  );
  if (sections.size === 0) throw new Error(`--only takes a comma list of ${SECTIONS.join(', ')}`);
  const dbFlag = flags.get('db') ?? 'sqlite';
  const dbs: Db[] =
    dbFlag === 'both' ? ['sqlite', 'postgres'] : dbFlag === 'sqlite' || dbFlag === 'postgres' ? [dbFlag] : [];
  if (dbs.length === 0) throw new Error('--db takes sqlite, postgres or both');
  const pgUrl = flags.get('pg-url');
  const adminUrl = typeof pgUrl === 'string' ? pgUrl : (process.env.BENCH_PG_URL ?? DEFAULT_ADMIN_URL);

  const startedAt = new Date().toISOString();
  if (!flags.has('no-build')) buildServer();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawchat-bench-'));
  const { file, manifest } = await dataset(mode, workDir);
  const name = mode === 'smoke' ? 'smoke' : 'latest';

  // Before any run writes to the SQLite copy: PostgreSQL gets the same rows SQLite starts with.
  const pg = dbs.includes('postgres')
    ? await createBenchDatabase({ adminUrl, sqliteFile: file, manifest, cache: mode !== 'smoke' })
    : null;
  const provider = await startProvider(CHUNK_INTERVAL_MS, CHUNKS_PER_REPLY);
  const ctx: RunContext = {
    mode,
    sections,
    flags,
    manifest,
    workDir,
    provider,
    base: {
      mode,
      startedAt,
      commit: commit(),
      dataset: {
        scale: manifest.scale,
        counts: manifest.counts,
        shape: manifest.shape,
        words: manifest.words,
        bytes: manifest.bytes,
      },
    },
  };

  const runs: Awaited<ReturnType<typeof runOn>>[] = [];
  try {
    for (const db of dbs)
      runs.push(
        await runOn(ctx, db, db === 'sqlite' ? `sqlite:///${file}` : pg!.url, db === 'sqlite' ? null : pg),
      );
  } finally {
    await provider.stop();
    if (pg && !flags.has('keep-data')) await pg.drop();
  }

  const sqliteRun = runs.find((r) => r.results.db === 'sqlite')?.results;
  const pgRun = runs.find((r) => r.results.db === 'postgres')?.results;
  const report: Report = {
    runs: runs.map((r) => r.results),
    comparison: sqliteRun && pgRun ? compareRuns(sqliteRun, pgRun) : null,
  };
  console.log(renderReport(report));
  const out = path.join(ROOT, 'bench', 'results', `${name}.json`);
  writeResults(report, out);
  const chart = renderChart(report);
  const chartFile = path.join(ROOT, 'bench', 'results', `${name}.svg`);
  fs.writeFileSync(chartFile, chart);
  log(`results: ${path.relative(ROOT, out)}, chart: ${path.relative(ROOT, chartFile)}`);
  if (flags.has('write-docs-chart')) {
    const docsChart = path.join(ROOT, 'docs', 'images', 'bench-ratios.svg');
    fs.mkdirSync(path.dirname(docsChart), { recursive: true });
    fs.writeFileSync(docsChart, chart);
    log(`chart: ${path.relative(ROOT, docsChart)}`);
  }

  if (flags.has('keep-data')) log(`kept: ${workDir}${pg ? ` and the PostgreSQL database ${pg.name}` : ''}`);
  else fs.rmSync(workDir, { recursive: true, force: true });

  const failure = runs.find((r) => r.failure)?.failure;
  if (failure) throw failure;
  if (mode === 'smoke') {
    let code = 0;
    for (const r of runs) code = Math.max(code, smokeVerdict(r.results, r.exitCode));
    return code;
  }
  return 0;
}

/** The smoke run judges the harness, not the speed: everything answered, nothing was lost. */
function smokeVerdict(r: Results, exitCode: number | null): number {
  const problems: string[] = [];
  const endpoints = r.rest?.endpoints ?? [];
  for (const e of endpoints) if (e.errors > 0) problems.push(`${e.name}: ${e.errors} errors`);
  // Each endpoint answered before the load (rest.ts checks them); one that completes nothing in
  // half a second is slow (a loaded machine), not broken, unless none completes anything.
  if (endpoints.length > 0 && endpoints.every((e) => e.requests === 0))
    problems.push('REST: no request completed under load');
  for (const e of endpoints)
    if (e.requests === 0)
      log(`smoke (${DB_LABEL[r.db]}): ${e.name}: nothing completed within the window (slow, not judged)`);
  for (const l of r.chat?.levels ?? []) {
    if (l.turns === 0 || l.failedTurns > 0 || l.chunksLost > 0 || l.badFrames > 0 || l.firstChunk.n === 0)
      problems.push(
        `chat ${l.users}: ${l.turns} turns, ${l.failedTurns} failed, ${l.chunksLost} lost, ${l.badFrames} bad frames`,
      );
  }
  if (r.sockets && (r.sockets.connected === 0 || r.sockets.fanouts.some((f) => f.missing > 0)))
    problems.push('sockets: fan-out missed sockets');
  if (r.soak && (r.soak.errors > 0 || r.soak.requests === 0 || r.soak.chat.chunksLost > 0))
    problems.push(`soak: ${r.soak.errors} errors, ${r.soak.chat.chunksLost} chunks lost`);
  if (exitCode !== 0) problems.push(`the server exited with ${exitCode}`);
  const db = DB_LABEL[r.db];
  for (const p of problems) log(`smoke (${db}): ${p}`);
  log(problems.length ? `smoke (${db}): FAILED` : `smoke (${db}): ok`);
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
