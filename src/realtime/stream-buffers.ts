/**
 * Resume buffers: every streamed reply's chunks and closing frames, kept in memory so a socket
 * that reconnects can ask for what it missed (`resume`). Filled from the hub's frames, so they
 * hold exactly what live sockets saw. Kept at least `retentionMs` (5 minutes) after the reply
 * ends. With REDIS_URL every instance records the frames of every instance (the hub relays
 * them), and a reply streamed before this instance heard of it is read from Redis (`store`,
 * filled by the Redis hub) with `load()`.
 */
import type { Clock } from '../lib/clock.js';
import { replyIdOf, type ServerFrame } from './frames.js';

export interface StreamBuffer {
  messageId: string;
  conversationId: string;
  chunks: Array<{ content: string; index: number }>;
  /** `stream_end`, then `action_card` and `error` if any, in the order they were sent. */
  endFrames: ServerFrame[];
  endedAt: number | null;
}

export interface StreamBuffers {
  /** The hub listener that fills the buffers. */
  record: (frame: ServerFrame) => void;
  get(messageId: string): StreamBuffer | undefined;
  /** The frames a `resume` gets: chunks from `fromIndex`, then the closing frames if it ended. */
  replay(messageId: string, fromIndex: number): ServerFrame[] | null;
  /**
   * Makes a reply streamed on another instance replayable here (from the shared store); false
   * when it is unknown. Frames arriving meanwhile are kept, each chunk and closing frame once.
   */
  load(messageId: string): Promise<boolean>;
  size(): number;
}

/** Where the frames of every instance's replies are kept (Redis, see realtime/redis-bus.ts). */
export interface ResumeStore {
  /** The frames recorded for a reply, in the order they were published; [] when unknown. */
  load(messageId: string): Promise<ServerFrame[]>;
}

export const RESUME_RETENTION_MS = 5 * 60_000;

export function createStreamBuffers(opts: {
  clock: Clock;
  retentionMs?: number;
  maxBuffers?: number;
  store?: ResumeStore;
}): StreamBuffers {
  const retention = opts.retentionMs ?? RESUME_RETENTION_MS;
  const maxBuffers = opts.maxBuffers ?? 2000;
  // Insertion-ordered: the oldest buffer is first.
  const buffers = new Map<string, StreamBuffer>();
  /** Replies being read from the store: frames for them that arrive meanwhile. */
  const loading = new Map<string, ServerFrame[]>();

  function prune(): void {
    const now = opts.clock.now().getTime();
    for (const [id, b] of buffers) {
      if (b.endedAt !== null && now - b.endedAt > retention) buffers.delete(id);
    }
    // A hard cap on memory: drop the oldest finished replies first.
    if (buffers.size <= maxBuffers) return;
    for (const [id, b] of buffers) {
      if (buffers.size <= maxBuffers) break;
      if (b.endedAt !== null) buffers.delete(id);
    }
  }

  function live(messageId: string): StreamBuffer | undefined {
    const b = buffers.get(messageId);
    if (b && b.endedAt !== null && opts.clock.now().getTime() - b.endedAt > retention) {
      buffers.delete(messageId);
      return undefined;
    }
    return b;
  }

  // Each frame counts once (a loaded reply may also arrive live): a start never resets a
  // buffer, a chunk index and a closing frame are kept once.
  function record(frame: ServerFrame): void {
    const id = replyIdOf(frame);
    if (id !== null && !buffers.has(id)) loading.get(id)?.push(frame);
    if (frame.type === 'stream_start') {
      const d = frame.data;
      if (buffers.has(d.message_id)) return;
      prune();
      buffers.set(d.message_id, {
        messageId: d.message_id,
        conversationId: d.conversation_id,
        chunks: [],
        endFrames: [],
        endedAt: null,
      });
    } else if (frame.type === 'stream_chunk') {
      const d = frame.data;
      const b = buffers.get(d.message_id);
      // Chunks come in index order: one at or below the last is a repeat.
      if (b && d.index > (b.chunks.at(-1)?.index ?? -1))
        b.chunks.push({ content: d.content, index: d.index });
    } else if (frame.type === 'stream_end') {
      const d = frame.data;
      const b = buffers.get(d.message_id);
      if (b && b.endedAt === null) {
        b.endFrames.push(frame);
        b.endedAt = opts.clock.now().getTime();
      }
    } else if (frame.type === 'message_deleted') {
      // A deleted reply is not resumed (its id answers NOT_FOUND from storage).
      buffers.delete(frame.data.id);
    } else if (frame.type === 'action_card' || frame.type === 'error') {
      // The closing frames that follow stream_end.
      const b = id !== null ? buffers.get(id) : undefined;
      const text = JSON.stringify(frame);
      if (b && b.endedAt !== null && !b.endFrames.some((f) => JSON.stringify(f) === text))
        b.endFrames.push(frame);
    }
  }

  return {
    record,
    async load(messageId) {
      if (live(messageId)) return true;
      if (!opts.store || loading.has(messageId)) return false;
      const meanwhile: ServerFrame[] = [];
      loading.set(messageId, meanwhile);
      let stored: ServerFrame[];
      try {
        stored = await opts.store.load(messageId);
      } finally {
        loading.delete(messageId);
      }
      for (const frame of [...stored, ...meanwhile]) record(frame);
      return live(messageId) !== undefined;
    },
    get: live,
    replay(messageId, fromIndex) {
      const b = live(messageId);
      if (!b) return null;
      const frames: ServerFrame[] = b.chunks
        .filter((c) => c.index >= fromIndex)
        .map((c) => ({
          type: 'stream_chunk',
          data: { message_id: messageId, content: c.content, index: c.index },
        }));
      return b.endedAt === null ? frames : [...frames, ...b.endFrames];
    },
    size: () => buffers.size,
  };
}
