/**
 * The Calendar, Search and Settings workspaces in a real browser (Chromium via playwright-core)
 * against the real server on a temp SQLite file, with the fake LLM over HTTP: an event made by
 * clicking a slot, moved by dragging (and seen moving on a second page), a recurring event
 * changed for one occurrence and for all, deleted; the ICS link made and rotated; search
 * finding a memo (opened) and a message (opening its conversation at that message); settings
 * changing the timezone (Today follows), the theme, an AI test, a backup, the export, and a
 * session signed out. Each screen is checked with axe and photographed at 390 px and 1280 px.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai.js';
import { startTestServer, TEST_PIN, type TestServer } from '../helpers/server.js';
import { ensureWebBuilt, expectAccessible, launch, screenshots, signIn, skipReason } from './browser.js';

const reason = skipReason();
if (reason) console.log(reason);

const DAY = 24 * 60 * 60 * 1000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The page's document, for page.evaluate (the tests compile without the DOM library). */
type Doc = { document: { documentElement: { dataset: Record<string, string | undefined> } } };

interface EventRow {
  id: string;
  title: string;
  start_time: string;
  end_time: string | null;
  reminder_minutes: number | null;
  recurrence_rule: string | null;
}

describe.skipIf(reason !== null)('the calendar, search and settings workspaces in a browser', () => {
  let fake: FakeOpenAI;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  // The browser's and the server's zone are UTC, so "today" is the UTC date (the test avoids midnight).
  const today = isoDay(Date.now());

  beforeAll(async () => {
    ensureWebBuilt();
    fake = await startFakeOpenAI();
    fake.onClassify(() => ({ intent: 'general_chat' }));
    fake.onChat('Noted.');
    server = await startTestServer({
      login: false,
      timezone: 'UTC',
      env: { AI_PROVIDER: 'openai', AI_BASE_URL: fake.url, AI_MODEL: 'fake' },
    });
    const login = await server.request('POST', '/api/auth/login', { pin: TEST_PIN });
    server.token = login.json.access_token;
    browser = await launch();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: 'UTC',
      locale: 'en-GB',
    });
    // A step that cannot happen fails with its locator, well before the test's own timeout.
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    await signIn(page, server.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
  });

  const events = async (): Promise<EventRow[]> =>
    (await server.request('GET', '/api/events?limit=200')).json.items as EventRow[];
  const dayName = (p: Page, day: string) =>
    p.evaluate(
      (d) =>
        new Intl.DateTimeFormat(undefined, {
          weekday: 'long',
          day: 'numeric',
          month: 'long',
          timeZone: 'UTC',
        }).format(Date.parse(`${d}T12:00:00Z`)),
      day,
    );

  /** Drags the element by (dx, dy) in small steps, as a hand would. */
  async function drag(p: Page, name: RegExp, dx: number, dy: number) {
    const box = (await p.getByRole('button', { name }).boundingBox())!;
    const x = box.x + box.width / 2;
    const y = box.y + Math.min(12, box.height / 2);
    await p.mouse.move(x, y);
    await p.mouse.down();
    for (let i = 1; i <= 8; i++) await p.mouse.move(x + (dx * i) / 8, y + (dy * i) / 8);
    await p.mouse.up();
  }

  it('creates an event by clicking a slot, moves and resizes it by dragging (live on a second page), deletes it', async () => {
    await page.getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('button', { name: 'Week', pressed: true }).waitFor();
    const label = await dayName(page, today);
    await page.getByRole('button', { name: `New event on ${label} at 10:00` }).click();
    const dialog = page.getByRole('dialog', { name: 'New event' });
    await dialog.getByLabel('Title').fill('Dentist');
    await dialog.getByLabel('Reminder').selectOption({ label: '15 minutes before' });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: /^Dentist, 10:00–11:00/ }).waitFor();
    const [made] = (await events()).filter((e) => e.title === 'Dentist');
    expect(made).toMatchObject({ start_time: `${today}T10:00:00.000Z`, reminder_minutes: 15 });

    const other = await context.newPage();
    await other.goto(server.url + '/calendar');
    await other.getByRole('button', { name: /^Dentist, 10:00–11:00/ }).waitFor();

    // One hour down is 48 px; the new time is saved and the other page follows live.
    await drag(page, /^Dentist, 10:00/, 0, 48);
    await page.getByRole('button', { name: /^Dentist, 11:00–12:00/ }).waitFor();
    await expect
      .poll(async () => (await events()).find((e) => e.title === 'Dentist')?.start_time)
      .toBe(`${today}T11:00:00.000Z`);
    await other.getByRole('button', { name: /^Dentist, 11:00–12:00/ }).waitFor();
    await other.close();

    // Resize: the bottom edge is a pointer-only handle (aria-hidden; the dialog is the keyboard
    // way), so it is found by its class. Half an hour down is 24 px.
    const handle = page
      .locator('.tg-event', { has: page.getByRole('button', { name: /^Dentist/ }) })
      .locator('.tg-resize');
    const hb = (await handle.boundingBox())!;
    await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2 + i * 4);
    await page.mouse.up();
    await page.getByRole('button', { name: /^Dentist, 11:00–12:30/ }).waitFor();
    await expect
      .poll(async () => (await events()).find((e) => e.title === 'Dentist')?.end_time)
      .toBe(`${today}T12:30:00.000Z`);

    await expectAccessible(page, 'calendar week');
    await screenshots(page, 'calendar-week');

    await page.getByRole('button', { name: /^Dentist, 11:00/ }).click();
    const edit = page.getByRole('dialog', { name: 'Edit event' });
    await edit.getByRole('button', { name: 'Delete' }).click();
    await edit.getByRole('button', { name: 'Delete event' }).click();
    await page.getByRole('button', { name: /^Dentist/ }).waitFor({ state: 'detached' });
    expect((await events()).some((e) => e.title === 'Dentist')).toBe(false);
  });

  it('changes a recurring event for one occurrence, then for all, then deletes the series', async () => {
    // A daily event over the whole visible week.
    const weekStart = await page.evaluate(() => {
      const u = new URL((globalThis as unknown as { location: { href: string } }).location.href);
      return u.searchParams.get('date');
    });
    expect(weekStart).toBe(today);
    const monday = isoDay(
      Date.parse(`${today}T00:00:00Z`) - ((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7) * DAY,
    );
    await server.request('POST', '/api/events', {
      title: 'Standup',
      start_time: `${monday}T08:00:00Z`,
      end_time: `${monday}T08:30:00Z`,
      recurrence_rule: 'FREQ=DAILY',
    });
    const standups = page.getByRole('button', { name: /^Standup, 08:00–08:30, repeats/ });
    await expect.poll(() => standups.count()).toBe(7);

    // Does this server have the occurrence API (COMPAT.md)? An unknown route says "Route ...".
    const probe = await server.request(
      'DELETE',
      '/api/events/evt_nope/occurrences/2020-01-01?mode=this_only',
    );
    const hasOccurrenceApi = !String(probe.json?.error?.message ?? '').startsWith('Route ');

    await standups.nth(2).click();
    let dialog = page.getByRole('dialog', { name: 'Edit event' });
    await dialog.getByLabel('Title').fill('Standup (one)');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('radio', { name: 'This event' }).check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    if (hasOccurrenceApi) {
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: /^Standup \(one\), 08:00/ }).waitFor();
      await expect.poll(() => standups.count()).toBe(6);
    } else {
      // Said plainly, with the way out the brief asks for; then it applies to the series.
      const alert = dialog.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain('cannot change a single occurrence');
      await alert.getByRole('button', { name: 'Apply to all events' }).click();
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(() => page.getByRole('button', { name: /^Standup \(one\), 08:00/ }).count()).toBe(7);
    }

    // All events: renamed and moved by an hour through the dialog (the keyboard way to move).
    await page
      .getByRole('button', { name: /^Standup.*, 08:00/ })
      .last()
      .click();
    dialog = page.getByRole('dialog', { name: 'Edit event' });
    await dialog.getByLabel('Title').fill('Daily sync');
    const start = await dialog.getByLabel('Starts').inputValue();
    await dialog.getByLabel('Starts').fill(start.replace('T08:00', 'T09:00'));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('radio', { name: 'All events' }).check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.getByRole('button', { name: /^Daily sync, 09:00–09:30, repeats/ }).count())
      .toBeGreaterThanOrEqual(6);
    const series = (await events()).find((e) => e.recurrence_rule === 'FREQ=DAILY')!;
    expect(series).toMatchObject({ title: 'Daily sync', start_time: `${monday}T09:00:00.000Z` });

    await page
      .getByRole('button', { name: /^Daily sync, 09:00/ })
      .first()
      .click();
    dialog = page.getByRole('dialog', { name: 'Edit event' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('radio', { name: 'All events' }).check();
    await dialog.getByRole('button', { name: 'Delete event' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('button', { name: /^Daily sync/ }).count()).toBe(0);
    expect((await events()).some((e) => e.recurrence_rule)).toBe(false);
  });

  it('shows the ICS subscription link, copies it and rotates it after asking', async () => {
    await page.getByRole('button', { name: 'Get subscription link' }).click();
    const link = page.getByRole('textbox', { name: 'Subscription link' });
    await expect.poll(() => link.inputValue()).toContain('/api/calendar.ics?key=');
    const first = await link.inputValue();
    expect((await fetch(first)).status).toBe(200);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Rotate link' }).click();
    await expect.poll(() => link.inputValue()).not.toBe(first);
    expect((await fetch(first)).status).toBe(401);
  });

  it('renders a month of 500 occurrences (measured with performance marks)', async () => {
    // 12 daily series: 12 x 42 days of the month grid = 504 occurrences.
    const first = isoDay(Date.parse(`${today.slice(0, 8)}01T00:00:00Z`) - 10 * DAY);
    for (let i = 0; i < 12; i++)
      await server.request('POST', '/api/events', {
        title: `Series ${i + 1}`,
        start_time: `${first}T${String(6 + i).padStart(2, '0')}:00:00Z`,
        end_time: `${first}T${String(6 + i).padStart(2, '0')}:30:00Z`,
        recurrence_rule: 'FREQ=DAILY',
      });
    await page.evaluate(() => performance.clearMeasures('calendar-month-render'));
    await page.getByRole('button', { name: 'Month' }).click();
    await page.getByRole('status').filter({ hasText: '504 events' }).waitFor();
    const took = await page.evaluate(() => {
      const all = performance.getEntriesByName('calendar-month-render');
      return all.map((m) => m.duration);
    });
    // The render that drew the 504: the last one. Reported, not asserted (no timed unit tests).
    console.log(
      `calendar month view, 504 occurrences: render ${took.at(-1)?.toFixed(1)} ms (all renders: ${took.map((t) => t.toFixed(1)).join(', ')})`,
    );
    expect(took.length).toBeGreaterThan(0);
    await expectAccessible(page, 'calendar month');
    await screenshots(page, 'calendar-month');
    await page.getByRole('button', { name: 'Day', exact: true }).click();
    await screenshots(page, 'calendar-day');
  });

  it('search finds a memo and opens it, shows matches safely, and a message hit opens its conversation at that message', async () => {
    await server.request('POST', '/api/memos', {
      title: 'Zebra notes',
      content: 'The zebra crossing on Elm street. <img src=x onerror="window.__pwned=1">',
    });
    const sent = await server.request('POST', '/api/chat/send', {
      content: 'remember the zebra migration plan',
    });
    const conversationId = sent.json.conversation_id as string;
    const messageId = sent.json.user_message_id as string;
    await expect
      .poll(
        async () =>
          (await server.request('GET', `/api/chat/conversations/${conversationId}/messages`)).json.items
            .length,
      )
      .toBe(2);

    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByRole('searchbox', { name: 'Search everything' }).fill('zebra');
    const results = page.getByRole('list', { name: 'Results' });
    const memoHit = results.getByRole('button', { name: /^Memo Zebra notes/ });
    await memoHit.waitFor();
    const messageHit = results.getByRole('button', { name: /^Message/ });
    await messageHit.waitFor();
    expect(await results.locator('mark').first().textContent()).toMatch(/zebra/i);
    expect(await results.getByRole('img').count()).toBe(0);

    // A kind chip narrows the search.
    await page.getByRole('button', { name: 'Messages', pressed: true }).click();
    await messageHit.waitFor({ state: 'detached' });
    await expectAccessible(page, 'search');
    await memoHit.click();
    const item = page.getByRole('region', { name: 'Zebra notes' });
    await expect.poll(() => item.textContent()).toContain('zebra crossing on Elm street');
    expect(
      await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    await expectAccessible(page, 'search with an item');
    await screenshots(page, 'search');

    await page.getByRole('button', { name: 'Messages', pressed: false }).click();
    await messageHit.click();
    await page.waitForURL(new RegExp(`/chat/${conversationId}\\?message=${messageId}`));
    const marked = page.locator('[aria-current="true"]', { hasText: 'remember the zebra migration plan' });
    await marked.waitFor();
    const box = (await marked.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(800);
  });

  it('settings: the timezone (Today follows), theme, AI test, backup, export and signing out another session', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const zone = page.getByRole('combobox', { name: 'Timezone' });
    await expect.poll(() => zone.inputValue()).toBe('UTC');
    await zone.fill('Asia/Tokyo');
    await page.getByRole('button', { name: 'Save timezone' }).click();
    await page.getByRole('status').filter({ hasText: 'Timezone set to Asia/Tokyo.' }).waitFor();
    expect((await server.request('GET', '/api/settings')).json.timezone).toBe('Asia/Tokyo');

    await page.getByRole('button', { name: 'Test the AI provider' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Works: answered in \d+ ms/ })
      .waitFor();
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Backup written: .+/ })
      .waitFor();

    // The export: a download, or (before the export endpoint exists) a plain message.
    const download = page.waitForEvent('download', { timeout: 5_000 }).catch(() => null);
    await page.getByRole('button', { name: 'Export all data (JSON)' }).click();
    const file = await download;
    if (!file)
      await expect
        .poll(() => page.getByRole('alert').allTextContents())
        .toContainEqual(expect.stringContaining('does not offer an export yet'));

    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as Doc).document.documentElement.dataset.theme))
      .toBe('dark');
    await expect
      .poll(async () => (await server.request('GET', '/api/settings')).json.settings.theme)
      .toBe('dark');
    await page.getByRole('radio', { name: 'Same as the device' }).check();
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as Doc).document.documentElement.dataset.theme))
      .toBeUndefined();
    await page.getByRole('checkbox', { name: /Send messages with Enter/ }).uncheck();
    await expect
      .poll(async () => (await server.request('GET', '/api/settings')).json.settings.sendOnEnter)
      .toBe(false);

    await expectAccessible(page, 'settings');
    await screenshots(page, 'settings');

    // The test's own API session is "another device": sign it out from here.
    const other = page.getByRole('button', { name: /^Sign out .*signed in/ });
    await expect.poll(() => other.count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await other.click();
    await expect.poll(() => other.count()).toBe(0);
    expect((await server.request('GET', '/api/settings')).status).toBe(401);

    await page.getByRole('link', { name: 'Today' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Asia/Tokyo');
  });
});
