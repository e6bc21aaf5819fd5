/**
 * The daily briefing against the real server: ticks of the `briefing` job driven with the
 * ManualClock, the LLM replaced at its HTTP boundary by the fake OpenAI server, pushes by the
 * fake Expo server, and what the owner sees read back over the API and the WebSocket.
 */
import { useFakeOpenAI } from '../../../test/helpers/llm-server.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeExpo, type FakeExpo } from '../../../test/fakes/fake-expo.js';
import {
  makeTempDir,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../../test/helpers/server.js';
import { connectWs } from '../../../test/helpers/ws.js';
import { createDatabase } from '../../db/database.js';

let expo: FakeExpo;
const open: TestServer[] = [];

async function boot(opts: TestServerOptions = {}): Promise<TestServer> {
  const s = await startTestServer({
    timezone: 'Asia/Seoul',
    now: '2026-03-09T22:00:00Z', // 07:00 on Tuesday 10 March in Seoul
    ...opts,
    env: { EXPO_BASE_URL: expo.url, JWT_EXPIRY_HOURS: '720', ...opts.env },
  });
  open.push(s);
  await s.request('POST', '/api/notifications/register-token', { token: 'ExponentPushToken[briefing]' });
  return s;
}

/** Sets the clock to a Seoul wall time. */
const at = (s: TestServer, local: string) => s.clock.set(`${local}:00+09:00`);

async function tickBriefing(s: TestServer): Promise<unknown> {
  const result = await s.built.services.scheduler.tick('briefing');
  await s.built.services.notifications.idle();
  return result;
}

async function briefingConversations(s: TestServer) {
  const list = await s.request('GET', '/api/chat/conversations?limit=100');
  expect(list.status).toBe(200);
  return (list.json.items as Array<{ id: string; title: string }>).filter(
    (c) => c.title === 'Daily Briefing',
  );
}

async function seedDay(s: TestServer): Promise<void> {
  const post = async (p: string, body: unknown) =>
    expect((await s.request('POST', p, body)).status).toBe(201);
  await post('/api/events', {
    title: 'Standup',
    start_time: '2026-03-10T10:00:00',
    end_time: '2026-03-10T10:30:00',
    location: 'Room 4',
  });
  await post('/api/events', { title: 'Team offsite', start_time: '2026-03-10', end_time: '2026-03-10' });
  await post('/api/events', { title: 'Not today', start_time: '2026-03-11T10:00:00' });
  await post('/api/todos', { title: 'Write report', due_date: '2026-03-10T15:00:00' });
  await post('/api/todos', { title: 'Pay bills', due_date: '2026-03-08' });
  await post('/api/todos', { title: 'Read a book' });
  await post('/api/todos', { title: 'Learn Go' });
  // A running agent task (its API comes later; the table is the contract).
  // A second connection to the server's database (SQLite file or PostgreSQL).
  const direct = await createDatabase(s.config.database, { migrate: false });
  try {
    const now = new Date().toISOString();
    await direct.db
      .insertInto('agent_tasks')
      .values({
        id: 'task_1',
        task_type: 'research',
        instruction: 'Compare vector databases for the VLA project',
        status: 'running',
        attempts: 1,
        created_at: now,
        started_at: now,
      })
      .execute();
  } finally {
    await direct.close();
  }
}

beforeAll(async () => {
  expo = await startFakeExpo();
});
afterEach(async () => {
  while (open.length) await open.pop()!.close();
  expo.reset();
});
afterAll(async () => {
  await expo.close();
});

describe('daily briefing', () => {
  it('at BRIEFING_TIME: one message in the "Daily Briefing" conversation, a socket notification and a push', async () => {
    const s = await boot();
    await seedDay(s);
    const ws = await connectWs(s);
    await ws.settle(); // attached to the hub

    at(s, '2026-03-10T07:59');
    expect(await tickBriefing(s)).toBeNull();
    at(s, '2026-03-10T08:00');
    const messageId = await tickBriefing(s);
    expect(messageId).toMatch(/^msg_/);

    const [conv, ...others] = await briefingConversations(s);
    expect(others).toEqual([]);
    const full = await s.request('GET', `/api/chat/conversations/${conv!.id}`);
    expect(full.json.messages).toHaveLength(1);
    const message = full.json.messages[0];
    expect(message).toMatchObject({
      id: messageId,
      role: 'assistant',
      status: 'complete',
      message_type: 'text',
    });
    // The offline template (AI_PROVIDER=none): every fact, in the owner's zone.
    expect(message.content).toBe(
      [
        'Good morning! Here is your briefing for Tuesday, March 10.',
        '',
        'Events today (2):',
        '- All day: Team offsite',
        '- 10:00–10:30 Standup (Room 4)',
        'Tasks for today (1):',
        '- 15:00 Write report',
        'Overdue (1):',
        '- Pay bills (due Sun 8 Mar)',
        'Inbox: 2 tasks without a due date.',
        'Agent tasks running (1):',
        '- research: Compare vector databases for the VLA project',
      ].join('\n'),
    );

    const note = await ws.waitForType('notification');
    expect(note.data).toMatchObject({
      kind: 'briefing',
      title: 'Daily Briefing',
      body: '2 events, 1 task for today, 1 overdue, 2 in the inbox, 1 agent task running',
      conversation_id: conv!.id,
      action: 'open_conversation',
      item_id: null,
    });
    await ws.settle();
    const types = ws.frames.map((f) => f.type);
    expect(types.indexOf('message_created')).toBeLessThan(types.indexOf('notification'));
    expect(ws.frames.find((f) => f.type === 'message_created')?.data).toMatchObject({
      id: messageId,
      conversation_id: conv!.id,
    });
    expect(ws.frames.find((f) => f.type === 'conversation_updated')?.data).toMatchObject({
      conversation_id: conv!.id,
      title: 'Daily Briefing',
    });
    expect(expo.messages).toEqual([
      expect.objectContaining({
        to: 'ExponentPushToken[briefing]',
        title: 'Daily Briefing',
        data: expect.objectContaining({ kind: 'briefing' }),
      }),
    ]);
    await ws.close();
  });

  it('once per local date, always in the same conversation, also across a restart', async () => {
    const dataDir = makeTempDir();
    const s = await boot({ dataDir });
    at(s, '2026-03-10T08:00');
    expect(await tickBriefing(s)).toMatch(/^msg_/);
    at(s, '2026-03-10T08:01');
    expect(await tickBriefing(s)).toBeNull();
    at(s, '2026-03-10T23:59');
    expect(await tickBriefing(s)).toBeNull();
    await s.close();
    open.pop();

    // Restarted the same day: nothing again. The next day: one more, same conversation.
    const again = await boot({ dataDir, now: '2026-03-10T05:00:00Z' });
    expect(await tickBriefing(again)).toBeNull();
    at(again, '2026-03-11T07:00');
    expect(await tickBriefing(again)).toBeNull();
    at(again, '2026-03-11T09:30'); // down at 08:00: caught up once when back
    expect(await tickBriefing(again)).toMatch(/^msg_/);
    expect(await tickBriefing(again)).toBeNull();

    const convs = await briefingConversations(again);
    expect(convs).toHaveLength(1);
    const full = await again.request('GET', `/api/chat/conversations/${convs[0]!.id}`);
    expect(full.json.messages).toHaveLength(2);
    expect(full.json.messages[1].content).toMatch(
      /^Good morning! Here is your briefing for Wednesday, March 11\./,
    );
    expect(expo.messages).toHaveLength(2);
    const list = await again.request('GET', '/api/notifications');
    expect(list.json.items.map((n: any) => n.kind)).toEqual(['briefing', 'briefing']);
  });

  it('the briefing_time setting overrides BRIEFING_TIME; ENABLE_BRIEFING=false turns it off', async () => {
    const s = await boot({ env: { BRIEFING_TIME: '09:00' } });
    expect((await s.request('PATCH', '/api/settings', { briefing_time: '06:30' })).status).toBe(200);
    at(s, '2026-03-10T06:29');
    expect(await tickBriefing(s)).toBeNull();
    at(s, '2026-03-10T06:30');
    expect(await tickBriefing(s)).toMatch(/^msg_/);

    const off = await boot({ env: { ENABLE_BRIEFING: 'false' } });
    at(off, '2026-03-10T12:00');
    expect(await tickBriefing(off)).toBeNull();
    expect(await briefingConversations(off)).toEqual([]);
    // The other jobs still run.
    await off.request('POST', '/api/todos', { title: 'Late', due_date: '2026-03-10T10:00:00' });
    await off.built.services.scheduler.tick('overdue');
    expect((await off.request('GET', '/api/notifications')).json.items.map((n: any) => n.kind)).toEqual([
      'overdue',
    ]);
  });
});

describe('briefing prose from the LLM', () => {
  const llm = useFakeOpenAI();

  it('the LLM writes it from the facts; when the LLM fails the template is used', async () => {
    const s = await boot({
      env: { AI_PROVIDER: 'openai', AI_MODEL: 'gpt-test', AI_BASE_URL: llm.url, AI_API_KEY: 'k' },
    });
    await seedDay(s);
    llm.onChat('Good morning! Standup at 10:00, then your report is due at 15:00.');
    at(s, '2026-03-10T08:00');
    const id = await tickBriefing(s);
    const [conv] = await briefingConversations(s);
    const full = await s.request('GET', `/api/chat/conversations/${conv!.id}`);
    expect(full.json.messages[0]).toMatchObject({
      id,
      content: 'Good morning! Standup at 10:00, then your report is due at 15:00.',
    });
    const prompt = llm.requests.at(-1)!.messages as Array<{ role: string; content: string }>;
    expect(prompt[0]!.role).toBe('system');
    expect(prompt[1]!.content).toContain('10:00–10:30 Standup (Room 4)');
    expect(prompt[1]!.content).toContain('Compare vector databases');

    llm.onChat({ status: 500 });
    at(s, '2026-03-11T08:00');
    await tickBriefing(s);
    const after = await s.request('GET', `/api/chat/conversations/${conv!.id}`);
    expect(after.json.messages).toHaveLength(2);
    expect(after.json.messages[1].content).toMatch(
      /^Good morning! Here is your briefing for Wednesday, March 11\.\n/,
    );
  });
});
