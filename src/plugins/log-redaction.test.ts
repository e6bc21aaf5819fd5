/**
 * Query-string secrets stay out of the logs however their names are spelled on the wire: the
 * real server process, logging every request (LOG_LEVEL=debug), is asked with encoded names.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../../test/helpers/process.js';
import { makeTempDir } from '../../test/helpers/server.js';
import { redactUrl } from './redact.js';

let s: ServerProcess;
beforeAll(async () => {
  const dataDir = makeTempDir();
  s = await spawnServer({
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:///${path.join(dataDir, 'clawchat.db')}`,
    PIN: '424242',
    AI_PROVIDER: 'none',
    ENABLE_SCHEDULER: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'debug',
  });
});
afterAll(async () => {
  await s.stop();
});

describe('log redaction', () => {
  it('redacts token and key values whose names are percent-encoded', async () => {
    const urls = [
      '/ws?%74oken=SECRET-ONE',
      '/api/calendar.ics?%6Bey=SECRET-TWO',
      '/api/health?x=1&%54%4F%4B%45%4E=SECRET-THREE&y=2',
      '/api/health?%6bey=SECRET-FOUR',
      '/ws?token=SECRET-FIVE',
    ];
    for (const url of urls) await fetch(s.url + url);
    // The request lines are written asynchronously; the last one is there once the output settles.
    const deadline = Date.now() + 5000;
    while (!s.output().includes('/ws?token=[REDACTED]') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    const out = s.output();
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('/ws?%74oken=[REDACTED]');
    for (const n of ['ONE', 'TWO', 'THREE', 'FOUR', 'FIVE']) expect(out).not.toContain(`SECRET-${n}`);
  });

  it('keeps other parameters and withholds a value whose name cannot be decoded', () => {
    expect(redactUrl('/api/todos?tag=a&%6Bey=x&page=2')).toBe('/api/todos?tag=a&%6Bey=[REDACTED]&page=2');
    expect(redactUrl('/ws?%E0%A4%A=x')).toBe('/ws?%E0%A4%A=[REDACTED]');
    expect(redactUrl('/api/search?q=token%3Dx')).toBe('/api/search?q=token%3Dx');
    expect(redactUrl('/api/health')).toBe('/api/health');
  });
});
