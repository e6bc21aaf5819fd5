/**
 * Conversations and messages over real HTTP and WebSocket: listing, renaming, archiving,
 * deleting, paging messages, editing and deleting them. The LLM is the fake OpenAI server.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { useChatServer } from '../../../test/helpers/chat.js';
import type { TestServer } from '../../../test/helpers/server.js';
import { types, type WsClient } from '../../../test/helpers/ws.js';

const { server, send, messagesOf } = useChatServer('Fake title');
let fake: FakeOpenAI, s: TestServer, ws: WsClient;
beforeAll(() => void ({ fake, s, ws } = server));

describe('conversations', () => {
  it('creates without a body, lists by newest activity with a preview, renames, archives and un-archives', async () => {
    const empty = await s.raw('POST', '/api/chat/conversations', {
      headers: { authorization: `Bearer ${s.token}` },
    });
    expect(empty.status).toBe(201);
    expect(empty.json).toMatchObject({
      title: '',
      is_archived: false,
      last_message_preview: null,
      last_message: null,
    });
    expect(empty.json.id).toMatch(/^conv_/);
    await ws.waitForType('conversation_updated', (d) => d.conversation_id === empty.json.id);

    const named = await s.request('POST', '/api/chat/conversations', { title: 'Plans' });
    expect(named.status).toBe(201);
    expect(named.json.title).toBe('Plans');

    s.clock.advance(1000);
    fake.onChat('y'.repeat(150));
    await send({ conversation_id: empty.json.id, content: 'hello' });
    const list = await s.request('GET', '/api/chat/conversations?limit=100');
    expect(list.status).toBe(200);
    expect(list.json.items[0].id).toBe(empty.json.id);
    expect(list.json.items[0].last_message_preview).toBe('y'.repeat(100));
    expect(list.json.items[0].last_message).toBe('y'.repeat(100));
    // Titled at creation: the first turn does not rename it.
    expect(list.json.items.find((c: any) => c.id === named.json.id).title).toBe('Plans');

    const renamed = await s.request('PATCH', `/api/chat/conversations/${named.json.id}`, {
      title: 'Trip plans',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.title).toBe('Trip plans');
    await ws.waitForType(
      'conversation_updated',
      (d) => d.title === 'Trip plans' && d.conversation.id === named.json.id,
    );
    expect((await s.request('PATCH', `/api/chat/conversations/${named.json.id}`, {})).json.title).toBe(
      'Trip plans',
    );

    expect((await s.request('DELETE', `/api/chat/conversations/${empty.json.id}`)).status).toBe(204);
    const active = await s.request('GET', '/api/chat/conversations');
    expect(active.json.items.map((c: any) => c.id)).not.toContain(empty.json.id);
    const archived = await s.request('GET', '/api/chat/conversations?archived=true');
    expect(archived.json.items.map((c: any) => c.id)).toContain(empty.json.id);
    expect(archived.json.items[0].is_archived).toBe(true);

    // Sending to an archived conversation brings it back.
    await send({ conversation_id: empty.json.id, content: 'back again' });
    const back = await s.request('GET', `/api/chat/conversations/${empty.json.id}`);
    expect(back.json.is_archived).toBe(false);

    const missing = await s.request('GET', '/api/chat/conversations/conv_nope');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
  });

  it('deletes permanently with its messages; items it created stay, unlinked', async () => {
    fake.onClassify({ intent: 'create_todo', title: 'Keep me' });
    const sent = await send({ content: 'add keep me' });
    const card = sent.frames.find((f) => f.type === 'action_card')!;
    const todoId = card.data.payload.id as string;
    expect((await s.request('GET', `/api/todos/${todoId}`)).json.conversation_id).toBe(sent.conversation_id);

    expect(
      (await s.request('DELETE', `/api/chat/conversations/${sent.conversation_id}?permanent=true`)).status,
    ).toBe(204);
    await ws.waitForType(
      'conversation_updated',
      (d) => d.conversation_id === sent.conversation_id && d.deleted === true,
    );
    expect((await s.request('GET', `/api/chat/conversations/${sent.conversation_id}`)).status).toBe(404);
    expect((await s.request('GET', `/api/chat/conversations/${sent.conversation_id}/messages`)).status).toBe(
      404,
    );
    const todo = await s.request('GET', `/api/todos/${todoId}`);
    expect(todo.status).toBe(200);
    expect(todo.json).toMatchObject({ title: 'Keep me', conversation_id: null, message_id: null });
  });
});

describe('messages', () => {
  it('pages newest window first, oldest first within a page, with stable cursors for equal timestamps', async () => {
    fake.onChat('ok');
    const first = await send({ content: 'message 0' });
    const conv = first.conversation_id;
    for (let i = 1; i < 12; i++) await send({ conversation_id: conv, content: `message ${i}` });
    // 24 messages, all at the same (frozen) instant: order falls back to the time-ordered ids.
    const all = await messagesOf(conv);
    expect(all).toHaveLength(24);
    const ids = all.map((m) => m.id);
    expect([...ids].sort()).toEqual(ids);
    expect(all[0].content).toBe('message 0');

    const page1 = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=10`);
    expect(page1.json).toMatchObject({ total: 24, page: 1, limit: 10 });
    expect(page1.json.items.map((m: any) => m.id)).toEqual(ids.slice(14));
    const page2 = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=10&page=2`);
    expect(page2.json.items.map((m: any) => m.id)).toEqual(ids.slice(4, 14));
    const page3 = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=10&page=3`);
    expect(page3.json.items.map((m: any) => m.id)).toEqual(ids.slice(0, 4));
    const past = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=10&page=4`);
    expect(past.json).toMatchObject({ items: [], total: 24 });

    const before = await s.request(
      'GET',
      `/api/chat/conversations/${conv}/messages?limit=10&before=${ids[14]}`,
    );
    expect(before.json.items.map((m: any) => m.id)).toEqual(ids.slice(4, 14));
    const after = await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=5&after=${ids[13]}`);
    expect(after.json.items.map((m: any) => m.id)).toEqual(ids.slice(14, 19));

    const mixed = await s.request('GET', `/api/chat/conversations/${conv}/messages?page=1&before=${ids[5]}`);
    expect(mixed.status).toBe(400);
    expect(mixed.json.error.code).toBe('VALIDATION_ERROR');
    expect((await s.request('GET', `/api/chat/conversations/${conv}/messages?limit=201`)).status).toBe(400);
    expect(
      (await s.request('GET', `/api/chat/conversations/${conv}/messages?before=msg_unknown`)).status,
    ).toBe(404);

    // The conversation itself carries the newest 50, oldest first.
    const full = await s.request('GET', `/api/chat/conversations/${conv}`);
    expect(full.json.messages.map((m: any) => m.id)).toEqual(ids);
  });

  it('edits and deletes a message, telling every device', async () => {
    fake.onChat('ok');
    const sent = await send({ content: 'typo here' });
    const base = `/api/chat/conversations/${sent.conversation_id}/messages/${sent.user_message_id}`;
    const edited = await s.request('PUT', base, { content: 'no typo here' });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ id: sent.user_message_id, content: 'no typo here', role: 'user' });
    await ws.waitForType(
      'message_updated',
      (d) => d.id === sent.user_message_id && d.content === 'no typo here',
    );
    expect((await s.request('PUT', base, { content: '' })).status).toBe(400);
    expect(
      (
        await s.request('PUT', `/api/chat/conversations/${sent.conversation_id}/messages/msg_nope`, {
          content: 'x',
        })
      ).status,
    ).toBe(404);

    expect((await s.request('DELETE', base)).status).toBe(204);
    await ws.waitForType(
      'message_deleted',
      (d) => d.id === sent.user_message_id && d.conversation_id === sent.conversation_id,
    );
    expect((await messagesOf(sent.conversation_id)).map((m) => m.id)).toEqual([sent.message_id]);
    expect((await s.request('DELETE', base)).status).toBe(404);
  });

  it('deleting a user message drops the reply queued or streaming for it, with no turn frames and no error', async () => {
    // Queued: the first reply streams slowly; the todo request waits behind it and is deleted.
    fake.onChat({ chunks: ['slow ', 'reply'], delayMs: 250 });
    fake.onClassify((body) =>
      String(body.messages.at(-1).content).includes('dentist')
        ? { intent: 'create_todo', title: 'Call the dentist' }
        : { intent: 'general_chat' },
    );
    const first = await s.request('POST', '/api/chat/send', { content: 'tell me a story' });
    const conv = first.json.conversation_id as string;
    const queued = await s.request('POST', '/api/chat/send', {
      content: 'add call the dentist',
      conversation_id: conv,
    });
    const remove = (id: string) => s.request('DELETE', `/api/chat/conversations/${conv}/messages/${id}`);
    expect((await remove(queued.json.user_message_id)).status).toBe(204);
    await ws.waitForType('message_deleted', (d) => d.id === queued.json.message_id);
    await ws.turn(first.json.message_id);

    // Streaming: the reply goes midway.
    fake.onChat({ chunks: ['one ', 'two ', 'three ', 'four'], delayMs: 150 });
    const streaming = await s.request('POST', '/api/chat/send', { content: 'count', conversation_id: conv });
    await ws.waitForType('stream_chunk', (d) => d.message_id === streaming.json.message_id);
    expect((await remove(streaming.json.user_message_id)).status).toBe(204);
    const gone = await ws.waitForType('message_deleted', (d) => d.id === streaming.json.message_id);

    // The conversation's queue moves on.
    fake.onChat('Still here.');
    const after = await send({ content: 'are you there?', conversation_id: conv });
    expect(after.frames.find((f) => f.type === 'stream_end')!.data.full_content).toBe('Still here.');

    const of = (id: string) => ws.frames.filter((f) => f.data?.message_id === id);
    expect(of(queued.json.message_id)).toEqual([]); // never started
    const goneAt = ws.frames.indexOf(gone);
    expect(of(streaming.json.message_id).filter((f) => ws.frames.indexOf(f) > goneAt)).toEqual([]);
    expect(types(of(streaming.json.message_id))).not.toContain('stream_end');
    expect((await s.request('GET', '/api/todos?q=dentist')).json.total).toBe(0);
    expect((await messagesOf(conv)).map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'complete', 'tell me a story'],
      ['assistant', 'complete', 'slow reply'],
      ['user', 'complete', 'are you there?'],
      ['assistant', 'complete', 'Still here.'],
    ]);
    // A dropped reply is not resumable: its id is gone.
    ws.send('resume', { message_id: streaming.json.message_id, from_index: 0 });
    expect((await ws.waitForType('error', (d) => d.message_id === streaming.json.message_id)).data.code).toBe(
      'NOT_FOUND',
    );
  });
});
