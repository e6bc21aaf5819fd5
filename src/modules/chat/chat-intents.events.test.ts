/**
 * The event and memo intents end to end, with the card actions and the pending "when?" of an
 * event whose time is missing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { expectCardReply, useIntentChat } from '../../../test/helpers/chat-intents.js';
import type { TestServer } from '../../../test/helpers/server.js';

const { server, say, sayCard, press, conversationId } = useIntentChat();
let fake: FakeOpenAI, s: TestServer;
beforeAll(() => void ({ fake, s } = server));

/** Answers a pending "what time?" with `text`: the event is made as `title`, timed, at `start_time`. */
async function answerTime(text: string, title: string, start_time: string) {
  const done = await say(text);
  expectCardReply(done, 'create_event', 'event_created');
  expect(done.card.payload).toMatchObject({ title, start_time, is_all_day: false });
}

describe('events', () => {
  it('create_event creates it with start, end, location and reminder', async () => {
    const text = 'dentist thursday 3pm to 4pm at the clinic, remind me 30 min before';
    const turn = await sayCard('event_created', text, {
      intent: 'create_event',
      title: 'Dentist',
      start_time: '2026-03-12T15:00:00',
      end_time: '2026-03-12T16:00:00',
      location: 'Clinic',
      reminder_minutes: 30,
    });
    const event = (await s.request('GET', `/api/events/${turn.card.payload.id}`)).json;
    expect(event).toMatchObject({
      title: 'Dentist',
      start_time: '2026-03-12T06:00:00.000Z',
      end_time: '2026-03-12T07:00:00.000Z',
      location: 'Clinic',
      reminder_minutes: 30,
      conversation_id: conversationId(),
      message_id: turn.user_message_id,
    });
    expect(turn.end.full_content).toContain('Dentist');
  });

  it('query_events lists the asked window with an event_list card', async () => {
    const turn = await sayCard('event_list', "what's on thursday?", {
      intent: 'query_events',
      date_from: '2026-03-12',
      date_to: '2026-03-12',
    });
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
    const turn = await sayCard('event_updated', 'move the dentist to friday 10am', {
      intent: 'update_event',
      target: 'dentist',
      start_time: '2026-03-13T10:00:00',
    });
    expect(turn.card.payload).toMatchObject({
      start_time: '2026-03-13T01:00:00.000Z',
      end_time: '2026-03-13T02:00:00.000Z',
    });
  });

  it('delete_event asks; cancel keeps it and answers plainly', async () => {
    const turn = await sayCard('confirm', 'cancel the dentist', {
      intent: 'delete_event',
      target: 'dentist',
    });
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

    await answerTime('at 12:30', 'Lunch with Haechan', '2026-03-13T03:30:00.000Z');
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

    await answerTime('at 1pm', 'Lunch with Mina', '2026-03-11T04:00:00.000Z');
  });
});

describe('memos', () => {
  it('create_memo, query_memos, update_memo and delete_memo', async () => {
    const created = await sayCard('memo_created', 'note: the wifi password is hunter2', {
      intent: 'create_memo',
      title: 'Wifi',
      content: 'the wifi password is hunter2',
      tags: ['home'],
    });
    const memo = (await s.request('GET', `/api/memos/${created.card.payload.id}`)).json;
    expect(memo).toMatchObject({
      title: 'Wifi',
      content: 'the wifi password is hunter2',
      tags: ['home'],
      conversation_id: conversationId(),
    });

    const listed = await sayCard('memo_list', 'show my wifi notes', { intent: 'query_memos', query: 'wifi' });
    expect(listed.card.payload.total).toBe(1);

    await sayCard('memo_updated', 'change the wifi memo to swordfish', {
      intent: 'update_memo',
      target: 'wifi',
      content: 'the wifi password is swordfish',
    });
    expect((await s.request('GET', `/api/memos/${memo.id}`)).json.content).toBe(
      'the wifi password is swordfish',
    );

    const asked = await sayCard('confirm', 'delete the wifi memo', { intent: 'delete_memo', target: 'wifi' });
    const deleted = await press(asked.message_id, 'confirm_delete', { type: 'memo', id: memo.id });
    expect(deleted.card).toMatchObject({ card_type: 'memo_deleted', payload: { id: memo.id } });
    expect((await s.request('GET', `/api/memos/${memo.id}`)).status).toBe(404);
  });
});
