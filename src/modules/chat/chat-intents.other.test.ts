/**
 * Search, delegate, briefing and free-form chat intents end to end: the card each answers
 * with, and what the system prompt of a chat turn carries.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { reply, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { memo, todo } from '../../../test/helpers/factories.js';
import { expectOrder, useIntentChat } from '../../../test/helpers/chat-intents.js';
import { isTitleRequest } from '../../../test/helpers/chat.js';
import type { TestServer } from '../../../test/helpers/server.js';
import { type WsClient } from '../../../test/helpers/ws.js';

const { server, say, sayCard, collect, conversationId } = useIntentChat();
let fake: FakeOpenAI, s: TestServer, ws: WsClient;
beforeAll(() => void ({ fake, s, ws } = server));

describe('search, delegate, briefing, chat', () => {
  it('search answers with a search_results card', async () => {
    await memo(s, { content: 'VLA model reading list' });
    const turn = await sayCard('search_results', 'search VLA', { intent: 'search', query: 'VLA' });
    expect(turn.card.payload.total).toBeGreaterThan(0);
    expect(turn.card.payload.items[0]).toMatchObject({ type: 'memo', title: 'VLA model reading list' });
  });

  it('delegate_task queues an agent task and confirms with its id', async () => {
    fake.onChat('E-bike findings.');
    const turn = await sayCard('agent_task_queued', 'research the best e-bikes', {
      intent: 'delegate_task',
      task_type: 'research',
      instruction: 'research the best e-bikes',
    });
    const task = turn.card.payload;
    expect(task).toMatchObject({
      task_type: 'research',
      instruction: 'research the best e-bikes',
      status: 'queued',
      conversation_id: conversationId(),
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
      (d) => d.conversation_id === conversationId() && d.role === 'assistant',
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
    const turn = await sayCard('briefing', 'brief me', { intent: 'daily_briefing' });
    expect(turn.card.payload).toEqual({ text: 'Good morning! Pay rent by 18:00.', date: '2026-03-10' });
    expect(turn.end.full_content).toBe('Good morning! Pay rent by 18:00.');
  });

  it('stop ends a daily_briefing turn at once while its LLM call hangs, and the call is abandoned', async () => {
    fake.onClassify({ intent: 'daily_briefing' });
    fake.onChat(reply.noResponse());
    const res = await s.request('POST', '/api/chat/send', {
      conversation_id: conversationId(),
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
