/**
 * `/api/chat/*`: conversations, messages, sending (202, the reply streams over the WebSocket)
 * and `POST /api/chat/stream` (the same turn streamed on the response as server-sent events).
 */
import { Type } from '@sinclair/typebox';
import type { ServerResponse } from 'node:http';
import type { App } from '../../lib/app-type.js';
import { replyIdOf, type ServerFrame } from '../../realtime/frames.js';
import type { Hub } from '../../realtime/hub.js';
import type { SessionGuard } from '../../realtime/session-guard.js';
import type { StreamBuffers } from '../../realtime/stream-buffers.js';
import { errorResponses } from '../common/schemas.js';
import { ActionCardSchema, CardActionSchema } from './cards.js';
import { finishedReplyFrames } from './replay.js';
import { createReplyStream, type StreamCut } from './reply-stream.js';
import {
  Conversation,
  ConversationCreate,
  ConversationDeleteQuery,
  ConversationListQuery,
  ConversationPage,
  ConversationParams,
  ConversationPatch,
  ConversationWithMessages,
  Message,
  MessageEdit,
  MessageIdParams,
  MessageListQuery,
  MessagePage,
  MessageParams,
  RegenerateBody,
  SendAccepted,
  SendBody,
  StopAccepted,
  readSendBody,
} from './chat.schemas.js';
import type { ChatService } from './chat.service.js';

const tags = ['chat'];
/** How long after its 202 is written a sent message's turn starts (see POST /api/chat/send). */
const START_AFTER_202_MS = 5;

