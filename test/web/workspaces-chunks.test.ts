/**
 * Each screen is its own chunk, fetched on first visit under the strict CSP, and the service
 * worker precaches every chunk of the build: a screen never opened opens with the network gone.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ensureWebBuilt, launch, signIn, skipReason } from './browser.js';

const reason = skipReason();
if (reason) console.log(reason);

const SCREENS: [link: string, chunk: string, heading: RegExp][] = [
  ['Chat', 'ChatScreen', /^Chat$/],
  ['Tasks', 'TasksScreen', /^Tasks$/],
  ['Calendar', 'CalendarScreen', /\d{4}/],
  ['Memos', 'MemosScreen', /^Memos$/],
  ['Settings', 'SettingsScreen', /^Settings$/],
];

describe.skipIf(reason !== null)('lazily loaded screens', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const scripts: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer({ timezone: 'UTC' });
    browser = await launch();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/assets/') && url.pathname.endsWith('.js')) scripts.push(url.pathname);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await signIn(page, server.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads no screen but Today at first, then each one on its first visit, within the CSP', async () => {
    expect(scripts.filter((s) => /Screen-/.test(s))).toEqual([]);
    for (const [link, chunk, heading] of SCREENS) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: heading }).first().waitFor();
      expect(
        scripts.some((s) => s.startsWith(`/assets/${chunk}-`)),
        `${chunk} fetched`,
      ).toBe(true);
    }
    // Each chunk once: a second visit uses the module already loaded.
    const before = scripts.length;
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /^Tasks$/ }).waitFor();
    expect(scripts.length).toBe(before);
    expect(problems.filter((p) => /Content Security Policy|Failed to fetch dynamically/i.test(p))).toEqual(
      [],
    );
  });

  it('opens a screen never visited with the network gone (the worker precached its chunk)', async () => {
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    // The worker's cache holds every chunk of this build, the Search screen's included.
    const cached = `(async () => {
      const names = await caches.keys();
      const name = names.find((n) => n.startsWith('clawchat-shell-'));
      if (!name) return [];
      return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    })()`;
    await expect
      .poll(() => page.evaluate<string[]>(cached), { timeout: 15_000 })
      .toContainEqual(expect.stringMatching(/^\/assets\/SearchScreen-.*\.js$/));
    // Served through the worker from here on: reload once so it controls the page.
    await page.reload();
    await page.getByRole('link', { name: 'Search', exact: true }).waitFor();
    expect(scripts.filter((s) => s.startsWith('/assets/SearchScreen-'))).toEqual([]);
    await context.setOffline(true);
    try {
      await page.getByRole('link', { name: 'Search', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Search' }).waitFor();
      expect(await page.getByText('This screen could not be loaded').count()).toBe(0);
    } finally {
      await context.setOffline(false);
    }
  });
});
