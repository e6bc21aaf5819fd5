/**
 * What the chat test files share: the fixed "now", telling title requests from turn requests,
 * a server + fake LLM + socket whose title requests get a fixed answer, and the two reads
 * every chat test makes (send and wait for the turn; the stored messages).
 */
import { expect } from 'vitest';
import { reply, type RequestBody } from '../fakes/fake-openai.js';
import { useLlmServer } from './llm-server.js';
import type { TestServer, TestServerOptions } from './server.js';
import type { Frame, WsClient } from './ws.js';

/** Tuesday 2026-03-10, 10:00 in Seoul (UTC+9). */
export const CHAT_NOW = '2026-03-10T01:00:00Z';

export const isTitleRequest = (body: RequestBody | null) =>
  String(body?.messages?.[0]?.content ?? '').includes('short title');

/**
 * useLlmServer() on CHAT_NOW (before each test the fake answers title requests with `title`),
 * with send / messagesOf / stream bound to that server and its socket.
 */
export function useChatServer(title: string, opts: TestServerOptions = {}) {
  const server = useLlmServer({ now: CHAT_NOW, ...opts }, (f) =>
    f.script((req) => (isTitleRequest(req.body) ? reply.text(title) : undefined)),
  );
  return {
    server,
    send: (body: Record<string, unknown>) => sendTurn(server.s, server.ws, body),
    messagesOf: (conversationId: string) => storedMessages(server.s, conversationId),
    stream: (body: unknown, signal?: AbortSignal) => postStream(server.s, body, signal),
  };
}

export interface SentTurn {
  message_id: string;
  user_message_id: string;
  conversation_id: string;
  frames: Frame[];
}

/** POST /api/chat/send (expecting 202), then the turn's frames as `ws` saw them. */
export async function sendTurn(
  s: TestServer,
  ws: WsClient,
  body: Record<string, unknown>,
): Promise<SentTurn> {
  const res = await s.request('POST', '/api/chat/send', body);
  expect(res.status).toBe(202);
  const frames = await ws.turn(res.json.message_id);
  return { ...(res.json as Omit<SentTurn, 'frames'>), frames };
}

/** The stored messages of a conversation, oldest first (up to 200). */
export async function storedMessages(s: TestServer, conversationId: string): Promise<any[]> {
  return (await s.request('GET', `/api/chat/conversations/${conversationId}/messages?limit=200`)).json.items;
}

/** The `data:` payloads of an SSE body (each line checked), and the JSON events among them. */
export function parseSse(text: string): { lines: string[]; events: any[] } {
  const lines = text.split('\n\n').filter((l) => l.length > 0);
  for (const line of lines) expect(line.startsWith('data: ')).toBe(true);
  const payloads = lines.map((l) => l.slice('data: '.length));
  return { lines: payloads, events: payloads.filter((p) => p !== '[DONE]').map((p) => JSON.parse(p)) };
}

/** POST /api/chat/stream as the owner; the raw fetch Response, to read the SSE body. */
export async function postStream(s: TestServer, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${s.url}/api/chat/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}
