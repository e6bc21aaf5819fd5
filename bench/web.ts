/**
 * The web app's budgets (docs/BENCHMARKS.md, "Web app"), measured in Debian's Chromium
 * against the real server on a temp database with the fake LLM:
 *   - first-load JavaScript, gzipped (what index.html loads before the app runs)
 *   - time to the first interactive screen on localhost (sign-in form usable; Today after a
 *     reload with a stored session)
 *   - streamed token to paint: from a `stream_chunk` frame's arrival to the next animation
 *     frame after its text is in the DOM (the app records these in window.__clawchatPaintTimes)
 *   - server start to healthy with everything built: `npm start` on an existing database (the
 *     prestart check included), and `node dist/server.js` on a fresh one
 *
 *   npm run bench:web
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startFakeOpenAI } from '../test/fakes/fake-openai.js';
import { startTestServer, TEST_PIN } from '../test/helpers/server.js';
import { ensureWebBuilt, launch } from '../test/web/browser.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'web/dist');
const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const median = (xs: number[]) => pct(xs, 50);

function firstLoadJs(): { files: string[]; raw: number; gzip: number } {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map(
    (m) => m[1]!,
  );
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const buf = fs.readFileSync(path.join(DIST, f));
    raw += buf.length;
    gzip += zlib.gzipSync(buf, { level: 9 }).length;
  }
  return { files, raw, gzip };
}

/** The process and its descendants, from /proc (Linux): npm runs prestart and the server as children. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = Number(statFields(Number(entry))?.[1]);
    if (parent === pid) out.push(...processTree(Number(entry)));
  }
  return out;
}

function statFields(pid: number): string[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU milliseconds (user + system) the processes have used so far, their waited-for children
 * included (prestart), from /proc (Linux), or NaN.
 */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    // utime, stime, cutime, cstime: fields 14-17 of stat, in clock ticks (100 per second).
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return pids.length === 0 ? NaN : ticks * 10;
}

/**
 * Wall time from spawning the command to GET /api/health 200, and the CPU time its processes
 * used for it (close to the wall time on an idle machine). `existing`: the database already
 * exists and is migrated (a restart, the everyday case); otherwise a fresh one.
 */
