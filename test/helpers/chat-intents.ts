/**
 * The intent test files' shared setup: one chat server (title requests answered "A title"),
 * one conversation, and the helpers that send a message classified as an intent, press a card
 * button, and check a turn's frames and stored reply.
 */
import { beforeAll, expect } from 'vitest';
import type { ClassifyArgs } from '../fakes/fake-openai.js';
import { useChatServer } from './chat.js';
import { types, type Frame } from './ws.js';

export interface Turn {
  message_id: string;
  user_message_id: string;
  frames: Frame[];
  end: any;
  card: any;
  stored: any;
}

/** Cards that report a write: the change is announced (module_data_changed) right after them. */
const WRITE_CARD = /_(created|updated|completed|deleted)$/;

/** One server, fake LLM, socket and conversation for the file; read them inside tests. */
export function useIntentChat() {
  const { server } = useChatServer('A title');
  let conversationId = '';
  beforeAll(async () => {
    const res = await server.s.request('POST', '/api/chat/conversations', { title: 'Intents' });
    conversationId = res.json.id;
  });

  async function collect(messageId: string, userMessageId = ''): Promise<Turn> {
    const frames = (await server.ws.turn(messageId)).filter(
      (f) => f.type !== 'conversation_updated' && f.type !== 'message_updated',
    );
    const end = frames.find((f) => f.type === 'stream_end')!.data;
    const card = frames.find((f) => f.type === 'action_card')?.data ?? null;
    const stored = (
      await server.s.request('GET', `/api/chat/conversations/${conversationId}/messages?limit=200`)
    ).json.items.find((m: any) => m.id === messageId);
    return { message_id: messageId, user_message_id: userMessageId, frames, end, card, stored };
  }

  /** Sends `text` classified as `args`; returns the turn's frames, its card and the stored reply. */
  async function say(text: string, args?: ClassifyArgs): Promise<Turn> {
    if (args) server.fake.onClassify(args);
    const res = await server.s.request('POST', '/api/chat/send', {
      conversation_id: conversationId,
      content: text,
    });
    expect(res.status).toBe(202);
    return collect(res.json.message_id, res.json.user_message_id);
  }

  return {
    server,
    conversationId: () => conversationId,
    collect,
    say,
    /**
     * The usual intent turn: `say`, expecting a `cardType` card as the answer, checked the same
     * way each time (frames in order, a write card's change announced right after it, the card
     * stored with the reply).
     */
    sayCard: async (
      cardType: string,
      text: string,
      args: ClassifyArgs & { intent: string },
    ): Promise<Turn> => {
      const turn = await say(text, args);
      expectOrder(turn, 'action_card', ...(WRITE_CARD.test(cardType) ? ['module_data_changed'] : []));
      expectCardReply(turn, args.intent, cardType);
      return turn;
    },
    /** Waits for the reply to an action_response on `source`. */
    press: async (source: string, action: string, params: Record<string, unknown>): Promise<Turn> => {
      const ws = server.ws;
      const before = ws.frames.length;
      ws.send('action_response', { message_id: source, action, params });
      const start = await ws.waitFor((f) => f.type === 'stream_start' && ws.frames.indexOf(f) >= before);
      return collect(start.data.message_id);
    },
  };
}

/** stream_start, one or more chunks, stream_end, then the given trailing frame types. */
export function expectOrder(turn: Turn, ...after: string[]) {
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

export function expectCardReply(turn: Turn, intent: string, cardType: string) {
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
