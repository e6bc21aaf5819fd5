/**
 * Streaming replies, outside the query cache: each token is appended to its own message's
 * entry and only that message's component re-renders (never the whole list). Chunks are
 * placed by `index`: a repeat (after `resume`) is dropped, a gap asks the server to resume.
 */
import { socket } from './socket';

interface Stream {
  text: string;
  next: number;
  listeners: Set<() => void>;
}

const streams = new Map<string, Stream>();

/** Frame-arrival-to-paint times in ms (the benchmark and the tests read them). */
export const paintTimes: number[] = [];
(window as unknown as { __clawchatPaintTimes: number[] }).__clawchatPaintTimes = paintTimes;

function entry(id: string): Stream {
  let s = streams.get(id);
  if (!s) {
    s = { text: '', next: 0, listeners: new Set() };
    streams.set(id, s);
    socket.track(id, () => streams.get(id)?.next ?? 0);
  }
  return s;
}

export const streamStore = {
  has: (id: string) => streams.has(id),
  text: (id: string) => streams.get(id)?.text ?? '',
  start(id: string): void {
    entry(id);
  },
  chunk(id: string, index: number, content: string): void {
    const known = streams.has(id);
    const s = entry(id);
    if (index < s.next) return;
    if (index > s.next) {
      // Joined mid-reply or missed chunks: the server re-sends from the first one we lack.
      if (!known) s.text = '';
      socket.send({ type: 'resume', data: { message_id: id, from_index: s.next } });
      return;
    }
    const arrived = performance.now();
    s.text += content;
    s.next = index + 1;
    for (const l of s.listeners) l();
    requestAnimationFrame(() => {
      if (paintTimes.length >= 500) paintTimes.shift();
      paintTimes.push(performance.now() - arrived);
    });
  },
  end(id: string): void {
    const s = streams.get(id);
    streams.delete(id);
    socket.untrack(id);
    if (s) for (const l of s.listeners) l();
  },
  subscribe(id: string, l: () => void): () => void {
    const s = streams.get(id);
    if (!s) return () => {};
    s.listeners.add(l);
    return () => s.listeners.delete(l);
  },
};
