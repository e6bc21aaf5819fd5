/**
 * `GET /ws?token=<access token>` (API.md "WebSocket"). A socket is accepted, then checked: a
 * missing, bad or expired token closes it with 4001 and a reason. A good one is attached to
 * the hub and receives every event of the owner; it also speaks `ping`, `typing`, `resume`
 * and `action_response`. Sockets are pinged at least every 30 s and dropped when they stop
 * answering; a socket closes (4001) when its token expires or its session is revoked, however
 * and wherever that happened (see session-guard.ts).
 * The token never reaches a log line (see `redactToken`).
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { Clock } from '../lib/clock.js';
import { AppError, validationError, type ErrorCode } from '../lib/errors.js';
import type { AccessClaims, AuthService } from '../modules/auth/auth.service.js';
import type { ChatService } from '../modules/chat/chat.service.js';
import { finishedReplyFrames } from '../modules/chat/replay.js';
import type { ServerFrame } from './events.js';
import { CLOSE_UNAUTHORIZED, type Hub, type HubConnection } from './hub.js';
import type { GuardedConnection, SessionGuard } from './session-guard.js';
import type { StreamBuffers } from './stream-buffers.js';

export const DEFAULT_PING_INTERVAL_MS = 25_000;
/** The largest frame a client may send (1 MiB): a larger one gets an `error` frame, then 1009. */
const MAX_FRAME_BYTES = 1_048_576;
/**
 * What the `ws` library itself accepts. It closes with 1009 on a larger frame before we could
 * answer, so it is set above MAX_FRAME_BYTES: frames between the two get the `error` frame
 * first; only a frame over this bound is closed (1009) without one.
 */
const MAX_PAYLOAD_BYTES = 4 * MAX_FRAME_BYTES;
/** A socket this far behind is not reading: drop it rather than buffer without end. */
const MAX_BUFFERED_BYTES = 16 * 1_048_576;
const MAX_TIMER_MS = 2_147_483_647;
/**
 * Inbound frames per socket, a token bucket (DECISIONS "Input limits"): 20 a second, bursts of
 * 60. The first frame over it is dropped with a RATE_LIMITED `error` frame; after 20 more
 * dropped frames the socket is closed with CLOSE_RATE_LIMITED. A quiet socket refills in 3 s.
 */
const FRAME_RATE_PER_S = 20;
const FRAME_BURST = 60;
const FRAME_EXCESS_BEFORE_CLOSE = 20;
export const CLOSE_RATE_LIMITED = 4008;

function frameLimiter(): () => 'ok' | 'warn' | 'drop' | 'close' {
  let tokens = FRAME_BURST;
  let last = performance.now();
  let excess = 0;
  return () => {
    const now = performance.now();
    tokens = Math.min(FRAME_BURST, tokens + ((now - last) / 1000) * FRAME_RATE_PER_S);
    last = now;
    if (tokens >= FRAME_BURST) excess = 0;
    if (tokens >= 1) {
      tokens -= 1;
      return 'ok';
    }
    excess += 1;
    return excess === 1 ? 'warn' : excess > FRAME_EXCESS_BEFORE_CLOSE ? 'close' : 'drop';
  };
}

export interface WebsocketOptions {
  hub: Hub;
  auth: AuthService;
  chat: ChatService;
  buffers: StreamBuffers;
  clock: Clock;
  /** Server ping interval (at most 30 s in production; tests shorten it). */
  pingIntervalMs?: number;
  /** Ends a socket whose session was revoked where no event reached this instance. */
  guard: SessionGuard;
}

/** A URL with its `token` query parameter blanked, for logs (names compared decoded). */
export { redactUrl as redactToken } from '../plugins/redact.js';

interface Socket extends GuardedConnection {
  ws: WebSocket;
  alive: boolean;
  expiresAt: number;
  connection: HubConnection;
  /** Live frames waiting while a `resume` reads another instance's reply (REDIS_URL). */
  held: ServerFrame[] | null;
}

function sizeOf(raw: RawData): number {
  return Array.isArray(raw) ? raw.reduce((n, b) => n + b.byteLength, 0) : raw.byteLength;
}

function textOf(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.from(raw).toString('utf8');
}

function errorFrame(code: ErrorCode, message: string, messageId: string | null = null): ServerFrame<'error'> {
  return { type: 'error', data: { message_id: messageId, code, message } };
}

