/**
 * Resume buffers: every streamed reply's chunks and closing frames, kept in memory so a socket
 * that reconnects can ask for what it missed (`resume`). Filled from the hub's frames, so they
 * hold exactly what live sockets saw. Kept at least `retentionMs` (5 minutes) after the reply
 * ends; with REDIS_URL these would live in Redis behind the same interface.
 */
import type { Clock } from '../lib/clock.js';
import type { ServerFrame } from './events.js';

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
  record(frame: ServerFrame): void;
  get(messageId: string): StreamBuffer | undefined;
  /** The frames a `resume` gets: chunks from `fromIndex`, then the closing frames if it ended. */
  replay(messageId: string, fromIndex: number): ServerFrame[] | null;
  size(): number;
}

export const RESUME_RETENTION_MS = 5 * 60_000;

export function createStreamBuffers(opts: {
  clock: Clock;
  retentionMs?: number;
  maxBuffers?: number;
}): StreamBuffers {
  const retention = opts.retentionMs ?? RESUME_RETENTION_MS;
  const maxBuffers = opts.maxBuffers ?? 2000;
  // Insertion-ordered: the oldest buffer is first.
  const buffers = new Map<string, StreamBuffer>();

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

  return {
    record(frame) {
      if (frame.type === 'stream_start') {
        prune();
        const d = frame.data as ServerFrame<'stream_start'>['data'];
        buffers.set(d.message_id, {
          messageId: d.message_id,
          conversationId: d.conversation_id,
          chunks: [],
          endFrames: [],
          endedAt: null,
        });
      } else if (frame.type === 'stream_chunk') {
        const d = frame.data as ServerFrame<'stream_chunk'>['data'];
        buffers.get(d.message_id)?.chunks.push({ content: d.content, index: d.index });
      } else if (frame.type === 'stream_end') {
        const d = frame.data as ServerFrame<'stream_end'>['data'];
        const b = buffers.get(d.message_id);
        if (b) {
          b.endFrames.push(frame);
          b.endedAt = opts.clock.now().getTime();
        }
      } else if (frame.type === 'action_card' || frame.type === 'error') {
        // The closing frames that follow stream_end.
        const id = (frame.data as { message_id: string | null }).message_id;
        const b = id === null ? undefined : buffers.get(id);
        if (b && b.endedAt !== null) b.endFrames.push(frame);
      }
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
