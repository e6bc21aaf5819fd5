/**
 * The one WebSocket connection of this tab (API.md "WebSocket"): connects with the access
 * token in the query string (the only place a token travels in a URL), reconnects with
 * backoff, refreshes the token on close 4001, pings, and after a reconnect asks the server to
 * `resume` every reply still streaming from the first chunk index this tab has not seen.
 */
import { auth } from './auth';
import type { ClientFrame, FrameData, ServerFrame, ServerFrameType } from './frames';

type Handler<K extends ServerFrameType> = (data: FrameData<K>) => void;
type AnyHandler = (data: unknown) => void;

const handlers = new Map<ServerFrameType, Set<AnyHandler>>();
const openListeners = new Set<(state: SocketState) => void>();
/** Replies this tab is receiving: message id -> the next chunk index it expects. */
const resumable = new Map<string, () => number>();

export type SocketState = 'connecting' | 'open' | 'closed';

let ws: WebSocket | null = null;
let state: SocketState = 'closed';
let wanted = false;
let attempt = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let pinger: ReturnType<typeof setInterval> | null = null;
const outbox: ClientFrame[] = [];

function setState(s: SocketState): void {
  state = s;
  for (const l of openListeners) l(s);
}

function dispatch(frame: ServerFrame): void {
  const set = handlers.get(frame.type);
  if (set) for (const h of set) h(frame.data);
}

function connect(): void {
  if (!wanted || ws) return;
  const token = auth.token;
  if (!token) {
    void auth.refresh().then((t) => (t ? connect() : undefined));
    return;
  }
  setState('connecting');
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const sock = new WebSocket(`${proto}//${location.host}/ws?token=${encodeURIComponent(token)}`);
  ws = sock;
  sock.onopen = () => {
    attempt = 0;
    setState('open');
    for (const [messageId, next] of resumable)
      send({ type: 'resume', data: { message_id: messageId, from_index: next() } });
    while (outbox.length > 0 && sock.readyState === WebSocket.OPEN) sock.send(JSON.stringify(outbox.shift()));
    pinger = setInterval(() => send({ type: 'ping', data: {} }), 20_000);
  };
  sock.onmessage = (ev: MessageEvent<string>) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(ev.data) as ServerFrame;
    } catch {
      return;
    }
    dispatch(frame);
  };
  sock.onclose = (ev) => {
    if (pinger) clearInterval(pinger);
    pinger = null;
    ws = null;
    setState('closed');
    if (!wanted) return;
    if (ev.code === 4001) {
      // Expired or revoked token: a fresh one, or the session is over (auth signs out).
      void auth.refresh().then((t) => (t ? schedule(0) : undefined));
      return;
    }
    schedule(Math.min(10_000, 250 * 2 ** attempt++));
  };
}

function schedule(ms: number): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    connect();
  }, ms);
}

/** Sends a frame now, or as soon as the socket is open again. */
export function send(frame: ClientFrame): void {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  else if (frame.type !== 'ping' && frame.type !== 'typing') outbox.push(frame);
}

export const socket = {
  start(): void {
    wanted = true;
    connect();
  },
  stop(): void {
    wanted = false;
    outbox.length = 0;
    if (timer) clearTimeout(timer);
    ws?.close(1000);
  },
  /** Drops the connection as a network would (tests and "reconnect now"). */
  drop(): void {
    ws?.close(4000, 'dropped by client');
  },
  get state(): SocketState {
    return state;
  },
  on<K extends ServerFrameType>(type: K, handler: Handler<K>): () => void {
    let set = handlers.get(type);
    if (!set) handlers.set(type, (set = new Set()));
    set.add(handler as AnyHandler);
    return () => set.delete(handler as AnyHandler);
  },
  onState: (l: (s: SocketState) => void): (() => void) => {
    openListeners.add(l);
    return () => openListeners.delete(l);
  },
  /** While registered, a reconnect resumes this reply from `next()`. */
  track(messageId: string, next: () => number): void {
    resumable.set(messageId, next);
  },
  untrack(messageId: string): void {
    resumable.delete(messageId);
  },
  send,
};