export async function chatRoutes(
  app: App,
  opts: { chat: ChatService; hub: Hub; sessionGuard: SessionGuard; streamBuffers: StreamBuffers },
): Promise<void> {
  const { chat, hub, sessionGuard: guard, streamBuffers: buffers } = opts;
  // Shutdown: stop the turns first, so open SSE responses end instead of holding the close up.
  app.addHook('preClose', async () => chat.close());
  app.addSchema(Conversation);
  app.addSchema(Message);
  // Published for clients: the card shapes (`metadata.card`, WebSocket `action_card`).
  app.addSchema(CardActionSchema);
  app.addSchema(ActionCardSchema);

  app.get(
    '/api/chat/conversations',
    {
      schema: {
        tags,
        summary: 'List conversations, newest activity first',
        querystring: ConversationListQuery,
        response: { 200: ConversationPage, ...errorResponses(400, 401) },
      },
    },
    async (req) => chat.listConversations(req.query),
  );

  app.post(
    '/api/chat/conversations',
    {
      schema: {
        tags,
        summary: 'Create a conversation (the body may be absent)',
        body: ConversationCreate,
        response: { 201: Type.Ref(Conversation), ...errorResponses(400, 401) },
      },
    },
    async (req, reply) => reply.code(201).send(await chat.createConversation(req.body ?? {})),
  );

  app.get(
    '/api/chat/conversations/:id',
    {
      schema: {
        tags,
        summary: 'A conversation with its newest 50 messages (oldest first)',
        params: ConversationParams,
        response: { 200: ConversationWithMessages, ...errorResponses(401, 404) },
      },
    },
    async (req) => chat.getConversation(req.params.id),
  );

  app.patch(
    '/api/chat/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Rename or (un)archive a conversation',
        params: ConversationParams,
        body: ConversationPatch,
        response: { 200: Type.Ref(Conversation), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => chat.updateConversation(req.params.id, req.body),
  );

  app.delete(
    '/api/chat/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Archive a conversation, or delete it with its messages (`permanent=true`)',
        params: ConversationParams,
        querystring: ConversationDeleteQuery,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404) },
      },
    },
    async (req, reply) => {
      await chat.removeConversation(req.params.id, req.query.permanent ?? false);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/chat/conversations/:id/messages',
    {
      schema: {
        tags,
        summary:
          'Messages: page 1 is the newest window, oldest first within a page; or a before/after cursor',
        params: ConversationParams,
        querystring: MessageListQuery,
        response: { 200: MessagePage, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => chat.listMessages(req.params.id, req.query),
  );

  app.put(
    '/api/chat/conversations/:id/messages/:message_id',
    {
      schema: {
        tags,
        summary: 'Edit a message',
        params: MessageParams,
        body: MessageEdit,
        response: { 200: Type.Ref(Message), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req) => chat.editMessage(req.params.id, req.params.message_id, req.body.content),
  );

  app.delete(
    '/api/chat/conversations/:id/messages/:message_id',
    {
      schema: {
        tags,
        summary: 'Delete a message',
        params: MessageParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (req, reply) => {
      await chat.deleteMessage(req.params.id, req.params.message_id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/chat/send',
    {
      schema: {
        tags,
        summary: 'Send a message; the reply streams over the WebSocket',
        description:
          'The user message is stored before the 202. `client_message_id` makes the call idempotent for 24 hours ' +
          '(same body: the first answer, nothing new; different body: 409).',
        body: SendBody,
        response: { 202: SendAccepted, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req, reply) => {
      // The turn starts once the 202 is written (API.md order: 202 -> stream_start), and a few
      // milliseconds later still, so that the client reads the 202 before the first frame on its
      // other connection (the WebSocket) arrives. 'close' also fires when the response fails
      // midway, and the runner starts a deferred turn by itself after a while: a turn is never
      // left unstarted.
      const {
        done: _done,
        replayed: _replayed,
        start,
        ...accepted
      } = await chat.send(readSendBody(req.body), { deferStart: true });
      startAfterResponse(reply.raw, start);
      return reply.code(202).send(accepted);
    },
  );

  app.post(
    '/api/chat/stream',
    {
      schema: {
        tags,
        summary: 'Send a message and stream the reply as server-sent events',
        description:
          'One `data: <json>` line per event: `{conversation_id, message_id, user_message_id}`, `{token}`..., ' +
          '`{done: true, intent, usage}`, `{action_card}` for actions, `{error}` on failure, then `data: [DONE]`.',
        body: SendBody,
        produces: ['text/event-stream'],
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (req, reply) => {
      // Listen before the turn can start, so no frame is missed (see reply-stream.ts).
      const stream = createReplyStream(req.auth!.sessionId);
      const detach = hub.attach(stream.connection);
      const untrack = guard.track(stream.connection);
      let sent: Awaited<ReturnType<ChatService['send']>>;
      try {
        sent = await chat.send(readSendBody(req.body));
      } catch (err) {
        detach();
        untrack();
        throw err;
      }
      // The message is stored: from here every answer is a 200 stream, errors travel inside it.
      const id = sent.message_id;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const write = sseWriter(res);
      const finish = (last?: StreamCut) => {
        if (res.writableEnded) return;
        detach();
        untrack();
        if (last) write({ error: last });
        write('[DONE]');
        res.end();
      };
      try {
        write({
          conversation_id: sent.conversation_id,
          message_id: id,
          user_message_id: sent.user_message_id,
        });

        // Each chunk index and each closing frame once, whichever way it arrives.
        const seen = new Set<string>();
        const relay = (frame: ServerFrame) => {
          const line = sseLine(frame, id);
          if (!line) return;
          const key = frame.type === 'stream_chunk' ? `chunk:${frame.data.index}` : frame.type;
          if (seen.has(key)) return;
          seen.add(key);
          write(line);
        };

        if (sent.replayed) {
          // The same request again: what the first one streamed so far, then the rest live.
          const buffered = buffers.replay(id, 0);
          if (buffered) for (const frame of buffered) relay(frame);
          else {
            const stored = await chat.getMessage(id);
            if (stored && stored.status !== 'streaming') {
              if (stored.content) write({ token: stored.content });
              for (const frame of finishedReplyFrames(stored)) relay(frame);
            }
          }
        }
        // Cut short (a revoked session): the turn goes on and is stored, this client hears no
        // more (the stream forwards nothing after the cut, and the ended response takes no write).
        stream.open(relay, finish);

        // The turn completes (and is stored) even if the client is gone; then the stream closes.
        await sent.done;
      } catch (err) {
        // The response is already a stream: the error goes inside it, and it still ends.
        req.log.error({ err }, 'the reply stream failed');
        finish({ code: 'INTERNAL_ERROR', message: 'The reply stream failed' });
      } finally {
        finish();
      }
    },
  );

  app.post(
    '/api/chat/conversations/:id/regenerate',
    {
      schema: {
        tags,
        summary: 'Generate the text of a reply again (the old reply is deleted; actions are never re-run)',
        params: ConversationParams,
        body: RegenerateBody,
        response: { 202: SendAccepted, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req, reply) => {
      const {
        done: _done,
        start,
        ...accepted
      } = await chat.regenerate(req.params.id, req.body?.message_id, { deferStart: true });
      startAfterResponse(reply.raw, start); // as for send: 202 -> stream_start
      return reply.code(202).send(accepted);
    },
  );

  app.post(
    '/api/chat/messages/:message_id/stop',
    {
      schema: {
        tags,
        summary: 'Stop a reply that is still streaming; what it produced is kept',
        params: MessageIdParams,
        response: { 202: StopAccepted, ...errorResponses(401, 404) },
      },
    },
    async (req, reply) => reply.code(202).send(await chat.stop(req.params.message_id)),
  );
}

/**
 * Starts a deferred turn START_AFTER_202_MS after its response is written (or has failed), and
 * after one more poll of the event loop (setImmediate runs after it), so that even a client in
 * this very process has read the 202 before the turn's first frame is written.
 */
function startAfterResponse(res: ServerResponse, start: () => void): void {
  let timer: NodeJS.Timeout | undefined;
  const startSoon = () => {
    timer ??= setTimeout(() => setImmediate(start), START_AFTER_202_MS);
  };
  res.once('finish', startSoon);
  res.once('close', startSoon);
}

/** The SSE payload for one hub frame of reply `id`, or null when it is not part of that reply. */
function sseLine(frame: ServerFrame, id: string): Record<string, unknown> | null {
  if (replyIdOf(frame) !== id) return null;
  switch (frame.type) {
    case 'stream_chunk':
      return { token: frame.data.content };
    case 'stream_end':
      return { done: true, intent: frame.data.intent, usage: frame.data.usage };
    case 'action_card':
      return { action_card: frame.data };
    case 'error':
      return { error: { code: frame.data.code, message: frame.data.message } };
    case 'stream_start':
    case 'notification':
    case 'module_data_changed':
    case 'conversation_updated':
    case 'message_created':
    case 'message_updated':
    case 'message_deleted':
    case 'agent_task_updated':
    case 'typing':
    case 'pong':
    case 'reminder':
    case 'daily_briefing':
    case 'task_progress':
    case 'task_completed':
    case 'task_failed':
    case 'stream_error':
      return null;
  }
}

/** Writes `data: ...` events until `[DONE]`; nothing after it, and nothing to a closed socket. */
function sseWriter(res: ServerResponse): (payload: Record<string, unknown> | '[DONE]') => void {
  let finished = false;
  return (payload) => {
    if (finished || res.writableEnded || res.destroyed) return;
    if (payload === '[DONE]') finished = true;
    res.write(`data: ${payload === '[DONE]' ? payload : JSON.stringify(payload)}\n\n`);
  };
}