async function startToHealthy(
  command: string[],
  existing: boolean,
  runs = 3,
): Promise<Array<{ wall: number; cpu: number }>> {
  const times: Array<{ wall: number; cpu: number }> = [];
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'clawchat-bench-web-'));
  // A restart's database: one start that is not measured creates and migrates it.
  for (let i = existing ? -1 : 0; i < runs; i++) {
    const dataDir = existing ? shared : fs.mkdtempSync(path.join(os.tmpdir(), 'clawchat-bench-web-'));
    const port = 18_700 + i + 1;
    const started = performance.now();
    const child = spawn(command[0]!, command.slice(1), {
      cwd: ROOT,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        PIN: TEST_PIN,
        AI_PROVIDER: 'none',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
      detached: true,
    });
    const seen = new Set<number>([child.pid!]);
    try {
      for (;;) {
        for (const pid of processTree(child.pid!)) seen.add(pid);
        const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (performance.now() - started > 60_000) throw new Error('server did not become healthy in 60 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      const wall = performance.now() - started;
      for (const pid of processTree(child.pid!)) seen.add(pid);
      if (i >= 0) times.push({ wall, cpu: cpuMs([...seen]) });
    } finally {
      // The whole group: npm, and the server it started.
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
      if (!existing) fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  fs.rmSync(shared, { recursive: true, force: true });
  return times;
}

async function main(): Promise<void> {
  ensureWebBuilt();
  const js = firstLoadJs();
  console.log(`first-load JS: ${js.files.join(', ')}: ${kb(js.raw)} KB raw, ${kb(js.gzip)} KB gzipped`);

  const fake = await startFakeOpenAI();
  const server = await startTestServer({
    login: false,
    env: { AI_PROVIDER: 'openai', AI_BASE_URL: fake.url, AI_MODEL: 'fake' },
  });
  const browser = await launch();
  try {
    const signIn: number[] = [];
    // Where the time to the sign-in form goes: the page, the script's download, and running it.
    const phases: Array<{ html: number; script: number; dcl: number }> = [];
    const today: number[] = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(`new MutationObserver((_, observer) => {
        if (document.getElementById('pin') === null) return;
        window.__pinShownAt = performance.now();
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });`);
      const page = await context.newPage();
      await page.goto(server.url + '/');
      await page.getByLabel('PIN').waitFor();
      // Read in the page when the field appeared, not when the (loaded) test driver saw it.
      signIn.push(await page.evaluate<number>('window.__pinShownAt'));
      phases.push(
        await page.evaluate<{ html: number; script: number; dcl: number }>(`(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const js = performance.getEntriesByType('resource').find((r) => /\\/assets\\/index-.*\\.js$/.test(r.name));
          return { html: nav.responseEnd, script: js ? js.responseEnd : NaN, dcl: nav.domContentLoadedEventEnd };
        })()`),
      );
      await page.getByLabel('PIN').fill(TEST_PIN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('region', { name: 'Tasks' }).waitFor();
      today.push(await page.evaluate(() => performance.now()));
      if (i < 4) await context.close();
      else {
        const chunks = Array.from({ length: 300 }, (_, k) => `token${k} `);
        fake.onChat({ chunks, delayMs: 5 });
        await page.getByRole('link', { name: 'Chat' }).click();
        await page.getByLabel('Message', { exact: true }).fill('stream three hundred tokens');
        await page.getByRole('button', { name: 'Send' }).click();
        await page
          .getByLabel('Messages')
          .getByText(/token299/)
          .waitFor({ timeout: 60_000 });
        const paints = await page.evaluate(() =>
          (globalThis as unknown as { __clawchatPaintTimes: number[] }).__clawchatPaintTimes.slice(),
        );
        console.log(
          `token to paint (${paints.length} tokens): p50 ${median(paints).toFixed(1)} ms, p95 ${pct(paints, 95).toFixed(1)} ms, max ${Math.max(...paints).toFixed(1)} ms, within 16 ms: ${((100 * paints.filter((p) => p <= 16.7).length) / paints.length).toFixed(0)}%`,
        );
        await context.close();
      }
    }
    console.log(
      `first screen interactive (sign-in form, cold context): median ${median(signIn).toFixed(0)} ms, max ${Math.max(...signIn).toFixed(0)} ms` +
        ` (medians: page received ${median(phases.map((p) => p.html)).toFixed(0)} ms, script received ${median(phases.map((p) => p.script)).toFixed(0)} ms, script run (DOMContentLoaded) ${median(phases.map((p) => p.dcl)).toFixed(0)} ms)`,
    );
    console.log(
      `Today with its data after a reload (session refresh + 2 API calls): median ${median(today).toFixed(0)} ms, max ${Math.max(...today).toFixed(0)} ms`,
    );
  } finally {
    await browser.close();
    await server.close();
    await fake.close();
  }

  if (fs.existsSync(path.join(ROOT, 'dist/server.js'))) {
    const show = (t: Array<{ wall: number; cpu: number }>) =>
      `wall ${t.map((x) => x.wall.toFixed(0)).join(', ')} ms; CPU ${t.map((x) => x.cpu.toFixed(0)).join(', ')} ms`;
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    console.log(
      `npm start to healthy, existing database (prestart finds nothing stale): ${show(await startToHealthy([npm, 'start', '--silent'], true))}`,
    );
    console.log(
      `node dist/server.js to healthy, fresh SQLite (migrations included): ${show(await startToHealthy([process.execPath, 'dist/server.js'], false))}`,
    );
    console.log(
      `load average: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} CPUs`,
    );
  } else console.log('dist/server.js missing: run npm run build for the start-to-healthy figure');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
