/**
 * The `choice` card (issue 18): offline, a message the understander cannot place between two
 * intents gets one short question with both readings as buttons; pressing one runs that intent
 * on the original message. Real server, real socket, the shipped understander.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { understandOffline } from '../../ai/offline/understand.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, types, type Frame, type WsClient } from '../../../test/helpers/ws.js';

// Tuesday 2026-03-10, 10:00 in Seoul.
const NOW = '2026-03-10T01:00:00Z';
const ZONE = 'Asia/Seoul';

// Short phrases that read as a memo, a task or an event as easily as anything else. Which of
// them the shipped model is unsure about changes with each retrain, so the test asks it.
const CANDIDATES = [
  'wifi password',
  'meeting notes',
  'dentist thursday 3pm',
  'gym tomorrow',
  'car insurance',
  'passport',
  'flight to Busan',
  'kimchi recipe',
];

function unsureMessage(): { text: string; intents: string[] } {
  const ctx = { now: new Date(NOW), timezone: ZONE };
  for (const text of CANDIDATES) {
    const got = understandOffline(text, ctx);
    const other = got.alternatives?.[0];
    if (got.ambiguous && other) return { text, intents: [got.intent, other.intent] };
  }
  throw new Error('the shipped model is sure of every candidate: add an unsure phrase to CANDIDATES');
}

let s: TestServer;
let ws: WsClient;

beforeAll(async () => {
  s = await startTestServer({ now: NOW, timezone: ZONE });
  ws = await connectWs(s);
});

afterAll(async () => {
  await ws.close();
  await s.close();
});

async function send(content: string) {
  const res = await s.request('POST', '/api/chat/send', { content });
  expect(res.status).toBe(202);
  const frames = await ws.turn(res.json.message_id);
  return { res, frames, card: frames.find((f) => f.type === 'action_card')?.data };
}

async function press(source: string, params: Record<string, unknown>): Promise<Frame[]> {
  const before = ws.frames.length;
  ws.send('action_response', { message_id: source, action: 'choose_intent', params });
  const start = await ws.waitFor((f) => f.type === 'stream_start' && ws.frames.indexOf(f) >= before);
  return ws.turn(start.data.message_id);
}

async function storedMessage(conversationId: string, id: string) {
  const list = await s.request('GET', `/api/chat/conversations/${conversationId}/messages?limit=50`);
  return list.json.items.find((m: { id: string }) => m.id === id);
}

describe('an unsure message', () => {
  it('asks with a choice card naming both readings, acts on neither, and runs the one pressed', async () => {
    const unsure = unsureMessage();
    const memosBefore = (await s.request('GET', '/api/memos')).json.total;
    const todosBefore = (await s.request('GET', '/api/todos')).json.total;

    const asked = await send(unsure.text);
    expect(types(asked.frames)).not.toContain('module_data_changed');
    expect(asked.card.card_type).toBe('choice');
    expect(asked.card.payload.text).toBe(unsure.text);
    expect(asked.card.payload.options.map((o: { intent: string }) => o.intent)).toEqual(unsure.intents);
    expect(asked.card.payload.question).toMatch(/^Did you mean ".+" or ".+"\?$/);
    expect(asked.card.actions).toHaveLength(2);
    for (const a of asked.card.actions) {
      expect(a.action).toBe('choose_intent');
      expect(a.params.id).toBe(a.params.intent);
    }
    // Nothing was created while asking.
    expect((await s.request('GET', '/api/memos')).json.total).toBe(memosBefore);
    expect((await s.request('GET', '/api/todos')).json.total).toBe(todosBefore);

    // A press that names no button answers plainly and leaves the card live.
    const vague = await press(asked.res.json.message_id, {});
    expect(vague.find((f) => f.type === 'stream_end')!.data.full_content).toBe('Pick one of the options.');

    // Press a reading that acts (chat needs an LLM, which this server has none of), the second
    // one when it acts: the model's first guess is not the only thing a press can run.
    const acting = asked.card.actions.filter(
      (a: { params: { intent: string } }) => a.params.intent !== 'general_chat',
    );
    const picked = acting[acting.length - 1];
    const done = await press(asked.res.json.message_id, picked.params);
    const end = done.find((f) => f.type === 'stream_end')!.data;
    expect(end.intent).toBe(picked.params.intent);
    expect(types(done)).not.toContain('error');
    if (picked.params.intent.startsWith('create_')) {
      const card = done.find((f) => f.type === 'action_card')!.data;
      expect(card.card_type).toBe(`${picked.params.type}_created`);
      expect(types(done)).toContain('module_data_changed');
      const list = (await s.request('GET', `/api/${picked.params.type}s`)).json;
      expect(list.items.map((i: { id: string }) => i.id)).toContain(card.payload.id);
    }
    const source = await storedMessage(asked.res.json.conversation_id, asked.res.json.message_id);
    expect(source.metadata.card).toMatchObject({
      card_type: 'choice',
      resolved: true,
      resolved_action: 'choose_intent',
    });

    // A second press, from any device, is told it is done.
    const again = await press(asked.res.json.message_id, asked.card.actions[0].params);
    expect(again.find((f) => f.type === 'stream_end')!.data.full_content).toBe("That's already done.");
  });

  it('a press naming an intent the card does not offer does nothing and leaves the card live', async () => {
    const asked = await send(unsureMessage().text);
    const todosBefore = (await s.request('GET', '/api/todos')).json.total;
    const frames = await press(asked.res.json.message_id, { id: 'delete_todo', intent: 'delete_todo' });
    expect(frames.find((f) => f.type === 'stream_end')!.data.full_content).toBe('Pick one of the options.');
    expect(types(frames)).not.toContain('module_data_changed');
    expect((await s.request('GET', '/api/todos')).json.total).toBe(todosBefore);
    const source = await storedMessage(asked.res.json.conversation_id, asked.res.json.message_id);
    expect(source.metadata.card.resolved).toBeUndefined();
  });

  it('a clear command still acts at once, with no question', async () => {
    const { card } = await send('add buy milk tomorrow');
    expect(card.card_type).toBe('todo_created');
  });
});
