/**
 * Agent tasks over real HTTP and WebSocket against the fake OpenAI server. The LLM is reached
 * through a small TCP relay so a test can see the server hang up on a stalled call (a cancel).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reply, startFakeOpenAI, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { taskOf, waitStatus } from '../../../test/helpers/agent-tasks.js';
import { aiEnv } from '../../../test/helpers/llm-server.js';
import { sleep, until } from '../../../test/helpers/wait.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, type WsClient } from '../../../test/helpers/ws.js';
import { createDatabase, type Database } from '../../db/database.js';

interface Relay {
  url: string;
  /** Connections our server closed while still waiting for the answer (aborted calls). */
  hungUpWaiting: number;
  close(): Promise<void>;
}

/** A TCP relay to the fake that counts calls our server gave up on before any answer came. */
async function startRelay(target: string): Promise<Relay> {
  const { port: targetPort } = new URL(target);
  const sockets = new Set<net.Socket>();
  const relay: Relay = {
    url: '',
    hungUpWaiting: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((client) => {
    sockets.add(client);
    const upstream = net.connect(Number(targetPort), '127.0.0.1');
    client.pipe(upstream).pipe(client);
    let waiting = false;
    client.on('data', () => (waiting = true));
    upstream.on('data', () => (waiting = false));
    client.on('close', () => {
      sockets.delete(client);
      if (waiting) relay.hungUpWaiting++;
      upstream.destroy();
    });
    client.on('error', () => undefined);
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return relay;
}

let fake: FakeOpenAI;
let relay: Relay;
let s: TestServer;
let ws: WsClient;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  relay = await startRelay(fake.url);
  // One task at a time here, so the concurrency test can watch the bound.
  s = await startTestServer({ env: { ...aiEnv(relay.url), AGENT_CONCURRENCY: '1' } });
  ws = await connectWs(s);
});
afterAll(async () => {
  await ws?.close();
  await s?.close();
  await relay?.close();
  await fake?.close();
});
beforeEach(() => fake.reset());

describe('agent tasks', () => {
  it('runs a task and posts the result into its conversation, with events and a notification', async () => {
    const conv = (await s.request('POST', '/api/chat/conversations', { title: 'Physics' })).json;
    fake.onChat('Qubits can be 0 and 1 at once.');
    const res = await s.request('POST', '/api/agent-tasks', {
      task_type: 'research',
      instruction: '  Explain quantum computing  ',
      conversation_id: conv.id,
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^task_/),
      task_type: 'research',
      instruction: 'Explain quantum computing',
      status: 'queued',
      result: null,
      error: null,
      conversation_id: conv.id,
      message_id: null,
      started_at: null,
      completed_at: null,
    });
    const id = res.json.id as string;

    const note = await ws.waitForType('notification', (d) => d.item_id === id);
    expect(note.data).toMatchObject({
      kind: 'agent_task',
      conversation_id: conv.id,
      action: 'open_conversation',
    });
    expect(note.data.title).toContain('Explain quantum computing');
    await ws.settle();

    const task = await taskOf(s, id);
    expect(task).toMatchObject({
      status: 'completed',
      result: 'Qubits can be 0 and 1 at once.',
      error: null,
      conversation_id: conv.id,
    });
    expect(task.started_at).toEqual(expect.any(String));
    expect(task.completed_at).toEqual(expect.any(String));

    // The result is an assistant message in the conversation, announced to every device.
    const messages = (await s.request('GET', `/api/chat/conversations/${conv.id}/messages`)).json.items;
    const posted = messages.find((m: { id: string }) => m.id === task.message_id);
    expect(posted).toMatchObject({
      role: 'assistant',
      message_type: 'text',
      status: 'complete',
      conversation_id: conv.id,
    });
    expect(posted.content).toContain('Qubits can be 0 and 1 at once.');
    expect(posted.metadata.agent_task).toMatchObject({ id, task_type: 'research' });
    const created = ws.frames.find((f) => f.type === 'message_created' && f.data.id === task.message_id);
    expect(created?.data.content).toBe(posted.content);

    // agent_task_updated on every status change, and module_data_changed with it.
    const statuses = ws.frames
      .filter((f) => f.type === 'agent_task_updated' && f.data.id === id)
      .map((f) => f.data.status);
    expect(statuses).toEqual(['queued', 'running', 'completed']);
    expect(ws.frames.filter((f) => f.type === 'agent_task_updated' && f.data.id === id).at(-1)?.data).toEqual(
      task,
    );
    expect(
      ws.frames.some(
        (f) => f.type === 'module_data_changed' && f.data.module === 'agent_tasks' && f.data.id === id,
      ),
    ).toBe(true);

    // The model was told what kind of task it is and that it cannot browse.
    const sent = fake.requests[0]!;
    expect(sent.messages[0].role).toBe('system');
    expect(sent.messages[0].content).toMatch(/research/i);
    expect(sent.messages[0].content).toMatch(/no web access|cannot browse/i);
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: 'Explain quantum computing' });

    // Offline clients see it later in the notification list.
    const list = (await s.request('GET', '/api/notifications')).json.items;
    expect(list.find((n: { item_id: string }) => n.item_id === id)).toMatchObject({
      kind: 'agent_task',
      conversation_id: conv.id,
    });
  });

  it('posts results of tasks without a conversation into one "Agent tasks" conversation', async () => {
    fake.onChat('Dear team, ...');
    const a = (await s.request('POST', '/api/agent-tasks', { instruction: 'Draft a note to the team' })).json;
    expect(a.task_type).toBe('custom');
    const doneA = await waitStatus(s, a.id, 'completed');
    const b = (
      await s.request('POST', '/api/agent-tasks/', { task_type: 'draft', instruction: 'Draft another note' })
    ).json;
    const doneB = await waitStatus(s, b.id, 'completed');
    expect(doneA.conversation_id).toEqual(expect.stringMatching(/^conv_/));
    expect(doneB.conversation_id).toBe(doneA.conversation_id);
    const conv = (await s.request('GET', `/api/chat/conversations/${doneA.conversation_id}`)).json;
    expect(conv.title).toBe('Agent tasks');
    expect(conv.messages.map((m: { id: string }) => m.id)).toEqual([doneA.message_id, doneB.message_id]);
    expect(fake.requests[1]!.messages[0].content).toMatch(/draft/i);
  });

  it('fails cleanly when the LLM answers with an error, and tells the user', async () => {
    const conv = (await s.request('POST', '/api/chat/conversations', {})).json;
    fake.queue(reply.error(500, 'model exploded'));
    const { id } = (
      await s.request('POST', '/api/agent-tasks', {
        instruction: 'Summarize my week',
        conversation_id: conv.id,
      })
    ).json;
    const note = await ws.waitForType('notification', (d) => d.item_id === id);
    expect(note.data.title).toMatch(/failed/i);
    expect(note.data.body).toMatch(/HTTP 500/);
    const task = await taskOf(s, id);
    expect(task).toMatchObject({ status: 'failed', result: null });
    expect(task.error).toMatch(/AI provider answered with HTTP 500/);
    // Where it was asked, the failure is explained in the conversation too.
    const posted = (await s.request('GET', `/api/chat/conversations/${conv.id}/messages`)).json.items.at(-1);
    expect(posted).toMatchObject({ id: task.message_id, role: 'assistant', message_type: 'system' });
    expect(posted.content).toContain(task.error);
  });

  it('cancels a running task: the LLM call is aborted at once; a finished task cannot be cancelled', async () => {
    // Not even headers: the call is in flight until someone hangs up.
    fake.onChat(reply.noResponse());
    const { id } = (await s.request('POST', '/api/agent-tasks', { instruction: 'Write a very long essay' }))
      .json;
    await until(
      async () => fake.requests.length,
      (n) => n === 1,
      'the LLM call',
    );
    expect((await taskOf(s, id)).status).toBe('running');
    expect(relay.hungUpWaiting).toBe(0);

    const started = Date.now();
    const res = await s.request('POST', `/api/agent-tasks/${id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, status: 'cancelled', result: null });
    expect(res.json.completed_at).toEqual(expect.any(String));
    // The fake sees the request go away: the server hung up on the stalled call.
    await until(
      async () => relay.hungUpWaiting,
      (n) => n === 1,
      'the LLM call to be aborted',
      2_000,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    await s.built.services.agentTasks.worker.idle();
    expect((await taskOf(s, id)).status).toBe('cancelled');
    expect(s.built.services.agentTasks.worker.running()).toEqual([]);

    const again = await s.request('POST', `/api/agent-tasks/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('CONFLICT');

    fake.onChat('done');
    const finished = (await s.request('POST', '/api/agent-tasks', { instruction: 'Quick one' })).json;
    await waitStatus(s, finished.id, 'completed');
    expect((await s.request('POST', `/api/agent-tasks/${finished.id}/cancel`)).status).toBe(409);
  });

  it('runs at most AGENT_CONCURRENCY tasks at once; a queued task is cancelled at once', async () => {
    let calls = 0;
    fake.script((req) => (req.path === '/v1/chat/completions' && ++calls === 1 ? reply.stall() : undefined));
    fake.onChat('second done');
    let running = 0;
    let most = 0;
    const seen = new Map<string, string>();
    const stop = s.built.services.hub.subscribe((f) => {
      if (f.type !== 'agent_task_updated') return;
      const data = f.data;
      const before = seen.get(data.id);
      if (before !== 'running' && data.status === 'running') running++;
      if (before === 'running' && data.status !== 'running') running--;
      seen.set(data.id, data.status);
      most = Math.max(most, running);
    });
    try {
      const first = (await s.request('POST', '/api/agent-tasks', { instruction: 'first' })).json;
      const second = (await s.request('POST', '/api/agent-tasks', { instruction: 'second' })).json;
      const third = (await s.request('POST', '/api/agent-tasks', { instruction: 'third' })).json;
      await until(
        async () => fake.requests.length,
        (n) => n === 1,
        'the first LLM call',
      );
      await s.built.services.agentTasks.worker.tick();
      await sleep(100);
      expect(fake.requests).toHaveLength(1);
      expect((await taskOf(s, second.id)).status).toBe('queued');

      const cancelled = await s.request('POST', `/api/agent-tasks/${third.id}/cancel`);
      expect(cancelled.json.status).toBe('cancelled');

      const list = (await s.request('GET', '/api/agent-tasks?status=queued,running')).json;
      expect(list.items.map((t: { id: string }) => t.id)).toEqual([second.id, first.id]);

      await s.request('POST', `/api/agent-tasks/${first.id}/cancel`);
      await waitStatus(s, second.id, 'completed');
      expect(fake.requests).toHaveLength(2);
      expect(most).toBe(1);
      expect((await taskOf(s, third.id)).status).toBe('cancelled');
    } finally {
      stop();
    }
  });

  it('lists newest first with status filters and paging', async () => {
    const all = (await s.request('GET', '/api/agent-tasks?limit=100')).json;
    expect(all.total).toBeGreaterThanOrEqual(5);
    const created = all.items.map((t: { created_at: string }) => t.created_at);
    expect([...created].sort().reverse()).toEqual(created);
    const page2 = (await s.request('GET', '/api/agent-tasks?limit=2&page=2')).json;
    expect(page2).toMatchObject({ page: 2, limit: 2, total: all.total });
    expect(page2.items).toEqual(all.items.slice(2, 4));
    const finished = (await s.request('GET', '/api/agent-tasks?status=completed,failed')).json;
    expect(finished.items.length).toBeGreaterThan(0);
    expect(finished.items.every((t: { status: string }) => ['completed', 'failed'].includes(t.status))).toBe(
      true,
    );
    expect((await s.request('GET', '/api/agent-tasks?page=99')).json).toMatchObject({
      items: [],
      total: all.total,
    });
  });

  it('validates input and answers 404 for unknown tasks and conversations', async () => {
    for (const body of [
      {},
      { instruction: '' },
      { instruction: '   ' },
      { instruction: 5 },
      { instruction: 'x'.repeat(10_001) },
      { instruction: 'ok', task_type: 'hack' },
      { instruction: 'ok', conversation_id: 7 },
    ]) {
      const res = await s.request('POST', '/api/agent-tasks', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    }
    for (const q of ['status=done', 'status=queued,bogus', 'limit=0', 'limit=101', 'page=0']) {
      const res = await s.request('GET', `/api/agent-tasks?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
    }
    const missingConv = await s.request('POST', '/api/agent-tasks', {
      instruction: 'ok',
      conversation_id: 'conv_nope',
    });
    expect(missingConv.status).toBe(404);
    expect((await s.request('GET', '/api/agent-tasks/task_nope')).status).toBe(404);
    expect((await s.request('POST', '/api/agent-tasks/task_nope/cancel')).status).toBe(404);
    expect((await s.request('GET', '/api/agent-tasks')).status).toBe(200);
    expect((await s.request('GET', '/api/agent-tasks', undefined, { authorization: '' })).status).toBe(401);
  });

  describe('tasks left by a dead worker', () => {
    let database: Database;
    beforeAll(async () => {
      database = await createDatabase(s.config.database, { migrate: false });
    });
    afterAll(async () => {
      await database.close();
    });

    const at = (offsetMs: number) => new Date(s.clock.now().getTime() + offsetMs).toISOString();
    const orphan = (id: string, attempts: number, lockedUntil: string) =>
      database.db
        .insertInto('agent_tasks')
        .values({
          id,
          task_type: 'custom',
          instruction: `orphan ${id}`,
          status: 'running',
          result: null,
          error: null,
          conversation_id: null,
          message_id: null,
          attempts,
          locked_until: lockedUntil,
          locked_by: 'ghost-instance',
          created_at: at(-120_000),
          started_at: at(-120_000),
          completed_at: null,
        })
        .execute();

    it('takes over a lapsed lease, leaves a live one alone, and gives up after 3 attempts', async () => {
      fake.onChat('taken over');
      await orphan('task_lapsed', 1, at(-1_000));
      await orphan('task_exhausted', 3, at(-1_000));
      await orphan('task_alive', 1, at(600_000));
      const worker = s.built.services.agentTasks.worker;
      await worker.tick();

      const exhausted = await waitStatus(s, 'task_exhausted', 'failed');
      expect(exhausted.error).toMatch(/interrupted 3 times/);
      const note = await ws.waitForType('notification', (d) => d.item_id === 'task_exhausted');
      expect(note.data.title).toMatch(/failed/i);

      const lapsed = await waitStatus(s, 'task_lapsed', 'completed');
      expect(lapsed.result).toBe('taken over');
      const row = await database.db
        .selectFrom('agent_tasks')
        .selectAll()
        .where('id', '=', 'task_lapsed')
        .executeTakeFirstOrThrow();
      expect(row.attempts).toBe(2);
      expect(row.locked_by).not.toBe('ghost-instance');

      await worker.tick();
      await worker.idle();
      expect((await taskOf(s, 'task_alive')).status).toBe('running');
      expect(fake.requests).toHaveLength(1);
      // Once its lease lapses (clock time), it is taken over too.
      s.clock.advance(601_000);
      await worker.tick();
      expect((await waitStatus(s, 'task_alive', 'completed')).result).toBe('taken over');
    });
  });
});
