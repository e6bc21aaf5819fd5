/**
 * The hub: one room (the single owner) of live connections. Services call
 * `hub.publish(type, data)` and never see sockets; transports subscribe to the frames.
 * Multi-instance fan-out (Redis) plugs in here, behind the same interface.
 */
import type { EventSink, ServerEventType, ServerEvents, ServerFrame } from './events.js';

export type FrameListener = (frame: ServerFrame) => void;

export interface Hub {
  publish: EventSink;
  /** Listens to every frame for the owner; returns the unsubscribe function. */
  subscribe(listener: FrameListener): () => void;
  close(): Promise<void>;
}

export function createLocalHub(): Hub {
  const listeners = new Set<FrameListener>();
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
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}
