/**
 * The web app's budgets (docs/BENCHMARKS.md, "Web app"), measured in Debian's Chromium
 * against the real server on a temp database with the fake LLM:
 *   - first-load JavaScript, gzipped (what index.html loads before the app runs)
 *   - time to the first interactive screen on localhost (sign-in form usable; Today after a
 *     reload with a stored session)
 *   - streamed token to paint: from a `stream_chunk` frame's arrival to the next animation
 *     frame after its text is in the DOM (the app records these in window.__clawchatPaintTimes)
 *   - server start to healthy with everything built (`npm start` without rebuilding)
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

/** CPU seconds (user + system) a process has used so far, from /proc (Linux), or NaN. */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
  } catch {
    return NaN;
  }
}

/** Wall time to healthy, and the CPU time the server used for it (the wall time on an idle machine). */
async function startToHealthy(): Promise<Array<{ wall: number; cpu: number }>> {
  const times: Array<{ wall: number; cpu: number }> = [];
  for (let i = 0; i < 3; i++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawchat-bench-web-'));
    const port = 18_700 + i;
    const started = performance.now();
    const child = spawn(process.execPath, ['dist/server.js'], {
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
    });
    try {
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (performance.now() - started > 60_000) throw new Error('server did not become healthy in 60 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      times.push({ wall: performance.now() - started, cpu: cpuMs(child.pid!) });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
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
    const today: number[] = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(server.url + '/');
      await page.getByLabel('PIN').waitFor();
      signIn.push(await page.evaluate(() => performance.now()));
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
      `first screen interactive (sign-in form, cold context): median ${median(signIn).toFixed(0)} ms, max ${Math.max(...signIn).toFixed(0)} ms`,
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
    const t = await startToHealthy();
    console.log(
      `node dist/server.js to healthy (fresh SQLite, migrations included): wall ${t.map((x) => x.wall.toFixed(0)).join(', ')} ms; server CPU ${t.map((x) => x.cpu.toFixed(0)).join(', ')} ms`,
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
