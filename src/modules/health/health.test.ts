import { describe, expect, it } from 'vitest';
import { closedPortUrl, startFakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { startTestServer } from '../../../test/helpers/server.js';

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
    } finally {
      await s.close();
    }
  });
});
