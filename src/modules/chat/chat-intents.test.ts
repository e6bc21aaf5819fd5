/**
 * The 17 intents end to end: the fake LLM classifies, the orchestrator acts through the same
 * services as the REST API, and we check the frames (in order), the stored reply and the data.
 * Then card actions (complete, delete + confirm, cancel, choose), the pending "when?" of an
 * event, and the offline path (AI_PROVIDER=none).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  reply,
  type ClassifyArgs,
  type FakeOpenAI,
  type RequestBody,
} from '../../../test/fakes/fake-openai.js';
import { memo, todo } from '../../../test/helpers/factories.js';
import { useLlmServer } from '../../../test/helpers/llm-server.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, types, type Frame, type WsClient } from '../../../test/helpers/ws.js';

// Tuesday 2026-03-10, 10:00 in Seoul (UTC+9).
const NOW = '2026-03-10T01:00:00Z';
const isTitleRequest = (body: RequestBody | null) =>
  String(body?.messages?.[0]?.content ?? '').includes('short title');

const server = useLlmServer({ now: NOW }, (f) =>
  f.script((req) => (isTitleRequest(req.body) ? reply.text('A title') : undefined)),
);
let fake: FakeOpenAI;
let s: TestServer;
let ws: WsClient;
let conversationId: string;

beforeAll(async () => {
  ({ fake, s, ws } = server);
  conversationId = (await s.request('POST', '/api/chat/conversations', { title: 'Intents' })).json.id;
});

interface Turn {
  message_id: string;
  user_message_id: string;
  frames: Frame[];
  end: any;
  card: any;
  stored: any;
}

/** Sends `text` classified as `args`; returns the turn's frames, its card and the stored reply. */
async function say(text: string, args?: ClassifyArgs): Promise<Turn> {
  if (args) fake.onClassify(args);
  const res = await s.request('POST', '/api/chat/send', { conversation_id: conversationId, content: text });
  expect(res.status).toBe(202);
  return collect(res.json.message_id, res.json.user_message_id);
}

async function collect(messageId: string, userMessageId = ''): Promise<Turn> {
  const frames = (await ws.turn(messageId)).filter(
    (f) => f.type !== 'conversation_updated' && f.type !== 'message_updated',
  );
  const end = frames.find((f) => f.type === 'stream_end')!.data;
  const card = frames.find((f) => f.type === 'action_card')?.data ?? null;
  const stored = (
    await s.request('GET', `/api/chat/conversations/${conversationId}/messages?limit=200`)
  ).json.items.find((m: any) => m.id === messageId);
  return { message_id: messageId, user_message_id: userMessageId, frames, end, card, stored };
}

/** stream_start, one or more chunks, stream_end, then the given trailing frame types. */
function expectOrder(turn: Turn, ...after: string[]) {
  const t = types(turn.frames);
  const chunks = t.filter((x) => x === 'stream_chunk').length;
  expect(chunks).toBeGreaterThan(0);
  expect(t.slice(0, chunks + 2 + after.length)).toEqual([
    'stream_start',
    ...Array(chunks).fill('stream_chunk'),
    'stream_end',
    ...after,
  ]);
  const indexes = turn.frames
    .filter((f) => f.type === 'stream_chunk' && f.data.message_id === turn.message_id)
    .map((f) => f.data.index);
  expect(indexes).toEqual([...indexes.keys()]);
  expect(
    turn.frames
      .filter((f) => f.type === 'stream_chunk')
      .map((f) => f.data.content)
      .join(''),
  ).toBe(turn.end.full_content);
}

