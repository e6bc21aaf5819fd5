/**
 * The chat's event answers read the events service's window listing: a changed occurrence is
 * answered as changed, a removed one not at all (COMPAT.md). Real server, fake LLM over HTTP.
 */
import { beforeAll, expect, it } from 'vitest';
import { reply, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { useLlmServer } from '../../../test/helpers/llm-server.js';
import { event } from '../../../test/helpers/factories.js';
import type { TestServer } from '../../../test/helpers/server.js';
import type { WsClient } from '../../../test/helpers/ws.js';

const server = useLlmServer({ timezone: 'Asia/Seoul', now: '2026-03-01T01:00:00Z' });
let fake: FakeOpenAI, s: TestServer, ws: WsClient;
beforeAll(() => void ({ fake, s, ws } = server));

it('answers "what is on" with the changed occurrences', async () => {
  const { id } = await event(s, {
    title: 'Stand-up',
    start_time: '2026-03-02T10:00:00',
    recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO',
  });
  expect((await s.request('DELETE', `/api/events/${id}/occurrences/2026-03-09`)).status).toBe(204);
  const moved = await s.request('PATCH', `/api/events/${id}/occurrences/2026-03-16`, {
    start_time: '2026-03-17T14:00:00',
    title: 'Stand-up (moved)',
  });
  expect(moved.status).toBe(200);

  fake.script((req) =>
    String(req.body?.messages?.[0]?.content ?? '').includes('short title')
      ? reply.text('A title')
      : undefined,
  );
  fake.onClassify({ intent: 'query_events', date_from: '2026-03-08', date_to: '2026-03-21' });
  const conversation = (await s.request('POST', '/api/chat/conversations', { title: 'Calendar' })).json.id;
  const sent = await s.request('POST', '/api/chat/send', {
    conversation_id: conversation,
    content: "what's on the next two weeks?",
  });
  expect(sent.status, sent.text).toBe(202);
  const frames = await ws.turn(sent.json.message_id);
  const card = frames.find((f) => f.type === 'action_card')!.data as {
    payload: { items: { title: string; start_time: string }[]; total: number };
  };
  expect(card.payload.total).toBe(1);
  expect(card.payload.items).toMatchObject([
    { title: 'Stand-up (moved)', start_time: new Date('2026-03-17T14:00:00+09:00').toISOString() },
  ]);
  const end = frames.find((f) => f.type === 'stream_end')!.data as { full_content: string };
  expect(end.full_content).toContain('Stand-up (moved)');
});
