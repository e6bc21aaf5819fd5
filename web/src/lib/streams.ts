/**
 * Streaming replies, outside the query cache: each token is appended to its own message's
 * entry and only that message's component re-renders (never the whole list). Chunks are
 * placed by `index`: a repeat (after `resume`) is dropped, a gap asks the server to resume.
 */
import { socket } from './socket';

interface Stream {
  text: string;
  next: number;
  /** The index a `resume` was last asked from (one request per gap, not one per chunk). */
  asked: number;
}

const streams = new Map<string, Stream>();
/** Kept apart from the streams: a message may render before its `stream_start` arrives. */
const listeners = new Map<string, Set<() => void>>();
const notify = (id: string) => listeners.get(id)?.forEach((l) => l());

/** Frame-arrival-to-paint times in ms (the benchmark and the tests read them). */
export const paintTimes: number[] = [];
(window as unknown as { __clawchatPaintTimes: number[] }).__clawchatPaintTimes = paintTimes;

function entry(id: string): Stream {
  let s = streams.get(id);
  if (!s) {
    s = { text: '', next: 0, asked: -1 };
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
    notify(id);
  },
  chunk(id: string, index: number, content: string): void {
    const known = streams.has(id);
    const s = entry(id);
    if (index < s.next) return;
    if (index > s.next) {
      // Joined mid-reply or missed chunks: the server re-sends from the first one we lack.
      if (!known) s.text = '';
      if (s.asked !== s.next) socket.send({ type: 'resume', data: { message_id: id, from_index: s.next } });
      s.asked = s.next;
      return;
    }
    const arrived = performance.now();
    s.text += content;
    s.next = index + 1;
    notify(id);
    requestAnimationFrame(() => {
      if (paintTimes.length >= 500) paintTimes.shift();
      paintTimes.push(performance.now() - arrived);
    });
  },
  end(id: string): void {
    streams.delete(id);
    socket.untrack(id);
    notify(id);
  },
  subscribe(id: string, l: () => void): () => void {
    let set = listeners.get(id);
    if (!set) listeners.set(id, (set = new Set()));
    set.add(l);
    return () => {
      set.delete(l);
      if (set.size === 0) listeners.delete(id);
    };
  },
};