function expectCardReply(turn: Turn, intent: string, cardType: string) {
  expect(turn.end.intent).toBe(intent);
  expect(turn.card.card_type).toBe(cardType);
  expect(turn.card.message_id).toBe(turn.message_id);
  expect(turn.stored).toMatchObject({
    role: 'assistant',
    message_type: 'action_card',
    status: 'complete',
    intent,
    content: turn.end.full_content,
  });
  expect(turn.stored.metadata.card).toMatchObject({
    card_type: cardType,
    payload: turn.card.payload,
    actions: turn.card.actions,
  });
  for (const action of turn.card.actions)
    expect(action.params).toMatchObject({ type: expect.any(String), id: expect.any(String) });
}

/** Waits for the reply to an action_response on `source`. */
async function press(source: string, action: string, params: Record<string, unknown>): Promise<Turn> {
  const before = ws.frames.length;
  ws.send('action_response', { message_id: source, action, params });
  const start = await ws.waitFor((f) => f.type === 'stream_start' && ws.frames.indexOf(f) >= before);
  return collect(start.data.message_id);
}

describe('todos', () => {
  it('create_todo creates the todo with every parameter, linked to the conversation and the user message', async () => {
    const turn = await say('add buy milk tomorrow, high priority #shopping', {
      intent: 'create_todo',
      title: 'Buy milk',
      due_date: '2026-03-11',
      priority: 'high',
      tags: ['shopping'],
      description: 'two litres',
    });
    expectOrder(turn, 'action_card', 'module_data_changed');
    expectCardReply(turn, 'create_todo', 'todo_created');
    const changed = turn.frames.find((f) => f.type === 'module_data_changed')!.data;
    expect(changed).toEqual({ module: 'todos', action: 'created', id: turn.card.payload.id });
    const todo = (await s.request('GET', `/api/todos/${turn.card.payload.id}`)).json;
    expect(todo).toMatchObject({
      title: 'Buy milk',
      description: 'two litres',
      priority: 'high',
      tags: ['shopping'],
      due_date: '2026-03-11T14:59:59.999Z', // end of the local day in Seoul
      due_has_time: false,
      conversation_id: conversationId,
      message_id: turn.user_message_id,
    });
    expect(turn.card.actions.map((a: any) => a.action)).toEqual([
      'complete_todo',
      'edit_todo',
      'delete_todo',
    ]);
  });

  it('query_todos answers with a readable list of at most 10 and a todo_list card', async () => {
    for (let i = 1; i <= 11; i++)
      await s.request('POST', '/api/todos', {
        title: `Chore ${i}`,
        due_date: `2026-03-${String(11 + i).padStart(2, '0')}`,
      });
    const turn = await say('what are my todos?', { intent: 'query_todos' });
    expectOrder(turn, 'action_card');
    expectCardReply(turn, 'query_todos', 'todo_list');
    expect(turn.card.payload.total).toBe(12);
    expect(turn.card.payload.items).toHaveLength(10);
    expect(turn.end.full_content).toContain('Buy milk');
    expect(turn.end.full_content).toContain('and 2 more');
    expect(turn.frames.some((f) => f.type === 'module_data_changed')).toBe(false);

    const high = await say('what is high priority?', { intent: 'query_todos', priority: 'high' });
    expect(high.card.payload.total).toBe(1);
    expect(high.card.payload.items[0].title).toBe('Buy milk');
  });

  it('update_todo resolves the target by text and applies the change', async () => {
    const turn = await say('make buy milk low priority', {
      intent: 'update_todo',
      target: 'buy milk',
      priority: 'low',
    });
    expectOrder(turn, 'action_card', 'module_data_changed');
    expectCardReply(turn, 'update_todo', 'todo_updated');
    expect(turn.card.payload).toMatchObject({ title: 'Buy milk', priority: 'low' });
    const none = await say('rename the unicorn task', {
      intent: 'update_todo',
      target: 'unicorn',
      new_title: 'x',
    });
    expect(none.card).toBeNull();
    expect(none.end.full_content).toContain("couldn't find");
    expect(none.stored.message_type).toBe('text');
  });

  it('complete_todo marks it done', async () => {
    const turn = await say('mark buy milk as done', { intent: 'complete_todo', target: 'buy milk' });
    expectOrder(turn, 'action_card', 'module_data_changed');
    expectCardReply(turn, 'complete_todo', 'todo_completed');
    const todo = (await s.request('GET', `/api/todos/${turn.card.payload.id}`)).json;
    expect(todo.status).toBe('completed');
    expect(todo.completed_at).not.toBeNull();
  });

  it('a todo_updated card of a completed todo offers no "Complete"', async () => {
    await todo(s, { title: 'File taxes' });
    const turn = await say('file taxes is done, and make it high priority', {
      intent: 'update_todo',
      target: 'file taxes',
      status: 'completed',
      priority: 'high',
    });
    expectCardReply(turn, 'update_todo', 'todo_updated');
    expect(turn.card.payload).toMatchObject({ title: 'File taxes', status: 'completed' });
    const actions = turn.card.actions.map((a: any) => a.action);
    expect(actions).not.toContain('complete_todo');
    expect(actions).toContain('edit_todo');
  });

  it('delete_todo asks first; confirm_delete deletes; a second press is "already done"', async () => {
    const turn = await say('delete the buy milk todo', { intent: 'delete_todo', target: 'buy milk' });
    expectOrder(turn, 'action_card');
    expectCardReply(turn, 'delete_todo', 'confirm');
    expect(turn.card.actions.map((a: any) => a.action)).toEqual(['confirm_delete', 'cancel']);
    const id = turn.card.payload.item.id;
    expect(turn.card.payload.question).toContain('Buy milk');
    expect((await s.request('GET', `/api/todos/${id}`)).status).toBe(200);

    const done = await press(turn.message_id, 'confirm_delete', { type: 'todo', id });
    expectOrder(done, 'action_card', 'module_data_changed');
    expect(done.card).toMatchObject({
      card_type: 'todo_deleted',
      payload: { id, title: 'Buy milk' },
      actions: [],
    });
    expect(done.frames.find((f) => f.type === 'module_data_changed')!.data).toEqual({
      module: 'todos',
      action: 'deleted',
      id,
    });
    expect(done.stored).toMatchObject({ message_type: 'action_card', intent: 'delete_todo' });
    expect((await s.request('GET', `/api/todos/${id}`)).status).toBe(404);
    const source = (
      await s.request('GET', `/api/chat/conversations/${conversationId}/messages?limit=200`)
    ).json.items.find((m: any) => m.id === turn.message_id);
    expect(source.metadata.card.resolved).toBe(true);

    const again = await press(turn.message_id, 'confirm_delete', { type: 'todo', id });
    expect(again.end.full_content).toMatch(/already done/i);
    expect(again.card).toBeNull();
    expect(again.frames.some((f) => f.type === 'module_data_changed' || f.type === 'error')).toBe(false);
  });

  it('several matches ask with a choose card; choosing proceeds with the pending request', async () => {
    const a = await todo(s, { title: 'Call mom' });
    const b = await todo(s, { title: 'Call mom' });
    const turn = await say('mark call mom as done', { intent: 'complete_todo', target: 'call mom' });
    expectCardReply(turn, 'complete_todo', 'choose');
    expect(turn.card.payload.options.map((o: any) => o.item.id).sort()).toEqual([a.id, b.id].sort());
    expect(turn.card.actions).toHaveLength(2);
    const pick = turn.card.actions.find((x: any) => x.params.id === b.id);
    expect(pick).toMatchObject({
      action: 'choose',
      params: { type: 'todo', id: b.id, intent: 'complete_todo' },
    });

    // Params naming no option (none at all, or another id) pick nothing: a plain answer.
    for (const params of [{}, { type: 'todo', id: 'todo_nope' }]) {
      const vague = await press(turn.message_id, 'choose', params);
      expect(vague.end.full_content).toBe('Pick one of the options.');
      expect(vague.card).toBeNull();
      expect(vague.frames.some((f) => f.type === 'module_data_changed' || f.type === 'error')).toBe(false);
    }
    expect((await s.request('GET', `/api/todos/${a.id}`)).json.status).toBe('pending');
    expect((await s.request('GET', `/api/todos/${b.id}`)).json.status).toBe('pending');

    const chosen = await press(turn.message_id, 'choose', pick.params);
    expect(chosen.card).toMatchObject({
      card_type: 'todo_completed',
      payload: { id: b.id, status: 'completed' },
    });
    expect((await s.request('GET', `/api/todos/${a.id}`)).json.status).toBe('pending');
    expect((await s.request('GET', `/api/todos/${b.id}`)).json.status).toBe('completed');
  });

  it('the complete button on a created card completes it; actions on a vanished item answer plainly', async () => {
    const turn = await say('add water plants', { intent: 'create_todo', title: 'Water plants' });
    const id = turn.card.payload.id;
    const done = await press(turn.message_id, 'complete_todo', { type: 'todo', id });
    expect(done.card).toMatchObject({ card_type: 'todo_completed', payload: { id } });
    expect(done.frames.find((f) => f.type === 'module_data_changed')!.data).toEqual({
      module: 'todos',
      action: 'updated',
      id,
    });

    const other = await say('add feed cat', { intent: 'create_todo', title: 'Feed cat' });
    await s.request('DELETE', `/api/todos/${other.card.payload.id}`);
    const gone = await press(other.message_id, 'delete_todo', { type: 'todo', id: other.card.payload.id });
    expect(gone.card).toBeNull();
    expect(gone.end.full_content).toMatch(/no longer exists/);
    expect(gone.frames.some((f) => f.type === 'module_data_changed' || f.type === 'error')).toBe(false);

    // Unknown message or action: an error frame, nothing stored.
    ws.send('action_response', { message_id: 'msg_nope', action: 'cancel', params: {} });
    expect((await ws.waitForType('error', (d) => d.message_id === 'msg_nope')).data.code).toBe('NOT_FOUND');
    ws.send('action_response', { message_id: done.message_id, action: 'explode', params: {} });
    expect((await ws.waitForType('error', (d) => d.message_id === done.message_id)).data.code).toBe(
      'VALIDATION_ERROR',
    );
  });
});

