/**
 * Browser-test helpers: Debian's Chromium driven by playwright-core (no browser download),
 * the web app built if missing, screenshots and axe checks.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { TEST_PIN } from '../helpers/server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'test/web/screenshots');

/** Why the browser tests cannot run here, or null. With CLAWCHAT_REQUIRE_SERVICES they never skip. */
export function skipReason(): string | null {
  if (fs.existsSync(CHROMIUM) || process.env.CLAWCHAT_REQUIRE_SERVICES) return null;
  return `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

/**
 * The server serves web/dist: build it when it is missing (a fresh clone, CI). Test files run in
 * parallel workers, so one builds (holding a lock directory) and the others wait for it: two
 * Vite builds into one folder at once break each other.
 */
export function ensureWebBuilt(): void {
  const index = path.join(ROOT, 'web/dist/index.html');
  const lock = path.join(ROOT, 'web/.build-lock');
  const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  for (const deadline = Date.now() + 10 * 60_000; !fs.existsSync(index); sleep(250)) {
    if (Date.now() > deadline) throw new Error('timed out waiting for another test file to build web/dist');
    try {
      fs.mkdirSync(lock);
    } catch {
      // Another worker is building; a lock left by a killed run is taken over after 10 minutes.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    try {
      // The build users get: Vitest sets NODE_ENV=test, which would make Vite build a
      // non-production bundle (no service worker registration).
      if (!fs.existsSync(index))
        execSync('npm run build:web', {
          cwd: ROOT,
          stdio: 'inherit',
          env: { ...process.env, NODE_ENV: 'production' },
        });
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Opens the app at `baseUrl` and signs in with the test PIN; resolves once the navigation shows. */
export async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl + '/');
  await page.getByLabel('PIN').fill(TEST_PIN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Chat', exact: true }).waitFor();
}

/**
 * Scrolls the element `selector` names from the top, 400 px a frame for `frames` frames, and
 * returns the gaps between frames (ms), sorted: how smooth a long list scrolls.
 */
export async function scrollFrameGaps(page: Page, selector: string, frames: number): Promise<number[]> {
  // A script, not a function: tsx (the bench) would wrap inner functions in helpers the page lacks.
  return page.evaluate<number[]>(`new Promise((done) => {
    const el = document.querySelector(${JSON.stringify(selector)});
    el.scrollTop = 0;
    const gaps = [];
    let last = performance.now();
    const step = (now) => {
      gaps.push(now - last);
      last = now;
      el.scrollTop += 400;
      if (gaps.length < ${frames}) requestAnimationFrame(step);
      else done(gaps.slice(1).sort((a, b) => a - b));
    };
    requestAnimationFrame(step);
  })`);
}

/** The same screen at a phone's and a desktop's width, into test/web/screenshots (git-ignored). */
export async function screenshots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize();
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`) });
  }
  // The same desktop screen in the dark scheme.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(100);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-1280-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
  if (before) await page.setViewportSize(before);
}

/** No serious or critical accessibility violations on what the page shows now. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${screen}: ${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  expect(bad).toEqual([]);
}
