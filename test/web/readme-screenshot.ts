/**
 * The README's screenshot (docs/images/): the app at desktop width with a little data, on a
 * server with no LLM configured (what a fresh install shows: the offline understander turns
 * the messages into cards). Run after a UI change, look at the PNGs, commit them:
 *
 *   npx tsx test/web/readme-screenshot.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { ensureWebBuilt, launch, signIn } from './browser.js';

const OUT = path.resolve(import.meta.dirname, '../../docs/images');
const HOUR = 60 * 60 * 1000;

async function main(): Promise<void> {
  ensureWebBuilt();
  // 10:00 in the owner's zone, so that the day has some of its events still ahead.
  const server = await startTestServer({ timezone: 'UTC', now: todayAt(10), env: { AI_PROVIDER: 'none' } });
  const browser = await launch();
  try {
    const day = server.clock.now().toISOString().slice(0, 10);
    const at = (h: number, m = 0) => `${day}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00Z`;
    await server.request('POST', '/api/events', {
      title: 'Team stand-up',
      start_time: at(9, 30),
      end_time: at(9, 45),
      location: 'Room 2',
    });
    await server.request('POST', '/api/events', {
      title: 'Dentist',
      start_time: at(16),
      end_time: at(16, 30),
    });
    await server.request('POST', '/api/events', { title: "Mum's birthday", start_time: day });
    await server.request('POST', '/api/todos', {
      title: 'Renew passport',
      priority: 'high',
      due_date: new Date(server.clock.now().getTime() - 48 * HOUR).toISOString(),
    });
    await server.request('POST', '/api/todos', { title: 'Send the invoice', due_date: at(17) });
    await server.request('POST', '/api/todos', { title: 'Book train tickets' });

    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: 'UTC',
      locale: 'en-GB',
      colorScheme: 'light',
    });
    const page = await context.newPage();
    await signIn(page, server.url);
    await page.getByRole('link', { name: 'Chat', exact: true }).click();

    for (const [i, messages] of [
      ['what do I have today?'],
      ['add buy milk tomorrow', 'schedule a review with Haechan tomorrow at 3pm'],
    ].entries()) {
      await page.getByRole('button', { name: 'New conversation' }).click();
      await page.waitForURL(/\/chat\/conv_/);
      for (const [j, text] of messages.entries()) {
        await page.getByLabel('Message', { exact: true }).fill(text);
        await page.getByRole('button', { name: 'Send' }).click();
        await page.locator('.action-card').nth(j).waitFor();
      }
      if (i === 0) await page.getByRole('link', { name: 'Chat', exact: true }).click();
    }
    fs.mkdirSync(OUT, { recursive: true });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(OUT, 'chat.png') });

    await page.getByRole('link', { name: 'Today', exact: true }).click();
    await page.getByRole('button', { name: 'Complete Renew passport' }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(OUT, 'today.png') });
    console.log(`wrote ${OUT}/chat.png and today.png`);
  } finally {
    await browser.close();
    await server.close();
  }
}

function todayAt(hour: number): string {
  const d = new Date();
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