describe('events', () => {
  it('create_event creates it with start, end, location and reminder', async () => {
    const turn = await say('dentist thursday 3pm to 4pm at the clinic, remind me 30 min before', {
      intent: 'create_event',
      title: 'Dentist',
      start_time: '2026-03-12T15:00:00',
      end_time: '2026-03-12T16:00:00',
      location: 'Clinic',
      reminder_minutes: 30,
    });
    expectOrder(turn, 'action_card', 'module_data_changed');
    expectCardReply(turn, 'create_event', 'event_created');
    const event = (await s.request('GET', `/api/events/${turn.card.payload.id}`)).json;
    expect(event).toMatchObject({
      title: 'Dentist',
      start_time: '2026-03-12T06:00:00.000Z',
      end_time: '2026-03-12T07:00:00.000Z',
      location: 'Clinic',
      reminder_minutes: 30,
      conversation_id: conversationId,
      message_id: turn.user_message_id,
    });
    expect(turn.end.full_content).toContain('Dentist');
  });

  it('query_events lists the asked window with an event_list card', async () => {
    const turn = await say("what's on thursday?", {
      intent: 'query_events',
      date_from: '2026-03-12',
      date_to: '2026-03-12',
    });
    expectOrder(turn, 'action_card');
    expectCardReply(turn, 'query_events', 'event_list');
    expect(turn.card.payload.total).toBe(1);
    expect(turn.card.payload.items[0].title).toBe('Dentist');
    const empty = await say("what's on wednesday?", {
      intent: 'query_events',
      date_from: '2026-03-11',
      date_to: '2026-03-11',
    });
    expect(empty.card.payload).toEqual({ items: [], total: 0 });
  });

  it('update_event moves it, keeping its length', async () => {
    const turn = await say('move the dentist to friday 10am', {
      intent: 'update_event',
      target: 'dentist',
      start_time: '2026-03-13T10:00:00',
    });
    expectOrder(turn, 'action_card', 'module_data_changed');
    expectCardReply(turn, 'update_event', 'event_updated');
    expect(turn.card.payload).toMatchObject({
      start_time: '2026-03-13T01:00:00.000Z',
      end_time: '2026-03-13T02:00:00.000Z',
    });
  });

  it('delete_event asks; cancel keeps it and answers plainly', async () => {
    const turn = await say('cancel the dentist', { intent: 'delete_event', target: 'dentist' });
    expectCardReply(turn, 'delete_event', 'confirm');
    const id = turn.card.payload.item.id;
    const cancelled = await press(turn.message_id, 'cancel', { type: 'event', id });
    expect(cancelled.card).toBeNull();
    expect(cancelled.stored.message_type).toBe('text');
    expect(cancelled.frames.some((f) => f.type === 'module_data_changed' || f.type === 'error')).toBe(false);
    expect((await s.request('GET', `/api/events/${id}`)).status).toBe(200);
  });

  it('a create_event without a time asks for it; the next message completes it', async () => {
    const ask = await say('lunch with Haechan on friday', {
      intent: 'create_event',
      title: 'Lunch with Haechan',
      start_time: '2026-03-13',
      is_all_day: false,
    });
    expect(ask.card).toBeNull();
    expect(ask.end.intent).toBe('create_event');
    expect(ask.stored.metadata.pending).toMatchObject({ intent: 'create_event' });
    const classifyCalls = fake.requests.filter((b) => b.tools).length;

    const done = await say('at 12:30');
    expectCardReply(done, 'create_event', 'event_created');
    expect(done.card.payload).toMatchObject({
      title: 'Lunch with Haechan',
      start_time: '2026-03-13T03:30:00.000Z',
      is_all_day: false,
    });
    expect(fake.requests.filter((b) => b.tools).length).toBe(classifyCalls); // answered without the classifier

    // Only the very next message may complete it: anything else drops the request.
    const ask2 = await say('book the car service', { intent: 'create_event', title: 'Car service' });
    expect(ask2.stored.metadata.pending).toBeTruthy();
    const other = await say('what are my memos?', { intent: 'query_memos' });
    expect(other.end.intent).toBe('query_memos');
    const late = await say('at 4pm', { intent: 'general_chat' });
    expect(late.end.intent).toBe('general_chat');
    const events = (await s.request('GET', '/api/events?q=car')).json;
    expect(events.total).toBe(0);
  });

  it('answering "what time?" with a day only asks again, keeping the day; then the time completes it', async () => {
    const ask = await say('lunch with Mina', { intent: 'create_event', title: 'Lunch with Mina' });
    expect(ask.stored.metadata.pending).toMatchObject({ intent: 'create_event' });
    const again = await say('tomorrow');
    expect(again.card).toBeNull();
    expect(again.end.intent).toBe('create_event');
    expect(again.end.full_content).toMatch(/What time is "Lunch with Mina"/);
    expect(again.stored.metadata.pending).toMatchObject({ intent: 'create_event', day: '2026-03-11' });
    expect((await s.request('GET', '/api/events?q=Mina')).json.total).toBe(0); // no all-day event

    const done = await say('at 1pm');
    expectCardReply(done, 'create_event', 'event_created');
    expect(done.card.payload).toMatchObject({
      title: 'Lunch with Mina',
      start_time: '2026-03-11T04:00:00.000Z',
      is_all_day: false,
    });
  });
});

