/**
 * ClawChat in a real browser (Chromium via playwright-core) against the real server on a temp
 * SQLite file. With the fake LLM over HTTP: sign in, stream a reply, a reload that stays signed
 * in, two tabs seeing one turn, a socket dropped mid-stream that resumes without losing or
 * doubling text, and the lockout. With no LLM configured (the offline understander): a card
 * from "add buy milk tomorrow", completed from the card and gone from Today. Each screen is
 * checked with axe and photographed at 390 px and 1280 px.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai.js';
import { createDatabase } from '../../src/db/database.js';
import { startTestServer, TEST_PIN, type TestServer } from '../helpers/server.js';
import {
  ensureWebBuilt,
  expectAccessible,
  launch,
  screenshots,
  SCREENSHOTS,
  signIn,
  skipReason,
} from './browser.js';

const reason = skipReason();
if (reason) console.log(reason);

const DAY = 24 * 60 * 60 * 1000;

describe.skipIf(reason !== null)('the web app in a browser', () => {
  let fake: FakeOpenAI;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    fake = await startFakeOpenAI();
    // Auto-titles: short, as a real model would write them (the screenshots show them).
    fake.script((req) => {
      const prompt = JSON.stringify(req.body?.messages ?? []);
      if (!prompt.includes('Write a short title')) return undefined;
      if (prompt.includes('both tabs')) return reply.text('Two tabs');
      if (prompt.includes('thirty words')) return reply.text('Thirty words');
      return reply.text('Saying hello');
    });
    server = await startTestServer({
      login: false,
      timezone: 'UTC',
      env: { AI_PROVIDER: 'openai', AI_BASE_URL: fake.url, AI_MODEL: 'fake' },
    });
    browser = await launch();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: 'UTC',
      locale: 'en-GB',
    });
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
  });

  const url = (p = '/') => server.url + p;

  it('serves the app with a strict CSP, and keeps the JSON 404 for unknown API routes', async () => {
    const res = await fetch(url('/chat/anything'), { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe');
    expect(await res.text()).toContain('<div id="app">');
    const api = await fetch(url('/api/nope'), { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('signs in with the PIN; a wrong PIN is said plainly', async () => {
    await page.goto(url('/'));
    const pin = page.getByLabel('PIN');
    await pin.fill('999999');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong PIN');
    await expectAccessible(page, 'sign-in');
    await screenshots(page, 'sign-in');

    await pin.fill(TEST_PIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: /Good (morning|afternoon|evening)/ }).waitFor();
    await page.getByRole('link', { name: 'Chat' }).waitFor();
  });

  it('sends a message and shows the reply streamed in', async () => {
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.waitForURL(/\/chat\/conv_/);
    fake.onChat({ chunks: ['Hello', ' from', ' the', ' **fake**', ' model.'], delayMs: 40 });
    await page.getByLabel('Message', { exact: true }).fill('hello there');
    await page.getByRole('button', { name: 'Send' }).click();
    const messages = page.getByLabel('Messages');
    await messages.getByText('hello there').waitFor();
    await messages.locator('strong', { hasText: 'fake' }).waitFor();
    await expect.poll(() => messages.textContent()).toContain('Hello from the fake model.');
    // Tokens were painted as they arrived (one frame each), not all at once at the end.
    const paints = await page.evaluate(() =>
      (globalThis as unknown as { __clawchatPaintTimes: number[] }).__clawchatPaintTimes.slice(),
    );
    expect(paints.length).toBeGreaterThanOrEqual(5);
    await page.getByRole('button', { name: 'Regenerate' }).waitFor();
    await expectAccessible(page, 'chat');
    await screenshots(page, 'chat');
  });

  it('stays signed in across a reload', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await expect(page.getByLabel('PIN').count()).resolves.toBe(0);
  });

  it('shows one turn live in two tabs', async () => {
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.waitForURL(/\/chat\/conv_/);
    const other = await context.newPage();
    await other.goto(page.url());
    await other.getByLabel('Message', { exact: true }).waitFor();
    fake.onChat({ chunks: ['Seen', ' in', ' both', ' tabs.'], delayMs: 60 });
    await page.getByLabel('Message', { exact: true }).fill('are you in both tabs?');
    await page.getByRole('button', { name: 'Send' }).click();
    for (const p of [page, other]) {
      await expect
        .poll(() => p.getByLabel('Messages').textContent(), { timeout: 10_000 })
        .toContain('Seen in both tabs.');
      await expect.poll(() => p.getByLabel('Messages').textContent()).toContain('are you in both tabs?');
    }
    await other.close();
  });

  it('resumes a reply after a socket dropped mid-stream, without losing or doubling text', async () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const full = words.join(' ');
    // Every frame of both sockets, as the browser saw them.
    const sockets: { sent: string[]; received: string[] }[] = [];
    page.on('websocket', (ws) => {
      const log = { sent: [] as string[], received: [] as string[] };
      sockets.push(log);
      ws.on('framesent', (f) => log.sent.push(String(f.payload)));
      ws.on('framereceived', (f) => log.received.push(String(f.payload)));
    });
    // A new conversation opened by URL, so that this page's socket is a fresh one we watch.
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.waitForURL(/\/chat\/conv_/);
    await page.reload();
    await page.getByLabel('Message', { exact: true }).waitFor();
    await expect.poll(() => sockets.length).toBe(1);

    fake.onChat({ chunks: words.map((w) => `${w} `), delayMs: 80 });
    await page.getByLabel('Message', { exact: true }).fill('tell me forty words');
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = page.getByRole('article', { name: 'Assistant' });
    // What the reply shows while it streams, recorded in the page at every change of the DOM
    // (a MutationObserver runs before the next frame arrives): the streamed text itself,
    // before stream_end replaces it with the server's full text.
    await page.evaluate(`(() => {
      window.__samples = [];
      const list = document.querySelector('[aria-label="Messages"]');
      const streaming = () => [...list.querySelectorAll('article[aria-label="Assistant"]')].find((a) =>
        [...a.querySelectorAll('button')].some((b) => b.textContent === 'Stop'));
      new MutationObserver(() => {
        const text = streaming()?.querySelector('.md')?.textContent?.trim();
        if (text && text !== window.__samples.at(-1)) window.__samples.push(text);
      }).observe(list, { subtree: true, childList: true, characterData: true });
    })()`);
    await reply.getByText(/w3\b/).waitFor();
    const atDrop = (await reply.locator('.md').textContent())?.trim() ?? '';
    await page.evaluate(() =>
      (globalThis as unknown as { __clawchat: { dropSocket(): void } }).__clawchat.dropSocket(),
    );
    await page.getByRole('button', { name: 'Regenerate' }).waitFor({ timeout: 20_000 });

    // Dropped mid-stream: the reply had begun and was far from done.
    expect(atDrop).toMatch(/^w0 w1 w2 w3/);
    expect(atDrop).not.toContain('w30');
    // Reconnected, and asked the server to resume from the first chunk the first socket lacked.
    expect(sockets).toHaveLength(2);
    const chunkIndexes = (frames: string[]) =>
      frames
        .map((f) => JSON.parse(f) as { type: string; data: { index: number } })
        .filter((f) => f.type === 'stream_chunk')
        .map((f) => f.data.index);
    const before = chunkIndexes(sockets[0]!.received);
    const lastBefore = Math.max(...before);
    expect(lastBefore).toBeLessThan(words.length - 1);
    const resumes = sockets[1]!.sent
      .map((f) => JSON.parse(f) as { type: string; data: { from_index: number } })
      .filter((f) => f.type === 'resume');
    expect(resumes[0]?.data.from_index).toBe(lastBefore + 1);
    const after = chunkIndexes(sockets[1]!.received);
    expect(Math.min(...after)).toBe(lastBefore + 1);
    expect(new Set([...before, ...after])).toEqual(new Set(words.map((_, i) => i)));

    // Never a doubled or missing word on screen: every streamed state is a prefix of the
    // reply, and the stream itself got to the whole reply.
    const samples = await page.evaluate<string[]>('window.__samples');
    expect(samples.length).toBeGreaterThan(5);
    for (const sample of samples) expect(full.startsWith(sample), `shown: "${sample}"`).toBe(true);
    expect(samples.at(-1)).toBe(full);
    // The final message is exactly the reply, once.
    await expect(
      reply
        .locator('.md')
        .textContent()
        .then((t) => t?.trim()),
    ).resolves.toBe(full);
    await expect(reply.count()).resolves.toBe(1);
    expect(((await page.getByLabel('Messages').textContent()) ?? '').split('w17 ').length).toBe(2);
  });

  it('stops a reply, keeping its text, and regenerates it', async () => {
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.waitForURL(/\/chat\/conv_/);
    fake.onChat({ chunks: Array.from({ length: 100 }, (_, i) => `s${i} `), delayMs: 150 });
    await page.getByLabel('Message', { exact: true }).fill('a long story please');
    await page.getByRole('button', { name: 'Send' }).click();
    const messages = page.getByLabel('Messages');
    await messages.getByText(/s2 /).waitFor({ timeout: 10_000 });
    // A streaming reply keeps moving its Stop button; a click event needs no steady position.
    await page.getByRole('button', { name: 'Stop' }).dispatchEvent('click');
    await messages.getByText('Stopped').waitFor({ timeout: 10_000 });
    const stoppedText = (await messages.textContent()) ?? '';
    expect(stoppedText).toContain('s2');
    expect(stoppedText).not.toContain('s99');

    fake.onChat({ chunks: ['A', ' shorter', ' story.'], delayMs: 20 });
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await expect.poll(() => messages.textContent()).toContain('A shorter story.');
    // The old reply is gone, the user message is not doubled.
    const text = (await messages.textContent()) ?? '';
    expect(text).not.toContain('s2 ');
    expect(text.split('a long story please').length).toBe(2);
    fake.onChat('Hello from the fake model.');
  });

  it('shows a notification as an in-app toast', async () => {
    await page.goto(url('/'));
    await page.getByRole('heading', { level: 1 }).waitFor();
    fake.onChat('The summary you asked for.');
    const login = await server.request('POST', '/api/auth/login', { pin: TEST_PIN });
    server.token = login.json.access_token;
    const task = await server.request('POST', '/api/agent-tasks', {
      task_type: 'summarize',
      instruction: 'Summarise my week',
    });
    expect(task.status).toBe(202);
    // A toast is announced (role status) and can be dismissed by its named button.
    const dismiss = page.getByRole('button', { name: /^Dismiss \S/ }).first();
    await dismiss.waitFor({ timeout: 20_000 });
    await dismiss.click();
    await dismiss.waitFor({ state: 'detached' });
    fake.onChat('Hello from the fake model.');
  });

  it('shows AI_UNAVAILABLE in the conversation when the model cannot answer', async () => {
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.waitForURL(/\/chat\/conv_/);
    fake.onChat({ status: 503 });
    try {
      await page.getByLabel('Message', { exact: true }).fill('are you there?');
      await page.getByRole('button', { name: 'Send' }).click();
      await page
        .getByLabel('Messages')
        .getByRole('alert')
        .filter({ hasText: 'The assistant is unavailable' })
        .waitFor({ timeout: 20_000 });
    } finally {
      fake.onChat('Hello from the fake model.');
    }
  });

  it('keeps only the visible rows of a 1,000-message conversation in the page', async () => {
    const direct = await createDatabase(server.config.database, { migrate: false });
    const start = server.clock.now().getTime() - 1000 * 60_000;
    const at = (i: number) => new Date(start + i * 60_000).toISOString();
    await direct.db
      .insertInto('conversations')
      .values({
        id: 'conv_long',
        title: 'A long conversation',
        is_archived: 0,
        created_at: at(0),
        updated_at: at(999),
      })
      .execute();
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      id: `msg_long${String(i).padStart(4, '0')}`,
      conversation_id: 'conv_long',
      role: i % 2 === 0 ? 'user' : 'assistant',
      content:
        i % 2 === 0
          ? `Question number ${i}`
          : `Answer number ${i}, with **some** Markdown and a list:\n\n- one\n- two`,
      message_type: 'text',
      status: 'complete',
      intent: null,
      metadata: null,
      created_at: at(i),
    }));
    for (let i = 0; i < rows.length; i += 200)
      await direct.db
        .insertInto('messages')
        .values(rows.slice(i, i + 200))
        .execute();
    await direct.close();

    await page.goto(url('/chat/conv_long'));
    const messages = page.getByLabel('Messages');
    await messages.getByText('Answer number 999,').waitFor();
    const older = page.getByRole('button', { name: 'Load older messages' });
    while ((await older.count()) > 0) {
      await older.click();
      await expect
        .poll(() =>
          older
            .isDisabled()
            .then((d) => !d)
            .catch(() => true),
        )
        .toBe(true);
    }
    const rendered = await page.locator('.message-row').count();
    expect(rendered).toBeLessThan(60);
    await messages.evaluate((el) => (el.scrollTop = 0));
    await messages.getByText('Question number 0', { exact: true }).waitFor();
    expect(await page.locator('.message-row').count()).toBeLessThan(60);
  }, 90_000);

  it('shows the lockout with the wait time', async () => {
    const fresh = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const p = await fresh.newPage();
    await p.goto(url('/'));
    let message = '';
    for (let i = 0; i < 12 && !/Try again in/.test(message); i++) {
      await p.getByLabel('PIN').fill('000001');
      const answered = p.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
      await p.getByRole('button', { name: 'Sign in' }).click();
      const res = await answered;
      await expect
        .poll(() => p.getByRole('alert').textContent())
        .toMatch(res.status() === 429 ? /Try again in/ : /Wrong PIN/);
      message = (await p.getByRole('alert').textContent()) ?? '';
    }
    expect(message).toMatch(/Too many wrong attempts\. Try again in \d+ (seconds?|minutes)\./);
    await screenshots(p, 'sign-in-locked');
    await fresh.close();
  });

  it('wrote the screenshots', () => {
    for (const name of ['sign-in', 'chat'])
      for (const w of [390, 1280])
        expect(fs.existsSync(path.join(SCREENSHOTS, `${name}-${w}.png`))).toBe(true);
  });
});

// No LLM configured (AI_PROVIDER=none): the offline understander reads the message, as on a
// fresh install before anyone sets up a model.
describe.skipIf(reason !== null)('the web app with no LLM configured', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer({ login: false, timezone: 'UTC', env: { AI_PROVIDER: 'none' } });
    browser = await launch();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: 'UTC',
      locale: 'en-GB',
    });
    page = await context.newPage();
    await signIn(page, server.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('"add buy milk tomorrow" shows a card; completing it from the card takes it off Today', async () => {
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.waitForURL(/\/chat\/conv_/);
    const chatUrl = page.url();
    await page.getByLabel('Message', { exact: true }).fill('add buy milk tomorrow');
    await page.getByRole('button', { name: 'Send' }).click();
    const card = page.getByRole('region', { name: /^Task added: buy milk$/i });
    await card.waitFor();
    // Due tomorrow, in the owner's zone, as the understander read it.
    const tomorrow = new Date(server.clock.now().getTime() + DAY).toISOString().slice(0, 10);
    const login = await server.request('POST', '/api/auth/login', { pin: TEST_PIN });
    server.token = login.json.access_token;
    const todos = await server.request('GET', '/api/todos?status=pending');
    const milk = (todos.json.items as { title: string; due_date: string | null }[]).filter((t) =>
      /^buy milk$/i.test(t.title),
    );
    expect(milk).toHaveLength(1);
    expect(milk[0]!.due_date?.slice(0, 10)).toBe(tomorrow);
    await expectAccessible(page, 'chat with a card');
    await screenshots(page, 'chat-card');

    // The next day: the todo is due today, so Today lists it (the session refreshes as needed).
    server.clock.advance(DAY);
    const again = await server.request('POST', '/api/auth/login', { pin: TEST_PIN });
    server.token = again.json.access_token;
    const day = server.clock.now().toISOString().slice(0, 10);
    await server.request('POST', '/api/events', {
      title: 'Team stand-up',
      start_time: `${day}T09:30:00Z`,
      end_time: `${day}T09:45:00Z`,
      location: 'Room 2',
    });
    await server.request('POST', '/api/events', { title: "Mum's birthday", start_time: day });
    await server.request('POST', '/api/todos', {
      title: 'Renew passport',
      due_date: new Date(server.clock.now().getTime() - 2 * DAY).toISOString(),
      priority: 'high',
    });
    const today = await context.newPage();
    await today.goto(server.url + '/');
    const complete = today.getByRole('button', { name: /^Complete buy milk$/i });
    await complete.waitFor();
    // All-day events come first.
    const events = await today
      .getByRole('region', { name: "Today's events" })
      .getByRole('listitem')
      .allTextContents();
    expect(events[0]).toContain("Mum's birthday");
    expect(events[1]).toContain('Team stand-up');
    await today.getByRole('button', { name: 'Complete Renew passport' }).waitFor();
    await expectAccessible(today, 'today');
    await screenshots(today, 'today');

    await page.goto(chatUrl);
    await page.getByRole('button', { name: /^Complete: buy milk$/i }).click();
    await page.getByRole('region', { name: /^Task completed: buy milk$/i }).waitFor();
    // Today updates live (module_data_changed), without a reload; the other todo stays.
    await complete.waitFor({ state: 'detached' });
    await today.getByRole('button', { name: 'Complete Renew passport' }).waitFor();
    await today.close();
  });

  it('wrote the screenshots', () => {
    for (const name of ['chat-card', 'today'])
      for (const w of [390, 1280])
        expect(fs.existsSync(path.join(SCREENSHOTS, `${name}-${w}.png`))).toBe(true);
  });
});
