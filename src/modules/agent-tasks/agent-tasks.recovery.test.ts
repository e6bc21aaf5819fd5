/**
 * Agent tasks when the LLM is unreachable, and across a restart and a crash (SIGKILL) of
 * the server: a running task goes back to the queue and resumes.
 */
import { describe, expect, it } from 'vitest';
import { closedPortUrl, reply, startFakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { taskOf, waitStatus } from '../../../test/helpers/agent-tasks.js';
import { aiEnv } from '../../../test/helpers/llm-server.js';
import { spawnServer, sqliteProcessEnv } from '../../../test/helpers/process.js';
import { makeTempDir, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { until } from '../../../test/helpers/wait.js';
import { connectWs } from '../../../test/helpers/ws.js';
import { createDatabase } from '../../db/database.js';

describe('agent tasks with the LLM unreachable', () => {
  it('fails with a readable error and a notification', async () => {
    const down = await startTestServer({ env: aiEnv(await closedPortUrl()) });
    const client = await connectWs(down);
    try {
      const { id } = (await down.request('POST', '/api/agent-tasks', { instruction: 'Research tides' })).json;
      const note = await client.waitForType('notification', (d) => d.item_id === id);
      expect(note.data).toMatchObject({ kind: 'agent_task', conversation_id: null });
      const task = await taskOf(down, id);
      expect(task.status).toBe('failed');
      expect(task.error).toMatch(/AI provider .* cannot be reached \(connection refused\)/);
      expect(note.data.body).toBe(task.error);
      // No conversation was asked in, so no "Agent tasks" conversation is made for a failure.
      expect(task.conversation_id).toBeNull();
    } finally {
      await client.close();
      await down.close();
    }
  });
});

describe('agent tasks across a restart', () => {
  it('gives a running task back to the queue on shutdown, without using up an attempt, and documents the API', async () => {
    const llm = await startFakeOpenAI();
    const dataDir = makeTempDir();
    llm.onChat(reply.stall());
    const before = await startTestServer({ dataDir, env: aiEnv(llm.url) });
    let after: TestServer | null = null;
    try {
      const { id } = (await before.request('POST', '/api/agent-tasks', { instruction: 'Plan a trip' })).json;
      await until(
        async () => llm.requests.length,
        (n) => n === 1,
        'the LLM call',
      );
      const closing = Date.now();
      await before.close();
      // A stalled LLM call does not hold the shutdown up.
      expect(Date.now() - closing).toBeLessThan(2_000);

      llm.onChat('Day 1: Lisbon.');
      after = await startTestServer({ dataDir, env: aiEnv(llm.url) });
      expect((await waitStatus(after, id, 'completed')).result).toBe('Day 1: Lisbon.');
      const database = await createDatabase(after.config.database, { migrate: false });
      const row = await database.db
        .selectFrom('agent_tasks')
        .select('attempts')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await database.close();
      expect(row.attempts).toBe(1);

      const doc = (await after.request('GET', '/openapi.json')).json;
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/agent-tasks', '/api/agent-tasks/{id}', '/api/agent-tasks/{id}/cancel']),
      );
      expect(JSON.stringify(doc.components.schemas)).toContain('"task_type"');
    } finally {
      await after?.close();
      await llm.close();
    }
  });
});

describe('agent tasks across a crash', () => {
  it('resumes a task interrupted by SIGKILL after the restart', async () => {
    const llm = await startFakeOpenAI();
    const dataDir = makeTempDir();
    const env = sqliteProcessEnv(dataDir, aiEnv(llm.url));
    let first: Awaited<ReturnType<typeof spawnServer>> | null = null;
    let second: Awaited<ReturnType<typeof spawnServer>> | null = null;
    try {
      llm.onChat(reply.stall());
      first = await spawnServer(env);
      const login = await fetch(`${first.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pin: '424242' }),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${access_token}` };
      const created = await fetch(`${first.url}/api/agent-tasks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ task_type: 'summarize', instruction: 'Summarize the French revolution' }),
      });
      expect(created.status).toBe(202);
      const { id } = (await created.json()) as { id: string };
      await until(
        async () => llm.requests.length,
        (n) => n === 1,
        'the first LLM call',
      );
      await first.kill();
      first = null;

      llm.onChat('It began in 1789.');
      second = await spawnServer(env);
      const url = second.url;
      const task = await until(
        async () =>
          (await (await fetch(`${url}/api/agent-tasks/${id}`, { headers })).json()) as Record<string, any>,
        (t) => t.status === 'completed',
        'the task to resume and complete',
        15_000,
      );
      expect(task.result).toBe('It began in 1789.');
      expect(llm.requests).toHaveLength(2);
      const conv = (await (
        await fetch(`${url}/api/chat/conversations/${task.conversation_id}`, { headers })
      ).json()) as Record<string, any>;
      expect(conv.title).toBe('Agent tasks');
      expect(conv.messages.at(-1).content).toContain('It began in 1789.');
    } finally {
      await first?.kill();
      await second?.stop();
      await llm.close();
    }
  }, 60_000);
});