describe('memos', () => {
  it('create_memo, query_memos, update_memo and delete_memo', async () => {
    const created = await say('note: the wifi password is hunter2', {
      intent: 'create_memo',
      title: 'Wifi',
      content: 'the wifi password is hunter2',
      tags: ['home'],
    });
    expectOrder(created, 'action_card', 'module_data_changed');
    expectCardReply(created, 'create_memo', 'memo_created');
    const memo = (await s.request('GET', `/api/memos/${created.card.payload.id}`)).json;
    expect(memo).toMatchObject({
      title: 'Wifi',
      content: 'the wifi password is hunter2',
      tags: ['home'],
      conversation_id: conversationId,
    });

    const listed = await say('show my wifi notes', { intent: 'query_memos', query: 'wifi' });
    expectCardReply(listed, 'query_memos', 'memo_list');
    expect(listed.card.payload.total).toBe(1);

    const updated = await say('change the wifi memo to swordfish', {
      intent: 'update_memo',
      target: 'wifi',
      content: 'the wifi password is swordfish',
    });
    expectCardReply(updated, 'update_memo', 'memo_updated');
    expect((await s.request('GET', `/api/memos/${memo.id}`)).json.content).toBe(
      'the wifi password is swordfish',
    );

    const asked = await say('delete the wifi memo', { intent: 'delete_memo', target: 'wifi' });
    expectCardReply(asked, 'delete_memo', 'confirm');
    const deleted = await press(asked.message_id, 'confirm_delete', { type: 'memo', id: memo.id });
    expect(deleted.card).toMatchObject({ card_type: 'memo_deleted', payload: { id: memo.id } });
    expect((await s.request('GET', `/api/memos/${memo.id}`)).status).toBe(404);
  });
});

