/**
 * The hub: one room (the single owner) of live connections. Services call
 * `hub.publish(type, data)` and never see sockets; transports attach their connections here
 * (the WebSocket plugin) or subscribe to the frames (SSE, resume buffers). Multi-instance
 * fan-out (Redis) plugs in here, behind the same interface.
 */
import type { EventSink, ServerEventType, ServerEvents, ServerFrame } from './events.js';

export type FrameListener = (frame: ServerFrame) => void;

/** A live connection (a WebSocket, an SSE reply stream) as the hub sees it: where frames go, and how to end it. */
export interface HubConnection {
  /** A WebSocket, or the SSE stream of one reply (not counted as an open socket). */
  readonly kind: 'socket' | 'stream';
  /** The login session the connection authenticated with (closed when it is revoked). */
  readonly sessionId: string;
  send(frame: ServerFrame): void;
  close(code: number, reason: string): void;
}

/** Close code for a missing, bad, expired or revoked token (API.md "WebSocket"). */
export const CLOSE_UNAUTHORIZED = 4001;

export interface Hub {
  publish: EventSink;
  /** Listens to every frame for the owner; returns the unsubscribe function. */
  subscribe(listener: FrameListener): () => void;
  /** Adds a socket: every published frame reaches it until the returned function runs. */
  attach(connection: HubConnection): () => void;
  /** Sends a frame to every socket except `from` (typing indicators). */
  relay(frame: ServerFrame, from: HubConnection): void;
  /** Closes every connection of a session (logout, refresh-token reuse). */
  closeSession(sessionId: string, reason: string): void;
  /** Open WebSockets on this instance: all of them, or one session's (COMPAT.md "open sockets"). */
  connectionCount(sessionId?: string): number;
  close(): Promise<void>;
}

export function createLocalHub(): Hub {
  const listeners = new Set<FrameListener>();
  const connections = new Set<HubConnection>();

  function deliver(connection: HubConnection, frame: ServerFrame): void {
    try {
      connection.send(frame);
    } catch {
      // A dying socket must not stop delivery to the others; its close handler detaches it.
    }
  }

  return {
    publish<K extends ServerEventType>(type: K, data: ServerEvents[K]) {
      const frame = { type, data } as ServerFrame;
      for (const listener of listeners) {
        try {
          listener(frame);
        } catch {
          // One broken listener must not stop delivery to the others.
        }
      }
      for (const connection of connections) deliver(connection, frame);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    attach(connection) {
      connections.add(connection);
      return () => connections.delete(connection);
    },
    relay(frame, from) {
      for (const connection of connections) if (connection !== from) deliver(connection, frame);
    },
    closeSession(sessionId, reason) {
      for (const connection of [...connections]) {
        if (connection.sessionId !== sessionId) continue;
        connections.delete(connection);
        try {
          connection.close(CLOSE_UNAUTHORIZED, reason);
        } catch {
          // Already gone.
        }
      }
    },
    connectionCount: (sessionId) =>
      [...connections].filter(
        (c) => c.kind === 'socket' && (sessionId === undefined || c.sessionId === sessionId),
      ).length,
    async close() {
      listeners.clear();
      for (const connection of connections) {
        try {
          connection.close(1001, 'Server shutting down');
        } catch {
          // Already gone.
        }
      }
      connections.clear();
    },
  };
}
