/**
 * One SSE reply stream (`POST /api/chat/stream`) as a live connection of its session. It is
 * attached to the hub before the turn starts, so no frame is missed: frames that arrive before
 * the response is open wait, then go out in order. A revoked session ends it like a socket (the
 * hub's `closeSession` at once, the session guard's periodic check otherwise); so does the hub
 * closing at shutdown. After that it relays nothing more.
 */
import type { ErrorCode } from '../../lib/errors.js';
import type { ServerFrame } from '../../realtime/frames.js';
import { CLOSE_UNAUTHORIZED, type HubConnection } from '../../realtime/hub.js';
import type { GuardedConnection } from '../../realtime/session-guard.js';

/** Why a stream was cut short: the error it tells its client last. */
export interface StreamCut {
  code: ErrorCode;
  message: string;
}

export interface ReplyStream {
  /** What the hub and the session guard hold. */
  readonly connection: HubConnection & GuardedConnection;
  /**
   * Sends the waiting frames to `relay`, then every later one as it comes; `cut` runs once if
   * the stream is ended early (at once if it already was).
   */
  open(relay: (frame: ServerFrame) => void, cut: (why: StreamCut) => void): void;
}

export function createReplyStream(sessionId: string): ReplyStream {
  const waiting: ServerFrame[] = [];
  let forward: ((frame: ServerFrame) => void) | null = null;
  let onCut: ((why: StreamCut) => void) | null = null;
  let cutBy: StreamCut | null = null;

  function cut(why: StreamCut): void {
    if (cutBy) return;
    cutBy = why;
    onCut?.(why);
  }

  const connection: HubConnection & GuardedConnection = {
    kind: 'stream',
    sessionId,
    revoked: false,
    send(frame) {
      if (cutBy) return;
      if (forward) forward(frame);
      else waiting.push(frame);
    },
    close(code, reason) {
      cut(
        code === CLOSE_UNAUTHORIZED
          ? { code: 'UNAUTHORIZED', message: reason }
          : { code: 'INTERNAL_ERROR', message: reason },
      );
    },
    onRevoked(reason) {
      cut({ code: 'UNAUTHORIZED', message: reason });
    },
  };

  return {
    connection,
    open(relay, onCutNow) {
      onCut = onCutNow;
      if (cutBy) {
        onCutNow(cutBy);
        return;
      }
      for (const frame of waiting.splice(0)) relay(frame);
      forward = relay;
    },
  };
}
