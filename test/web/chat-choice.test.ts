/**
 * The `choice` card in a real browser: offline (no LLM), a message the understander cannot
 * place between two intents shows the question with both readings as buttons; pressing one
 * acts on the original message and the question shows no live buttons after.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { understandOffline } from '../../src/ai/offline/understand.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ensureWebBuilt, expectAccessible, launch, signIn, skipReason } from './browser.js';

const reason = skipReason();
if (reason) console.log(reason);

const NOW = '2026-03-10T01:00:00Z';
// Short phrases the shipped model may be unsure about (as in chat-choice.test.ts): it is asked.
const CANDIDATES = ['wifi password', 'meeting notes', 'dentist thursday 3pm', 'gym tomorrow', 'passport'];

describe.skipIf(reason !== null)('the choice card in the web app', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer({ login: false, timezone: 'UTC', now: NOW });
    browser = await launch();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks with both readings as buttons and acts on the one pressed', async () => {
    const ctx = { now: new Date(NOW), timezone: 'UTC' };
    const text = CANDIDATES.find((t) => understandOffline(t, ctx).ambiguous);
    expect(text, 'no candidate is ambiguous for the shipped model').toBeDefined();

    await signIn(page, server.url);
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.waitForURL(/\/chat\/conv_/);
    await page.getByLabel('Message', { exact: true }).fill(text!);
    await page.getByRole('button', { name: 'Send' }).click();

    const card = page.getByRole('region', { name: /^Did you mean…/ });
    await card.waitFor();
    expect(await card.textContent()).toContain(text!);
    const buttons = card.getByRole('button');
    expect(await buttons.count()).toBe(2);
    await expectAccessible(page, 'chat with a choice card');

    // "Just chatting" needs an LLM this server has none of: press the reading that acts.
    const labels = await buttons.allTextContents();
    const acting = labels.filter((l) => l !== 'Just chatting').at(-1)!;
    await card.getByRole('button', { name: acting }).click();
    await page
      .getByRole('region', { name: /^(Task added|Event added|Memo saved|Search results|Tasks|Events|Memos)/ })
      .last()
      .waitFor();
    await expect.poll(() => card.getByRole('button').count()).toBe(0);
  });
});
