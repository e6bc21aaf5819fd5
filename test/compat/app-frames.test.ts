/**
 * What the ClawChat apps read on the socket beyond API.md (COMPAT.md): the flat action fields of
 * a reply's metadata (stored and in `stream_end`), and the app-facing frames sent beside ours:
 * `reminder`, `daily_briefing`, `task_progress` / `task_completed` / `task_failed`,
 * `stream_error`. Real server, real WebSocket; the LLM and Expo are fakes over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl, reply, startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connectWs, type WsClient } from '../helpers/ws.js';

describe("action replies carry the apps' flat fields", () => {
  let s: TestServer;
  let ws: WsClient;
  beforeAll(async () => {
    s = await startTestServer({ env: { AI_PROVIDER: 'none' } });
    ws = await connectWs(s);
  });
  afterAll(async () => {
    await ws?.close();
    await s?.close();
  });

  async function turn(content: string) {
    const sent = await s.request('POST', '/api/chat/send', { content });
    expect(sent.status).toBe(202);
    const frames = await ws.turn(sent.json.message_id);
    const end = frames.find((f) => f.type === 'stream_end')!;
    const stored = (
      await s.request('GET', `/api/chat/conversations/${sent.json.conversation_id}/messages`)
    ).json.items.find((m: { id: string }) => m.id === sent.json.message_id);
    return { end: end.data, stored };
  }

  it('todo_created: action_type, module, todo_id, todo_title beside card, stored and in stream_end', async () => {
    const { end, stored } = await turn('add buy oat milk tomorrow');
    const todo = (await s.request('GET', '/api/todos?q=oat')).json.items[0];
    const flat = { action_type: 'todo_created', module: 'todos', todo_id: todo.id, todo_title: todo.title };
    expect(stored.metadata).toMatchObject(flat);
    expect(stored.metadata.card.card_type).toBe('todo_created');
    expect(end.metadata).toEqual(stored.metadata);
  });

  it('event_created carries event_start_time; a plain reply has no flat fields', async () => {
    const { end } = await turn('lunch with Mina friday at noon');
    const event = (await s.request('GET', '/api/events?q=Mina')).json.items[0];
    expect(end.metadata).toMatchObject({
      action_type: 'event_created',
      module: 'events',
      event_id: event.id,
      event_title: event.title,
      event_start_time: event.start_time,
    });
    const memo = await turn('note: the gate code is 4411');
    expect(memo.end.metadata).toMatchObject({ action_type: 'memo_created', module: 'memos' });
    const search = await turn('search gate code');
    expect(search.end.metadata?.action_type).toBeUndefined();
  });
});

describe('app-facing frames', () => {
  let fake: FakeOpenAI;
  let s: TestServer;
  let ws: WsClient;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    s = await startTestServer({
      timezone: 'Asia/Seoul',
      now: '2026-03-10T00:00:00Z',
      env: { AI_PROVIDER: 'openai', AI_BASE_URL: fake.url, AI_MODEL: 'fake', JWT_EXPIRY_HOURS: '720' },
    });
    ws = await connectWs(s);
  });
  afterAll(async () => {
    await ws?.close();
    await s?.close();
    await fake?.close();
  });

  const tick = async (name: string) => {
    await s.built.services.scheduler.tick(name);
    await s.built.services.notifications.idle();
  };

  it('a reminder for a recurring event occurrence, a due todo and an overdue one', async () => {
    const evt = (
      await s.request('POST', '/api/events', {
        title: 'Standup',
        start_time: '2026-03-10T10:00:00',
        reminder_minutes: 15,
        recurrence_rule: 'FREQ=DAILY',
      })
    ).json;
    const todo = (
      await s.request('POST', '/api/todos', { title: 'Send invoice', due_date: '2026-03-10T09:50:00' })
    ).json;
    s.clock.set('2026-03-10T09:50:00+09:00');
    await tick('reminders');
    const event = await ws.waitForType('reminder', (d) => d.item_id === evt.id);
    expect(event.data).toEqual({
      reminder_type: 'event',
      item_id: evt.id,
      title: 'Standup',
      message: expect.stringContaining('10:00'),
      minutes_until: 10,
      occurrence_date: '2026-03-10',
    });
    const due = await ws.waitForType('reminder', (d) => d.item_id === todo.id);
    expect(due.data).toMatchObject({
      reminder_type: 'todo',
      title: 'Send invoice',
      minutes_until: 0,
      occurrence_date: null,
    });
    // Each beside its notification.
    expect(ws.frames.some((f) => f.type === 'notification' && f.data.item_id === evt.id)).toBe(true);

    s.clock.set('2026-03-10T11:00:00+09:00');
    await tick('overdue');
    const overdue = await ws.waitForType('reminder', (d) => d.reminder_type === 'todo_overdue');
    expect(overdue.data).toMatchObject({ item_id: todo.id, minutes_until: 0 });
  });

  it('daily_briefing carries the briefing itself', async () => {
    fake.onChat('Good morning: standup at 10.');
    const sent = await s.built.services.briefing.sendDaily();
    const frame = await ws.waitForType('daily_briefing');
    expect(frame.data).toEqual({ content: 'Good morning: standup at 10.', generated_at: expect.any(String) });
    expect(sent?.briefing.text).toBe(frame.data.content);
  });

  it('task_progress on every status change, then task_completed; a failure sends task_failed', async () => {
    fake.onChat('The summary.');
    const task = (await s.request('POST', '/api/agent-tasks', { instruction: 'summarise the week' })).json;
    const done = await ws.waitForType('task_completed', (d) => d.task_id === task.id);
    expect(done.data).toEqual({
      task_id: task.id,
      task_type: 'custom',
      result: 'The summary.',
      conversation_id: expect.any(String),
      parent_task_id: null,
    });
    const progress = ws.frames
      .filter((f) => f.type === 'task_progress' && f.data.task_id === task.id)
      .map((f) => f.data);
    expect(progress.map((p) => [p.status, p.progress])).toEqual([
      ['queued', 0],
      ['running', 10],
      ['completed', 100],
    ]);
    expect(progress[0]).toMatchObject({ message: 'Queued', parent_task_id: null });

    fake.onChat(reply.error(500, 'model exploded'));
    const failing = (await s.request('POST', '/api/agent-tasks', { instruction: 'this one fails' })).json;
    const failed = await ws.waitForType('task_failed', (d) => d.task_id === failing.id, 15_000);
    expect(failed.data).toMatchObject({ task_id: failing.id, task_type: 'custom', parent_task_id: null });
    expect(failed.data.error).toEqual(expect.any(String));
  });
});

describe('stream_error', () => {
  it('goes beside the error frame of a failed turn', async () => {
    const s = await startTestServer({
      env: { AI_PROVIDER: 'openai', AI_BASE_URL: await closedPortUrl(), AI_MODEL: 'x' },
    });
    const ws = await connectWs(s);
    try {
      const sent = await s.request('POST', '/api/chat/send', { content: 'tell me a story about the sea' });
      const frames = await ws.turn(sent.json.message_id);
      const error = frames.find((f) => f.type === 'error')!;
      expect(error.data.code).toBe('AI_UNAVAILABLE');
      const appError = await ws.waitForType('stream_error', (d) => d.message_id === sent.json.message_id);
      expect(appError.data).toEqual({
        message_id: sent.json.message_id,
        conversation_id: sent.json.conversation_id,
        error: error.data.message,
      });
    } finally {
      await ws.close();
      await s.close();
    }
  });
});
