import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { closedPortUrl, startFakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { makeTempDir, startTestServer } from '../../../test/helpers/server.js';
import { TEST_PG_URL } from '../../../test/helpers/services.js';
import { buildApp } from '../../app.js';
import { parseConfig } from '../../config.js';
import { createDatabase } from '../../db/database.js';

describe('GET /api/health', () => {
  it('is ok without a provider (AI_PROVIDER=none) and needs no token', async () => {
    const s = await startTestServer({ login: false });
    try {
      const res = await s.request('GET', '/api/health');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        status: 'ok',
        version: '0.1.0',
        ai_provider: 'none',
        ai_model: 'llama3.2',
        ai_connected: false,
        database: s.config.database.kind, // the suite's database (CLAWCHAT_TEST_DB)
        reason: null,
      });
    } finally {
      await s.close();
    }
  });

  it('reports a reachable provider as connected', async () => {
    const fake = await startFakeOpenAI();
    const s = await startTestServer({
      env: { AI_PROVIDER: 'openai', AI_BASE_URL: fake.url, AI_MODEL: 'fake-model' },
    });
    try {
      const res = await s.request('GET', '/api/health');
      expect(res.json).toMatchObject({
        status: 'ok',
        ai_provider: 'openai',
        ai_model: 'fake-model',
        ai_connected: true,
      });
    } finally {
      await s.close();
      await fake.close();
    }
  });

  it('stays 200 but degraded when the provider is unreachable', async () => {
    const s = await startTestServer({ env: { AI_PROVIDER: 'ollama', AI_BASE_URL: await closedPortUrl() } });
    try {
      const started = Date.now();
      const res = await s.request('GET', '/api/health');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ status: 'degraded', ai_provider: 'ollama', ai_connected: false });
      expect(res.json.reason).toMatch(/AI provider unreachable/);
    } finally {
      await s.close();
    }
  });
});

describe('GET /api/health when writes fail', () => {
  it('is degraded with the reason when the SQLite database cannot grow (SQLITE_FULL)', async () => {
    // The server's own connection, to make its database full for real: SQLite refuses to grow
    // past max_page_count with the same error as a full disk.
    const dataDir = makeTempDir();
    const config = parseConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:///${path.join(dataDir, 'clawchat.db')}`,
      PIN: '123456',
      AI_PROVIDER: 'none',
      ENABLE_SCHEDULER: 'false',
      LOG_LEVEL: 'silent',
      JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
    });
    const database = await createDatabase(config.database);
    const { app } = await buildApp({
      config,
      database,
      logger: false,
      jwtSecret: new TextEncoder().encode(config.jwtSecret!),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const sqlite = database.sqlite!;
      sqlite.exec('VACUUM'); // no free pages left to reuse: the next page must grow the file
      sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`);
      const started = performance.now();
      const res = await fetch(`${url}/api/health`);
      expect(performance.now() - started).toBeLessThan(3000);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; reason: string | null };
      expect(body.status).toBe('degraded');
      expect(body.reason).toMatch(/storage not writable \(database: SQLITE_FULL\)/);
    } finally {
      await app.close();
    }
  });

  it.runIf(process.env.CLAWCHAT_TEST_DB === 'postgres')(
    'is degraded with the reason when the PostgreSQL database turns read-only',
    async () => {
      const s = await startTestServer({ database: 'postgres', login: false });
      const name = new URL(s.config.database.kind === 'postgres' ? s.config.database.url : '').pathname.slice(
        1,
      );
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      try {
        expect((await s.request('GET', '/api/health')).json).toMatchObject({ status: 'ok', reason: null });
        // As after a failover to a standby: every new session is read-only. The server's pooled
        // sessions are ended, so it reconnects into the read-only database.
        await admin.query(`alter database "${name}" set default_transaction_read_only = on`);
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        );
        const probed = Date.now() + 8000;
        let body: { status: string; reason: string | null } = { status: 'ok', reason: null };
        // The probe is cached for a few seconds: ask until the cached answer has expired.
        while (body.status === 'ok' && Date.now() < probed) {
          await new Promise((r) => setTimeout(r, 500));
          body = (await s.request('GET', '/api/health')).json;
        }
        expect(body.status).toBe('degraded');
        expect(body.reason).toMatch(/storage not writable \(database: .*read-only/);
      } finally {
        await admin.query(`alter database "${name}" reset default_transaction_read_only`);
        await admin.end();
        await s.close();
      }
    },
  );
});
