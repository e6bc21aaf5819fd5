/**
 * A real WebSocket client for tests: connects to `/ws?token=`, records every frame, and waits
 * for the ones a test cares about. `settle()` sends a `ping` and waits for its `pong`: frames
 * on one socket arrive in order, so everything the server sent before it has arrived.
 */
import WebSocket from 'ws';
import type { TestServer } from './server.js';

export interface Frame {
  type: string;
  data: any;
}

export interface WsClient {
  ws: WebSocket;
  frames: Frame[];
  send(type: string, data?: unknown): void;
  sendRaw(text: string): void;
  waitFor(pred: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  waitForType(type: string, pred?: (data: any) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Every frame so far has arrived (ping -> pong round trip). */
  settle(): Promise<void>;
  /** The frames of one reply's turn, from its stream_start, once its stream_end arrived and settled. */
  turn(messageId: string, timeoutMs?: number): Promise<Frame[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export async function connectWs(
  server: Pick<TestServer, 'wsUrl' | 'token'>,
  token: string | null = server.token,
): Promise<WsClient> {
  const url = token === null ? `${server.wsUrl}/ws` : `${server.wsUrl}/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  const waiters = new Set<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }>();
  ws.on('message', (raw: Buffer) => {
    const frame = JSON.parse(raw.toString('utf8')) as Frame;
    frames.push(frame);
    for (const w of [...waiters]) {
      if (w.pred(frame)) {
        waiters.delete(w);
        w.resolve(frame);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  function waitFor(pred: (f: Frame) => boolean, timeoutMs = 8_000): Promise<Frame> {
    const seen = frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise<Frame>((resolve, reject) => {
      const waiter = { pred, resolve, from: frames.length };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`timed out waiting for a frame; got: ${frames.map((f) => f.type).join(', ')}`));
      }, timeoutMs);
      waiter.resolve = (f) => {
        clearTimeout(timer);
        resolve(f);
      };
      waiters.add(waiter);
    });
  }

  const client: WsClient = {
    ws,
    frames,
    send(type, data = {}) {
      ws.send(JSON.stringify({ type, data }));
    },
    sendRaw(text) {
      ws.send(text);
    },
    waitFor,
    waitForType(type, pred = () => true, timeoutMs) {
      return waitFor((f) => f.type === type && pred(f.data), timeoutMs);
    },
    async settle() {
      const before = frames.filter((f) => f.type === 'pong').length;
      client.send('ping');
      await waitFor(() => frames.filter((f) => f.type === 'pong').length >= before + 1);
    },
    async turn(messageId, timeoutMs) {
      await waitFor((f) => f.type === 'stream_end' && f.data.message_id === messageId, timeoutMs);
      await client.settle();
      const start = frames.findIndex((f) => f.type === 'stream_start' && f.data.message_id === messageId);
      return frames.slice(start).filter((f) => f.type !== 'pong');
    },
    closed,
    async close() {
      if (ws.readyState === ws.CLOSED) return;
      ws.close();
      await closed;
    },
  };
  return client;
}

/** The types of a list of frames, for order assertions. */
export const types = (frames: Frame[]) => frames.map((f) => f.type);
