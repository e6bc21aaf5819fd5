/**
 * Scale-out in one process: two (or three) instances of the real app on one PostgreSQL database
 * and one Redis (BEHAVIOUR.md "Scale-out"), each with its own HTTP port, sockets and workers.
 * What a user does on one instance is seen and obeyed on the other. The same deployment as
 * separate processes, with crashes: multi-instance.test.ts. Skips with a printed reason when
 * PostgreSQL or Redis is unreachable (never with CLAWCHAT_REQUIRE_SERVICES=1).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedPortUrl, reply, startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai.js';
import { peerOf, startTestServer, TEST_PIN, type TestServer } from '../helpers/server.js';
import { createTestDatabase, missingServices, type TestDatabase } from '../helpers/services.js';
import { connectWs, types, type WsClient } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

const missing = await missingServices(['postgres', 'redis'], 'Scale-out (instances on PostgreSQL + Redis)');

const aiEnv = (url: string) => ({ AI_PROVIDER: 'openai', AI_BASE_URL: url, AI_MODEL: 'fake' });

describe.skipIf(missing !== null)('two instances on one PostgreSQL database and one Redis', () => {
  let fake: FakeOpenAI;
  /** Owned by the test, not by an instance: any of them may stop while the others go on. */
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  const sockets: WsClient[] = [];
  const socket = async (server: TestServer, token = server.token) => {
    const ws = await connectWs(server, token);
    sockets.push(ws);
    return ws;
  };

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    database = await createTestDatabase();
    a = await startTestServer({ redis: true, env: { ...aiEnv(fake.url), DATABASE_URL: database.url } });
    b = await peerOf(a, { env: aiEnv(fake.url) });
  });
  afterAll(async () => {
    for (const ws of sockets) await ws.close();
    await b?.close();
    await a?.close();
    await fake?.close();
    await database?.drop();
  });
  beforeEach(() => fake.reset());

  it('share one database and one Redis, and say so in /api/health', async () => {
    expect(a.config.database).toEqual(b.config.database);
    expect(a.config.redisKeyPrefix).toBe(b.config.redisKeyPrefix);
    const health = await b.request('GET', '/api/health');
    expect(health.json).toMatchObject({ status: 'ok', database: 'postgres' });
  });

  it('sends a socket on A the whole turn of a message sent to B, card and events included, in order', async () => {
    fake.onClassify({ intent: 'create_todo', title: 'Buy oat milk' });
    const [onA, onB] = await Promise.all([socket(a), socket(b)]);
    const sent = await b.request('POST', '/api/chat/send', { content: 'add buy oat milk to my todos' });
    expect(sent.status, sent.text).toBe(202);
    const id = sent.json.message_id as string;
    const turnB = await onB.turn(id);
    // A hears B's frames through Redis: wait for the last one B sent.
    const last = turnB.at(-1)!;
    await onA.waitFor((f) => JSON.stringify(f) === JSON.stringify(last));
    // The same frames in the same order (the auto-title may follow on either, a little later).
    const turnA = (await onA.turn(id)).slice(0, turnB.length);
    expect(types(turnA)).toEqual(types(turnB));
    expect(turnA).toEqual(turnB);
    expect(types(turnA)).toEqual(
      expect.arrayContaining([
        'stream_start',
        'stream_chunk',
        'stream_end',
        'action_card',
        'module_data_changed',
      ]),
    );
    const card = turnA.find((f) => f.type === 'action_card')!;
    expect(card.data).toMatchObject({ message_id: id, card_type: expect.any(String) });
    // Events of plain REST writes cross too.
    const todo = await a.request('POST', '/api/todos', { title: 'Made on A' });
    await onB.waitForType('module_data_changed', (d) => d.id === todo.json.id && d.action === 'created');
  });

  it('relays typing from a socket on A to the sockets on B, not back to the sender', async () => {
    const [typist, onB] = await Promise.all([socket(a), socket(b)]);
    typist.send('typing', { conversation_id: 'conv_x', is_typing: true });
    const got = await onB.waitForType('typing');
    expect(got.data).toEqual({ conversation_id: 'conv_x', is_typing: true });
    await typist.settle();
    expect(typist.frames.some((f) => f.type === 'typing')).toBe(false);
  });

  it('resumes on any instance: mid-stream on A, and on an instance started after the reply', async () => {
    const onB = await socket(b);
    const onA = await socket(a);
    fake.onChat({ chunks: ['one ', 'two ', 'three ', 'four ', 'five ', 'six'], delayMs: 60 });
    const sent = await b.request('POST', '/api/chat/send', { content: 'count to six' });
    const id = sent.json.message_id as string;
    await onA.waitForType('stream_chunk', (d) => d.message_id === id && d.index === 1);
    // A reconnecting client asks A for what it missed while B streams.
    const late = await socket(a);
    late.send('resume', { message_id: id, from_index: 0 });
    const whole = await onB.turn(id);
    await late.waitForType('stream_end', (d) => d.message_id === id);
    await late.settle();
    const chunks = late.frames.filter((f) => f.type === 'stream_chunk').map((f) => f.data.index as number);
    // Replayed first, live ones after; duplicates are allowed (dropped by index), gaps and reordering are not.
    expect([...new Set(chunks)]).toEqual(
      whole.filter((f) => f.type === 'stream_chunk').map((f) => f.data.index),
    );
    expect(chunks).toEqual([...chunks].sort((x, y) => x - y));
    expect(onA.frames.filter((f) => f.type === 'stream_chunk' && f.data.message_id === id)).toHaveLength(6);

    // An instance that was not running while the reply streamed reads it from Redis.
    const c = await peerOf(a);
    try {
      const onC = await socket(c);
      onC.send('resume', { message_id: id, from_index: 2 });
      const end = await onC.waitForType('stream_end', (d) => d.message_id === id);
      expect(end.data.full_content).toBe('one two three four five six');
      await onC.settle();
      expect(onC.frames.filter((f) => f.type === 'stream_chunk').map((f) => f.data.content)).toEqual([
        'three ',
        'four ',
        'five ',
        'six',
      ]);
    } finally {
      await c.close();
    }
  });

  it('stops, from A, a reply streaming on B; what was produced is kept', async () => {
    const onA = await socket(a);
    fake.onChat({
      chunks: ['Once ', 'upon ', 'a ', 'time ', 'there ', 'was ', 'a ', 'very ', 'long ', 'story'],
      delayMs: 150,
    });
    const sent = await b.request('POST', '/api/chat/send', { content: 'tell me a long story' });
    const id = sent.json.message_id as string;
    await onA.waitForType('stream_chunk', (d) => d.message_id === id && d.index === 1);
    const stop = await a.request('POST', `/api/chat/messages/${id}/stop`);
    expect(stop.status).toBe(202);
    expect(stop.json).toEqual({ message_id: id, status: 'stopping' });
    const end = await onA.waitForType('stream_end', (d) => d.message_id === id);
    const stored = await a.request('GET', `/api/chat/conversations/${sent.json.conversation_id}/messages`);
    const message = stored.json.items.find((m: { id: string }) => m.id === id);
    expect(message.status).toBe('stopped');
    expect(message.content).toBe(end.data.full_content);
    expect(message.content.length).toBeGreaterThan(0);
    expect(message.content).not.toContain('story');
  });

  it('cancels an agent task on whichever instance runs it', async () => {
    fake.onChat(reply.stall()); // the LLM call hangs until it is aborted
    const created = await a.request('POST', '/api/agent-tasks', { instruction: 'write a very long essay' });
    expect(created.status).toBe(202);
    const id = created.json.id as string;
    const runner = await until(
      () => [a, b].find((s) => s.built.services.agentTasks.worker.running().includes(id)),
      (s) => s !== undefined,
      'an instance to run the task',
    );
    const other = runner === a ? b : a;
    const cancelled = await other.request('POST', `/api/agent-tasks/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe('cancelled');
    // The run on the other instance is aborted at once (not when its lease runs out).
    await until(
      () => runner!.built.services.agentTasks.worker.running(),
      (ids) => !ids.includes(id),
      'the run to stop',
      3_000,
    );
    expect((await runner!.request('GET', `/api/agent-tasks/${id}`)).json.status).toBe('cancelled');
  });

  it('claims each agent task once across instances', async () => {
    fake.onChat({ chunks: ['done'], delayMs: 30 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const via = i % 2 === 0 ? a : b;
      ids.push((await via.request('POST', '/api/agent-tasks', { instruction: `task number ${i}` })).json.id);
    }
    for (const id of ids)
      await until(
        () => a.request('GET', `/api/agent-tasks/${id}`).then((r) => r.json.status),
        (s) => s === 'completed',
        `${id} to complete`,
      );
    const titled = (await a.request('GET', '/api/chat/conversations?limit=100')).json.items.filter(
      (c: { title: string }) => c.title === 'Agent tasks',
    );
    expect(titled).toHaveLength(1); // made once, though two instances finished tasks at once
    const conv = titled[0];
    const posted = (await a.request('GET', `/api/chat/conversations/${conv.id}/messages?limit=200`)).json
      .items as Array<{ metadata: { agent_task?: { id: string } } | null }>;
    for (const id of ids)
      expect(
        posted.filter((m) => m.metadata?.agent_task?.id === id),
        id,
      ).toHaveLength(1);
    const notes = (await b.request('GET', '/api/notifications?limit=100')).json.items as Array<{
      item_id: string;
    }>;
    for (const id of ids)
      expect(
        notes.filter((n) => n.item_id === id),
        id,
      ).toHaveLength(1);
  });

  it('answers two identical sends racing on A and B with the same ids, and runs one turn', async () => {
    const body = { content: 'only once, please', client_message_id: `race-${Date.now()}` };
    const [one, two] = await Promise.all([
      a.request('POST', '/api/chat/send', body),
      b.request('POST', '/api/chat/send', body),
    ]);
    expect([one.status, two.status]).toEqual([202, 202]);
    expect(one.json).toEqual(two.json);
    const onA = await socket(a);
    onA.send('resume', { message_id: one.json.message_id, from_index: 0 });
    await onA.waitForType('stream_end', (d) => d.message_id === one.json.message_id);
    const messages = (await a.request('GET', `/api/chat/conversations/${one.json.conversation_id}/messages`))
      .json.items;
    expect(messages).toHaveLength(2);
  });

  it('closes, on A, the sockets of a session logged out on B', async () => {
    const login = await b.request('POST', '/api/auth/login', { pin: TEST_PIN }, { authorization: '' });
    expect(login.status).toBe(200);
    const token = login.json.access_token as string;
    const other = await socket(a); // another session: stays open
    const mine = await socket(a, token);
    const out = await b.request('POST', '/api/auth/logout', undefined, { authorization: `Bearer ${token}` });
    expect(out.status).toBe(204);
    expect((await mine.closed).code).toBe(4001);
    await other.settle();
    expect(other.ws.readyState).toBe(other.ws.OPEN);
  });

  it('runs the scheduled jobs on one instance only, and hands them over when it stops', async () => {
    // A tick answers undefined where another instance holds the lock.
    const onA = await a.built.services.scheduler.tick('reminders');
    const onB = await b.built.services.scheduler.tick('reminders');
    expect([onA === undefined, onB === undefined].sort()).toEqual([false, true]);
    const holder = onA === undefined ? b : a;
    const standby = holder === a ? b : a;
    const c = await peerOf(a);
    try {
      expect(await c.built.services.scheduler.tick('reminders')).toBeUndefined();
      await holder.close();
      // The next tick of another instance takes the lock over.
      const ticks = await Promise.all([standby, c].map((s) => s.built.services.scheduler.tick('reminders')));
      expect(ticks.filter((t) => t !== undefined)).toHaveLength(1);
    } finally {
      await c.close();
      // Both slots stay usable for afterAll.
      if (holder === a) a = await peerOf(b);
      else b = await peerOf(a);
    }
  });

  it('carries a settings change made on B to A (whose scheduler reads it), at once', async () => {
    const before = (await a.request('GET', '/api/settings')).json.timezone;
    const zone = before === 'America/New_York' ? 'Europe/Berlin' : 'America/New_York';
    expect(
      (await b.request('PATCH', '/api/settings', { timezone: zone, briefing_time: '06:45' })).status,
    ).toBe(200);
    await until(
      () => a.request('GET', '/api/settings').then((r) => r.json),
      (v) => v.timezone === zone && v.briefing_time === '06:45',
      'the new settings on A',
    );
    // What the scheduler's jobs read on A: the same in-memory settings.
    expect(a.built.services.settings.timezone()).toBe(zone);
  });

  it('refuses to start when its Redis does not answer', async () => {
    const closed = new URL(await closedPortUrl()).port;
    await expect(
      startTestServer({
        env: { DATABASE_URL: database.url, REDIS_URL: `redis://127.0.0.1:${closed}` },
        login: false,
      }),
    ).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
  });

  it('shares the login throttle: failures on both instances add up', async () => {
    const wrong = async (s: TestServer) =>
      (await s.request('POST', '/api/auth/login', { pin: '000000' }, { authorization: '' })).status;
    for (let i = 0; i < 5; i++) expect(await wrong(i % 2 === 0 ? a : b)).toBe(401);
    const locked = await a.request('POST', '/api/auth/login', { pin: TEST_PIN }, { authorization: '' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await b.request('POST', '/api/auth/login', { pin: TEST_PIN }, { authorization: '' })).status,
    ).toBe(429);
  });
});
