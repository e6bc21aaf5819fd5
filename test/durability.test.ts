/** An acknowledged write survives kill -9 and a restart on the same SQLite file. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from './helpers/server.js';
import { spawnServer } from './helpers/process.js';

// SQLite's own guarantee (WAL, synchronous=FULL on one file); PostgreSQL's durability is its own,
// so the PostgreSQL run (CLAWCHAT_TEST_DB=postgres) skips this rather than repeat it on SQLite.
describe.skipIf(process.env.CLAWCHAT_TEST_DB === 'postgres')('durability', () => {
  it('keeps all 200 acknowledged todos after SIGKILL', async () => {
    const dataDir = makeTempDir();
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:///${path.join(dataDir, 'clawchat.db')}`,
      PIN: '424242',
      AI_PROVIDER: 'none',
      ENABLE_SCHEDULER: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
    };
    const first = await spawnServer(env);
    const login = await fetch(`${first.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pin: '424242' }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${access_token}` };

    const created: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = 0; i < 50; i++) {
          const res = await fetch(`${first.url}/api/todos`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ title: `durable ${worker}-${i}`, tags: ['crash'] }),
          });
          expect(res.status).toBe(201);
          created.push(((await res.json()) as { id: string }).id);
        }
      }),
    );
    await first.kill();

    const second = await spawnServer(env);
    try {
      // The session survives too: the same token still works after the restart.
      const found = new Set<string>();
      for (let page = 1; page <= 3; page++) {
        const res = await fetch(`${second.url}/api/todos?tag=crash&limit=100&page=${page}`, { headers });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { items: { id: string; title: string }[]; total: number };
        expect(body.total).toBe(200);
        for (const t of body.items) found.add(t.id);
      }
      expect(found).toEqual(new Set(created));
    } finally {
      await second.stop();
    }
  }, 60_000);
});
