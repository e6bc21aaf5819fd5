/**
 * The workspaces' budgets (issue 16, docs/BENCHMARKS.md "Workspaces"), measured in Debian's
 * Chromium against the real server on a temp SQLite file:
 *   - each lazily loaded screen's own JavaScript, gzipped: its chunk plus the shared chunks it
 *     needs that the first load does not already bring (budget: 60 KB each)
 *   - the calendar's month view with 504 occurrences (12 daily series over the 6-week grid):
 *     the render (Preact's diff and DOM commit, performance marks in MonthView) and the same up
 *     to the frame that shows it, first with the fetch and then from the cache (budget: 100 ms)
 *   - the task list with 10,000 todos (seeded through POST /api/import): rows in the DOM after
 *     paging to the end, and frame gaps while scrolling through them
 *
 *   npx tsx bench/web-workspaces.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../test/helpers/server.js';
import { ensureWebBuilt, launch, scrollFrameGaps, signIn } from '../test/web/browser.js';
import { todoRows } from '../test/helpers/bulk-todos.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const ASSETS = path.join(ROOT, 'web/dist/assets');
const SCREENS = [
  'ChatScreen',
  'TasksScreen',
  'CalendarScreen',
  'MemosScreen',
  'SearchScreen',
  'SettingsScreen',
];
const kb = (n: number) => (n / 1024).toFixed(1);
const gz = (file: string) => zlib.gzipSync(fs.readFileSync(path.join(ASSETS, file)), { level: 9 }).length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A chunk and every chunk it imports statically (what loading it fetches). */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = fs.readFileSync(path.join(ASSETS, file), 'utf8');
  for (const m of code.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) closure(m[1]!, seen);
  return seen;
}

function chunkSizes(): void {
  const html = fs.readFileSync(path.join(ROOT, 'web/dist/index.html'), 'utf8');
  const entry = html.match(/src="\/assets\/([^"]+\.js)"/)![1]!;
  const first = closure(entry);
  const firstGz = [...first].reduce((n, f) => n + gz(f), 0);
  console.log(`first load (${[...first].join(', ')}): ${kb(firstGz)} KB gzipped`);
  const files = fs.readdirSync(ASSETS);
  for (const screen of SCREENS) {
    const chunk = files.find((f) => f.startsWith(`${screen}-`) && f.endsWith('.js'));
    if (!chunk) throw new Error(`no chunk for ${screen}: is it still lazy?`);
    const own = [...closure(chunk)].filter((f) => !first.has(f));
    const css = files.filter((f) => f.startsWith(`${screen}-`) && f.endsWith('.css'));
    const js = own.reduce((n, f) => n + gz(f), 0);
    console.log(
      `${screen}: ${kb(js)} KB gzipped JS (${own.join(' + ')})` +
        (css.length ? `, ${kb(css.reduce((n, f) => n + gz(f), 0))} KB CSS` : ''),
    );
  }
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function monthView(server: TestServer, page: Page): Promise<void> {
  const today = isoDay(Date.now());
  const first = isoDay(Date.parse(`${today.slice(0, 8)}01T00:00:00Z`) - 10 * 86_400_000);
  for (let i = 0; i < 12; i++) {
    const hour = String(6 + i).padStart(2, '0');
    await server.request('POST', '/api/events', {
      title: `Series ${i + 1}`,
      start_time: `${first}T${hour}:00:00Z`,
      end_time: `${first}T${hour}:30:00Z`,
      recurrence_rule: 'FREQ=DAILY',
    });
  }
  await page.getByRole('link', { name: 'Calendar' }).click();
  await page.getByRole('button', { name: 'Week', exact: true }).waitFor();
  const runs: { fetched: boolean; render: number; paint: number }[] = [];
  for (let i = 0; i < 6; i++) {
    await page.getByRole('button', { name: i % 2 ? 'Week' : 'Day', exact: true }).click();
    await page.waitForTimeout(200);
    await page.evaluate(() => performance.clearMeasures());
    await page.getByRole('button', { name: 'Month', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '504 events' }).waitFor();
    await page.waitForTimeout(300);
    const m = await page.evaluate(() => ({
      render: performance.getEntriesByName('calendar-month-render').map((e) => e.duration),
      paint: performance.getEntriesByName('calendar-month-paint').map((e) => e.duration),
    }));
    // The last render is the one that drew the 504; an earlier one (if any) was the empty grid.
    runs.push({ fetched: m.render.length > 1, render: m.render.at(-1)!, paint: m.paint.at(-1)! });
  }
  for (const r of runs)
    console.log(
      `month view, 504 occurrences${r.fetched ? ' (after its fetch)' : ' (from the cache)'}: render ${r.render.toFixed(1)} ms, to paint ${r.paint.toFixed(1)} ms`,
    );
  console.log(
    `month view median: render ${median(runs.map((r) => r.render)).toFixed(1)} ms, to paint ${median(runs.map((r) => r.paint)).toFixed(1)} ms`,
  );
}

async function seedTodos(server: TestServer, n: number): Promise<void> {
  const now = new Date().toISOString();
  for (let from = 0; from < n; from += 2_500) {
    const todos = todoRows('bench', from, Math.min(2_500, n - from), now);
    const res = await server.request('POST', '/api/import', {
      format: 'clawchat-export',
      version: 2,
      tables: { todos },
    });
    if (res.status !== 200) throw new Error(`import: ${res.status} ${res.text.slice(0, 300)}`);
  }
}

async function taskList(server: TestServer, page: Page): Promise<void> {
  const started = performance.now();
  await seedTodos(server, 10_000);
  console.log(
    `10,000 todos imported in ${((performance.now() - started) / 1000).toFixed(1)} s (4 documents)`,
  );
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.reload();
  const list = page.getByRole('list', { name: 'Tasks' });
  await list.getByRole('button', { name: 'Open Bench task 0' }).waitFor();
  // To the end of what is loaded, again and again: each time the next page of 100 comes in.
  for (let i = 0; i < 40; i++) {
    await page.evaluate(`(() => {
      const el = document.querySelector('.task-scroller');
      el.scrollTop = el.scrollHeight;
      return [el.scrollTop, el.scrollHeight, el.clientHeight];
    })()`);
    await page.waitForTimeout(150);
  }
  const shown = await page.getByText(/\d+ of 10000 shown/).textContent();
  const rows = await list.getByRole('listitem').count();
  const gaps = await scrollFrameGaps(page, '.task-scroller', 300);
  console.log(
    `task list, 10,000 todos: ${shown}, ${rows} rows in the DOM; scrolling 400 px a frame: ` +
      `frame gap median ${median(gaps).toFixed(1)} ms, p95 ${gaps[Math.floor(gaps.length * 0.95)]!.toFixed(1)} ms, max ${gaps.at(-1)!.toFixed(1)} ms`,
  );
}

async function main(): Promise<void> {
  ensureWebBuilt();
  chunkSizes();
  const server = await startTestServer({ login: true, timezone: 'UTC' });
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC' });
    const page = await context.newPage();
    await signIn(page, server.url);
    await monthView(server, page);
    await taskList(server, page);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