describe('search, delegate, briefing, chat', () => {
  it('search answers with a search_results card', async () => {
    await memo(s, { content: 'VLA model reading list' });
    const turn = await say('search VLA', { intent: 'search', query: 'VLA' });
    expectOrder(turn, 'action_card');
    expectCardReply(turn, 'search', 'search_results');
    expect(turn.card.payload.total).toBeGreaterThan(0);
    expect(turn.card.payload.items[0]).toMatchObject({ type: 'memo', title: 'VLA model reading list' });
  });

  it('delegate_task queues an agent task and confirms with its id', async () => {
    fake.onChat('E-bike findings.');
    const turn = await say('research the best e-bikes', {
      intent: 'delegate_task',
      task_type: 'research',
      instruction: 'research the best e-bikes',
    });
    expectOrder(turn, 'action_card');
    expectCardReply(turn, 'delegate_task', 'agent_task_queued');
    const task = turn.card.payload;
    expect(task).toMatchObject({
      task_type: 'research',
      instruction: 'research the best e-bikes',
      status: 'queued',
      conversation_id: conversationId,
    });
    expect(turn.end.full_content).toContain(task.id);
    expect(
      turn.frames.some(
        (f) => f.type === 'module_data_changed' && f.data.module === 'agent_tasks' && f.data.id === task.id,
      ),
    ).toBe(true);
    // Let the worker finish (it posts its result here) before the next test talks to the fake.
    await ws.waitForType('agent_task_updated', (d) => d.id === task.id && d.status === 'completed');
    await ws.waitForType(
      'message_created',
      (d) => d.conversation_id === conversationId && d.role === 'assistant',
    );
  });

  it('daily_briefing answers with a briefing card', async () => {
    await todo(s, { title: 'Pay rent', due_date: '2026-03-10T18:00:00' });
    // The briefing's LLM call gets the day's facts and writes the prose.
    fake.onChat((body) =>
      reply.text(
        JSON.stringify(body.messages).includes('Pay rent')
          ? 'Good morning! Pay rent by 18:00.'
          : 'No facts given.',
      ),
    );
    const turn = await say('brief me', { intent: 'daily_briefing' });
    expectOrder(turn, 'action_card');
    expectCardReply(turn, 'daily_briefing', 'briefing');
    expect(turn.card.payload).toEqual({ text: 'Good morning! Pay rent by 18:00.', date: '2026-03-10' });
    expect(turn.end.full_content).toBe('Good morning! Pay rent by 18:00.');
  });

  it('stop ends a daily_briefing turn at once while its LLM call hangs, and the call is abandoned', async () => {
    fake.onClassify({ intent: 'daily_briefing' });
    fake.onChat(reply.noResponse());
    const res = await s.request('POST', '/api/chat/send', {
      conversation_id: conversationId,
      content: 'brief me',
    });
    const briefingCall = () => fake.requests.some((b) => !b.tools && !b.stream && !isTitleRequest(b));
    for (let i = 0; i < 100 && !briefingCall(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(briefingCall()).toBe(true);
    const stoppedAt = Date.now();
    expect((await s.request('POST', `/api/chat/messages/${res.json.message_id}/stop`)).status).toBe(202);
    const turn = await collect(res.json.message_id);
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(turn.frames.some((f) => f.type === 'error' || f.type === 'action_card')).toBe(false);
    expect(turn.stored).toMatchObject({ status: 'stopped', intent: 'daily_briefing' });
    for (let i = 0; i < 50 && fake.aborted < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fake.aborted).toBe(1);
  });

  it('general_chat streams the answer with the local time and today in the system prompt', async () => {
    fake.onChat({ chunks: ['Sure', ', happy', ' to help.'] });
    const turn = await say('can you help me think?', { intent: 'general_chat' });
    expectOrder(turn);
    expect(turn.frames.filter((f) => f.type === 'stream_chunk').map((f) => f.data.content)).toEqual([
      'Sure',
      ', happy',
      ' to help.',
    ]);
    expect(turn.end).toMatchObject({ full_content: 'Sure, happy to help.', intent: 'general_chat' });
    expect(turn.stored).toMatchObject({
      content: 'Sure, happy to help.',
      message_type: 'text',
      status: 'complete',
      metadata: null,
    });
    const chat = fake.requests.filter((b) => !b.tools && !isTitleRequest(b)).at(-1)!;
    const system = chat.messages[0].content as string;
    expect(chat.messages[0].role).toBe('system');
    expect(system).toContain('2026-03-10T10:00:00+09:00');
    expect(system).toContain('Tuesday');
    expect(system).toContain('Asia/Seoul');
    expect(system).toContain('Pay rent');
    expect(chat.messages.at(-1)).toEqual({ role: 'user', content: 'can you help me think?' });
    expect(chat.messages.length).toBeLessThanOrEqual(21);
  });

  it('puts a glance of the day in the system prompt: at most 20 overdue todos, oldest first', async () => {
    for (let i = 1; i <= 25; i++) {
      const n = String(i).padStart(2, '0');
      const res = await s.request('POST', '/api/todos', {
        title: `Old chore ${n}`,
        due_date: `2020-01-${n}`,
      });
      expect(res.status).toBe(201);
    }
    fake.onChat({ chunks: ['Noted.'] });
    await say('what is overdue?', { intent: 'general_chat' });
    const chat = fake.requests.filter((b) => !b.tools && !isTitleRequest(b)).at(-1)!;
    const line = (chat.messages[0].content as string)
      .split('\n')
      .find((l) => l.startsWith('Overdue tasks: '))!;
    const items = line.slice('Overdue tasks: '.length, -1).split('; ');
    expect(items).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `Old chore ${String(i + 1).padStart(2, '0')}`),
      'and more',
    ]);
  });

  it('an unknown intent from the model is treated as general_chat', async () => {
    fake.onChat('Pizza is not on the menu.');
    const turn = await say('order a pizza', { intent: 'order_pizza' });
    expect(turn.end).toMatchObject({ intent: 'general_chat', full_content: 'Pizza is not on the menu.' });
  });
});

