/**
 * Chat without an LLM (AI_PROVIDER=none): the offline understander manages the data; free-form
 * chat says the AI provider is unreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_NOW as NOW } from '../../../test/helpers/chat.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, types, type WsClient } from '../../../test/helpers/ws.js';

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
