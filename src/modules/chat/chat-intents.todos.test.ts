/**
 * The todo intents end to end: the fake LLM classifies, the orchestrator acts through the same
 * services as the REST API, and we check the frames (in order), the stored reply and the data,
 * then the card actions (complete, delete + confirm, choose).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { todo } from '../../../test/helpers/factories.js';
import { expectOrder, useIntentChat } from '../../../test/helpers/chat-intents.js';
import type { TestServer } from '../../../test/helpers/server.js';
import { type WsClient } from '../../../test/helpers/ws.js';

const { server, say, sayCard, press, conversationId } = useIntentChat();
let s: TestServer, ws: WsClient;
beforeAll(() => void ({ s, ws } = server));

describe('todos', () => {
  it('create_todo creates the todo with every parameter, linked to the conversation and the user message', async () => {
    const turn = await sayCard('todo_created', 'add buy milk tomorrow, high priority #shopping', {
      intent: 'create_todo',
      title: 'Buy milk',
      due_date: '2026-03-11',
      priority: 'high',
      tags: ['shopping'],
      description: 'two litres',
    });
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
      conversation_id: conversationId(),
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
    const turn = await sayCard('todo_list', 'what are my todos?', { intent: 'query_todos' });
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
    const turn = await sayCard('todo_updated', 'make buy milk low priority', {
      intent: 'update_todo',
      target: 'buy milk',
      priority: 'low',
    });
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
    const turn = await sayCard('todo_completed', 'mark buy milk as done', {
      intent: 'complete_todo',
      target: 'buy milk',
    });
    const todo = (await s.request('GET', `/api/todos/${turn.card.payload.id}`)).json;
    expect(todo.status).toBe('completed');
    expect(todo.completed_at).not.toBeNull();
  });

  it('a todo_updated card of a completed todo offers no "Complete"', async () => {
    await todo(s, { title: 'File taxes' });
    const turn = await sayCard('todo_updated', 'file taxes is done, and make it high priority', {
      intent: 'update_todo',
      target: 'file taxes',
      status: 'completed',
      priority: 'high',
    });
    expect(turn.card.payload).toMatchObject({ title: 'File taxes', status: 'completed' });
    const actions = turn.card.actions.map((a: any) => a.action);
    expect(actions).not.toContain('complete_todo');
    expect(actions).toContain('edit_todo');
  });

  it('delete_todo asks first; confirm_delete deletes; a second press is "already done"', async () => {
    const turn = await sayCard('confirm', 'delete the buy milk todo', {
      intent: 'delete_todo',
      target: 'buy milk',
    });
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
      await s.request('GET', `/api/chat/conversations/${conversationId()}/messages?limit=200`)
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
    const turn = await sayCard('choose', 'mark call mom as done', {
      intent: 'complete_todo',
      target: 'call mom',
    });
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