export async function websocketRoutes(app: FastifyInstance, opts: WebsocketOptions): Promise<void> {
  const { hub, auth, chat, buffers, clock, guard } = opts;
  const pingIntervalMs = Math.min(opts.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS, 30_000);
  const sockets = new Set<Socket>();
  // One serialisation per frame, however many sockets receive it.
  const encoded = new WeakMap<ServerFrame, string>();

  await app.register(websocket, { options: { maxPayload: MAX_PAYLOAD_BYTES } });

  function send(ws: WebSocket, frame: ServerFrame): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    let text = encoded.get(frame);
    if (text === undefined) {
      text = JSON.stringify(frame);
      encoded.set(frame, text);
    }
    ws.send(text);
  }

  function closeUnauthorized(ws: WebSocket, reason: string): void {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(CLOSE_UNAUTHORIZED, reason);
  }

  // Heartbeat: a ping per interval; no pong since the last one drops the socket. Token expiry
  // is checked here too, against the injected clock.
  const heartbeat = setInterval(() => {
    const now = clock.now().getTime();
    for (const s of sockets) {
      if (now >= s.expiresAt) {
        closeUnauthorized(s.ws, 'Token expired');
        continue;
      }
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      try {
        s.ws.ping();
      } catch {
        s.ws.terminate();
      }
    }
  }, pingIntervalMs);
  heartbeat.unref();
  app.addHook('onClose', async () => clearInterval(heartbeat));

  /**
   * `resume`: the chunks from `from_index`, then the closing frames of a finished reply.
   * `earlier` holds the live frames that arrived while the session was being checked: they
   * go out after the replay, never before it.
   */
  async function resume(s: Socket, data: Record<string, unknown>, earlier: ServerFrame[]): Promise<void> {
    const flushEarlier = () => {
      for (const frame of earlier.splice(0)) send(s.ws, frame);
    };
    const messageId = data.message_id;
    const from = data.from_index ?? 0;
    if (typeof messageId !== 'string' || typeof from !== 'number' || !Number.isInteger(from) || from < 0) {
      flushEarlier();
      send(s.ws, errorFrame('VALIDATION_ERROR', 'resume needs message_id and a from_index >= 0'));
      return;
    }
    // Synchronous from the buffer, so these come before any further live chunk.
    let replay = buffers.replay(messageId, from);
    if (!replay) {
      // Streamed on another instance (REDIS_URL): read from the shared store, holding this
      // socket's live frames meanwhile so that the replay still comes first.
      const held: ServerFrame[] = [];
      s.held = held;
      try {
        if (await buffers.load(messageId)) replay = buffers.replay(messageId, from);
      } finally {
        s.held = null;
        for (const frame of replay ?? []) send(s.ws, frame);
        flushEarlier();
        for (const frame of held) send(s.ws, frame);
      }
    } else {
      for (const frame of replay) send(s.ws, frame);
      flushEarlier();
    }
    if (replay) return;
    // Not buffered (any more): a finished reply is answered from storage.
    const stored = await chat.getMessage(messageId);
    if (!stored) {
      send(s.ws, errorFrame('NOT_FOUND', `Message ${messageId} not found`, messageId));
      return;
    }
    if (stored.status === 'streaming') return; // queued: its frames are still to come
    for (const frame of finishedReplyFrames(stored)) send(s.ws, frame);
  }

  /**
   * Reads the session back before a frame is acted on; live frames arriving meanwhile are
   * held (a `resume` must still answer before them) and dropped if the session is revoked.
   */
  async function admit(s: Socket): Promise<{ ok: boolean; earlier: ServerFrame[] }> {
    const earlier: ServerFrame[] = [];
    s.held = earlier;
    try {
      const ok = (await guard.admit(s)) && s.ws.readyState === s.ws.OPEN;
      return { ok, earlier };
    } finally {
      s.held = null;
    }
  }

  async function onFrame(s: Socket, raw: RawData): Promise<void> {
    const { ok, earlier } = await admit(s);
    if (!ok) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(textOf(raw));
      if ((parsed as { type?: unknown } | null)?.type !== 'resume')
        for (const frame of earlier.splice(0)) send(s.ws, frame);
    } catch {
      for (const frame of earlier.splice(0)) send(s.ws, frame);
      send(s.ws, errorFrame('VALIDATION_ERROR', 'Frames must be JSON: {"type": "...", "data": {...}}'));
      return;
    }
    if (
      parsed === null ||
      typeof parsed !== 'object' ||
      typeof (parsed as { type?: unknown }).type !== 'string'
    ) {
      send(s.ws, errorFrame('VALIDATION_ERROR', 'Frames must be JSON objects with a "type"'));
      return;
    }
    const { type } = parsed as { type: string };
    const rawData = (parsed as { data?: unknown }).data;
    const data = rawData !== null && typeof rawData === 'object' ? (rawData as Record<string, unknown>) : {};
    switch (type) {
      case 'ping':
        send(s.ws, { type: 'pong', data: {} });
        return;
      case 'typing':
        if (typeof data.conversation_id !== 'string' || typeof data.is_typing !== 'boolean') {
          send(s.ws, errorFrame('VALIDATION_ERROR', 'typing needs conversation_id and is_typing'));
          return;
        }
        hub.relay(
          { type: 'typing', data: { conversation_id: data.conversation_id, is_typing: data.is_typing } },
          s.connection,
        );
        return;
      case 'resume':
        await resume(s, data, earlier);
        return;
      case 'action_response': {
        const messageId = typeof data.message_id === 'string' ? data.message_id : null;
        try {
          await chat.respondToAction({
            message_id: messageId as string,
            action: data.action as string,
            params:
              data.params !== null && typeof data.params === 'object'
                ? (data.params as Record<string, unknown>)
                : undefined,
          });
        } catch (err) {
          const known = err instanceof AppError;
          if (!known) app.log.error({ err }, 'action_response failed');
          send(
            s.ws,
            errorFrame(
              known ? err.code : 'INTERNAL_ERROR',
              known ? err.message : 'The action could not be carried out',
              messageId,
            ),
          );
        }
        return;
      }
      default:
        send(s.ws, errorFrame('VALIDATION_ERROR', `Unknown frame type "${type.slice(0, 50)}"`));
    }
  }

  /** The token check, done before the handshake completes so an open socket is already attached. */
  const checked = new WeakMap<object, { claims: AccessClaims } | { reason: string }>();

  app.route({
    method: 'GET',
    url: '/ws',
    schema: { hide: true },
    // Never throws: a bad token is still accepted, then closed with 4001 (API.md).
    preValidation: async (req) => {
      const token = (req.query as { token?: unknown }).token;
      if (typeof token !== 'string' || token === '') {
        checked.set(req, { reason: 'Missing token' });
        return;
      }
      try {
        checked.set(req, { claims: await auth.authenticate(token) });
      } catch (err) {
        checked.set(req, { reason: err instanceof AppError ? err.message : 'Invalid token' });
      }
    },
    // A plain HTTP request (no upgrade) gets the error envelope like every other error.
    handler: async () => {
      throw validationError(
        'upgrade',
        'GET /ws needs a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)',
      );
    },
    wsHandler: (ws, req) => {
      const result = checked.get(req) ?? { reason: 'Invalid token' };
      if ('reason' in result) {
        closeUnauthorized(ws, result.reason);
        return;
      }
      const { claims } = result;
      const connection: HubConnection = {
        kind: 'socket',
        sessionId: claims.sessionId,
        send: (frame) => {
          if (s.revoked) return;
          if (s.held) s.held.push(frame);
          else send(ws, frame);
        },
        close: (code, reason) => {
          if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
        },
      };
      const s: Socket = {
        ws,
        alive: true,
        expiresAt: claims.expiresAt.getTime(),
        connection,
        held: null,
        sessionId: claims.sessionId,
        revoked: false,
        onRevoked: (reason) => {
          detach();
          closeUnauthorized(ws, reason);
        },
      };
      sockets.add(s);
      const detach = hub.attach(connection);
      const untrack = guard.track(s);

      let queue = Promise.resolve();
      const allowFrame = frameLimiter();
      ws.on('message', (raw) => {
        const verdict = allowFrame();
        if (verdict !== 'ok') {
          if (verdict === 'warn')
            send(
              ws,
              errorFrame(
                'RATE_LIMITED',
                `Too many frames: at most ${FRAME_RATE_PER_S} a second (bursts of ${FRAME_BURST}); frames over it are dropped`,
              ),
            );
          else if (verdict === 'close' && ws.readyState === ws.OPEN)
            ws.close(CLOSE_RATE_LIMITED, 'Too many frames');
          return;
        }
        if (sizeOf(raw) > MAX_FRAME_BYTES) {
          send(ws, errorFrame('VALIDATION_ERROR', `Frames may be at most ${MAX_FRAME_BYTES} bytes`));
          ws.close(1009, 'Frame too large');
          return;
        }
        // One at a time, in arrival order (a resume must not overtake the frame before it).
        queue = queue
          .then(() => onFrame(s, raw))
          .catch((err: unknown) => app.log.error({ err }, 'websocket frame failed'));
      });
      ws.on('pong', () => {
        s.alive = true;
      });
      ws.on('error', () => ws.terminate());

      // Closed (4001) when the token expires; the heartbeat checks too, against the clock.
      let expiry: NodeJS.Timeout | undefined;
      const armExpiry = () => {
        const left = s.expiresAt - clock.now().getTime();
        if (left <= 0) return closeUnauthorized(ws, 'Token expired');
        expiry = setTimeout(armExpiry, Math.min(left, MAX_TIMER_MS));
        expiry.unref();
      };
      armExpiry();

      ws.on('close', () => {
        sockets.delete(s);
        detach();
        untrack();
        clearTimeout(expiry);
      });
    },
  });
}