describe('offline (AI_PROVIDER=none)', () => {
  let off: TestServer;
  let sock: WsClient;
  beforeAll(async () => {
    off = await startTestServer({ now: NOW });
    sock = await connectWs(off);
  });
  afterAll(async () => {
    await sock.close();
    await off.close();
  });

  it('"add buy milk tomorrow" creates the todo due at the end of tomorrow, local time, with a card and a title', async () => {
    const res = await off.request('POST', '/api/chat/send', { content: 'add buy milk tomorrow' });
    const titled = await sock.waitForType(
      'conversation_updated',
      (d) => d.conversation_id === res.json.conversation_id && d.title,
    );
    expect(titled.data.title).toBe('add buy milk tomorrow');
    // The whole turn in order, the auto-title last.
    const start = sock.frames.findIndex(
      (f) => f.type === 'stream_start' && f.data.message_id === res.json.message_id,
    );
    const frames = sock.frames.slice(start, sock.frames.indexOf(titled) + 1);
    const t = types(frames).filter((x) => x !== 'stream_chunk');
    expect(t).toEqual([
      'stream_start',
      'stream_end',
      'action_card',
      'module_data_changed',
      'conversation_updated',
    ]);
    expect(frames.filter((f) => f.type === 'stream_chunk').length).toBeGreaterThan(0);
    const card = frames.find((f) => f.type === 'action_card')!.data;
    expect(card.card_type).toBe('todo_created');
    const todo = (await off.request('GET', `/api/todos/${card.payload.id}`)).json;
    expect(todo).toMatchObject({
      title: 'buy milk',
      due_date: '2026-03-11T14:59:59.999Z',
      due_has_time: false,
    });
  });

  it('manages data offline: complete by name, events, "the last one", the calendar', async () => {
    const conv = (await off.request('POST', '/api/chat/conversations', {})).json.id as string;
    const turn = async (content: string) => {
      const res = await off.request('POST', '/api/chat/send', { conversation_id: conv, content });
      const frames = await sock.turn(res.json.message_id);
      return {
        end: frames.find((f) => f.type === 'stream_end')!.data,
        card: frames.find((f) => f.type === 'action_card')?.data,
      };
    };
    await turn('add water the plants tomorrow');
    const done = await turn('mark water the plants as done');
    expect(done.card).toMatchObject({
      card_type: 'todo_completed',
      payload: { title: 'water the plants', status: 'completed' },
    });

    const created = await turn('dentist appointment tomorrow at 3pm');
    expect(created.card).toMatchObject({
      card_type: 'event_created',
      payload: { start_time: '2026-03-11T06:00:00.000Z' },
    });
    const week = await turn("what's on my calendar this week");
    expect(week.card.card_type).toBe('event_list');
    expect(week.card.payload.items.map((e: any) => e.id)).toContain(created.card.payload.id);

    const last = await turn('delete the last one');
    expect(last.card).toMatchObject({
      card_type: 'confirm',
      payload: { item: { id: created.card.payload.id } },
    });
    const named = await turn('delete the dentist appointment');
    expect(named.card).toMatchObject({
      card_type: 'confirm',
      payload: { item: { id: created.card.payload.id } },
    });
  });

  it('free-form chat says the AI provider is unreachable and ends with AI_UNAVAILABLE', async () => {
    const res = await off.request('POST', '/api/chat/send', { content: 'how are you today?' });
    const frames = await sock.turn(res.json.message_id);
    expect(types(frames).slice(0, 3)).toEqual(['stream_start', 'stream_end', 'error']);
    const end = frames[1]!.data;
    expect(end.full_content).toMatch(/AI provider/);
    expect(frames[2]!.data).toMatchObject({ message_id: res.json.message_id, code: 'AI_UNAVAILABLE' });
    const stored = (await off.request('GET', `/api/chat/conversations/${res.json.conversation_id}/messages`))
      .json.items[1];
    expect(stored).toMatchObject({
      role: 'assistant',
      message_type: 'system',
      status: 'failed',
      content: end.full_content,
    });
  });
});
