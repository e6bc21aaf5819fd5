/**
 * What the ClawChat apps read beyond API.md (COMPAT.md): their preferences in settings, the
 * agent tasks at /api/tasks, today's briefing, and search hits' `preview`/`rank`.
 * Real server, real HTTP; the LLM is the fake OpenAI server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

describe("the apps' preferences (PUT /api/settings)", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ now: '2026-12-07T09:00:00Z' });
  });
  afterAll(async () => s?.close());

  it('starts empty, merges non-null known keys, drops unknown ones and keeps API.md fields', async () => {
    const first = await s.request('GET', '/api/settings');
    expect(first.json).toEqual({
      timezone: 'Asia/Seoul',
      briefing_time: '08:00',
      settings: {},
      updated_at: '',
    });

    const put = await s.request('PUT', '/api/settings', {
      theme: 'dark',
      fontSize: 16,
      sendOnEnter: false,
      hacker: 'x',
    });
    expect(put.status).toBe(200);
    expect(put.json.settings).toEqual({ theme: 'dark', fontSize: 16, sendOnEnter: false });
    expect(put.json.updated_at).toBe('2026-12-07T09:00:00.000Z');
    expect(put.json.timezone).toBe('Asia/Seoul');

    s.clock.advance(60_000);
    const second = await s.request('PUT', '/api/settings', {
      theme: null,
      temperature: 0.4,
      showTimestamps: true,
    });
    expect(second.json.settings).toEqual({
      theme: 'dark',
      fontSize: 16,
      sendOnEnter: false,
      temperature: 0.4,
      showTimestamps: true,
    });
    expect(second.json.updated_at).toBe('2026-12-07T09:01:00.000Z');

    // PATCH still owns the timezone and leaves the preferences alone.
    const patched = await s.request('PATCH', '/api/settings', { timezone: 'Europe/Berlin' });
    expect(patched.json).toMatchObject({ timezone: 'Europe/Berlin', settings: { theme: 'dark' } });
  });

  it('refuses a known key of the wrong type, naming it, and changes nothing', async () => {
    const before = (await s.request('GET', '/api/settings')).json;
    const bad = await s.request('PUT', '/api/settings', { fontSize: 'big', theme: 'light' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'fontSize' } });
    const boolAsString = await s.request('PUT', '/api/settings', { sendOnEnter: 'yes' });
    expect(boolAsString.json.error.details.field).toBe('sendOnEnter');
    expect((await s.request('GET', '/api/settings')).json).toEqual(before);
  });

  it('keeps them across a restart', async () => {
    await s.request('PUT', '/api/settings', { compactMode: true });
    const again = await startTestServer({ dataDir: s.dataDir });
    try {
      expect((await again.request('GET', '/api/settings')).json.settings).toMatchObject({
        compactMode: true,
        theme: 'dark',
      });
    } finally {
      await again.close();
    }
  });
});

describe("agent tasks at /api/tasks, today's briefing", () => {
  let fake: FakeOpenAI;
  let s: TestServer;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    s = await startTestServer({ env: { AI_PROVIDER: 'openai', AI_BASE_URL: fake.url, AI_MODEL: 'fake' } });
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
  });

  it('lists and reads tasks with the fields the apps read, and answers a cancel of a finished task', async () => {
    fake.onChat('A short summary.');
    const created = (
      await s.request('POST', '/api/agent-tasks', { task_type: 'summarize', instruction: 'sum up the week' })
    ).json;
    const done = await until(
      () => s.request('GET', `/api/tasks/${created.id}`).then((r) => r.json),
      (t) => t.status === 'completed',
      'the task to complete',
    );
    expect(done).toMatchObject({
      id: created.id,
      task_type: 'summarize',
      instruction: 'sum up the week',
      status: 'completed',
      result: 'A short summary.',
      error: null,
      progress: 100,
      progress_message: 'Done',
      parent_task_id: null,
      agent_type: 'general',
      sub_task_count: 0,
      completed_sub_tasks: 0,
    });
    // In the order the first server wrote them.
    expect(Object.keys(done)).toEqual([
      'id',
      'task_type',
      'instruction',
      'status',
      'result',
      'error',
      'progress',
      'progress_message',
      'parent_task_id',
      'agent_type',
      'sub_task_count',
      'completed_sub_tasks',
      'conversation_id',
      'message_id',
      'created_at',
      'started_at',
      'completed_at',
    ]);
    const list = (await s.request('GET', '/api/tasks')).json;
    expect(list).toMatchObject({ total: 1, page: 1, limit: 50 });
    expect(list.items[0].id).toBe(created.id);
    expect((await s.request('GET', '/api/tasks?limit=201')).status).toBe(400);

    const cancel = await s.request('POST', `/api/tasks/${created.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.json).toEqual({
      status: 'completed',
      task_id: created.id,
      message: 'Task already finished',
    });
    expect((await s.request('POST', '/api/tasks/task_missing/cancel')).status).toBe(404);
  });

  it('cancels a running task with {status: "cancelled", task_id}', async () => {
    fake.onChat(reply.stall());
    const created = (await s.request('POST', '/api/agent-tasks', { instruction: 'think for a long time' }))
      .json;
    await until(
      () => s.request('GET', `/api/tasks/${created.id}`).then((r) => r.json),
      (t) => t.status === 'running',
      'the task to run',
    );
    const running = (await s.request('GET', `/api/tasks/${created.id}`)).json;
    expect(running).toMatchObject({ progress: 10, progress_message: 'Working on it' });
    const cancel = await s.request('POST', `/api/tasks/${created.id}/cancel`);
    expect(cancel.json).toEqual({ status: 'cancelled', task_id: created.id });
    expect((await s.request('GET', `/api/tasks/${created.id}`)).json.status).toBe('cancelled');
  });

  it("answers today's stored briefing, or writes one now", async () => {
    fake.reset();
    fake.onChat('Good morning! A calm day ahead.');
    const now = await s.request('GET', '/api/today/briefing');
    expect(now.status).toBe(200);
    expect(now.json).toEqual({
      briefing: 'Good morning! A calm day ahead.',
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });

    // Once the scheduler has sent today's, that one is answered (not a new one).
    fake.onChat('The stored morning briefing.');
    const sent = await s.built.services.briefing.sendDaily();
    expect(sent?.briefing.text).toBe('The stored morning briefing.');
    fake.onChat('A different text written later.');
    const stored = await s.request('GET', '/api/today/briefing');
    expect(stored.json).toEqual({ briefing: 'The stored morning briefing.', date: sent!.briefing.date });
  });
});

describe('search hits for the apps', () => {
  let s: TestServer;
  beforeAll(async () => {
    // 10:00 in Seoul (the test server's zone): "in an hour" is still today, whatever the wall clock says.
    s = await startTestServer({ now: '2026-12-07T01:00:00Z', env: { AI_PROVIDER: 'none' } });
  });
  afterAll(async () => s?.close());

  it('carry preview (= snippet) and rank (= score)', async () => {
    await s.request('POST', '/api/memos', { content: 'The zebrafish experiment notes' });
    const hits = (await s.request('GET', '/api/search?q=zebrafish')).json.items;
    expect(hits).toHaveLength(1);
    expect(hits[0].preview).toBe(hits[0].snippet);
    expect(hits[0].preview).toContain('**zebrafish**');
    expect(hits[0].rank).toBe(hits[0].score);
    expect(hits[0].rank).toBeGreaterThan(0);
  });

  it("offline, today's briefing is the template", async () => {
    await s.request('POST', '/api/todos', {
      title: 'water the plants',
      due_date: '2026-12-07T02:00:00Z',
    });
    const res = await s.request('GET', '/api/today/briefing');
    expect(res.status).toBe(200);
    expect(res.json.briefing).toContain('water the plants');
  });
});
