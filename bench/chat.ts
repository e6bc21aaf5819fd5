/**
 * Chat streaming: N concurrent conversations ("users") each sending turns back to back with
 * `POST /api/chat/send`, the fake provider (its own process) streaming every reply at a set
 * rate, and the owner's WebSockets receiving the frames. Measured per chunk: the provider's
 * write of chunk i -> the first `stream_chunk` frame that completes chunk i's text on a socket
 * (both on CLOCK_MONOTONIC, so the two processes' timestamps compare). Also: chunks lost (any
 * provider text that never arrived, indices not 0,1,2..., text that differs), failed turns,
 * and the server's CPU and RSS.
 *
 * ClawChat has one owner and every socket receives every frame, so N users each with their own
 * socket would be N x N frames, a load no single-owner deployment sees. The N streams are
 * observed on the owner's two devices (two sockets) instead; `sockets.ts` covers many sockets.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Manifest } from './generate.js';
import { log, mapLimit, nowMs, round, sleep, summarise, waitIdle, watchProc, type Mode } from './lib.js';
import { chunkText, type ProviderHandle } from './provider.js';
import { api, type ServerHandle } from './server.js';

/** The provider's pace: 20 chunks a second (a small local model), 40 chunks (2 s) per reply. */
export const CHUNK_INTERVAL_MS = 50;
export const CHUNKS_PER_REPLY = 40;
const OBSERVERS = 2;
const THINK_MS = 300;
/** Sends go over at most this many keep-alive connections (the owner's few clients), not one per user. */
const SEND_CONNECTIONS = 64;

/** `POST /api/chat/send` over a pooled keep-alive agent: status and parsed body, or an error after `timeoutMs`. */
function send(
  server: ServerHandle,
  agent: http.Agent,
  body: unknown,
  timeoutMs: number,
): Promise<{ status: number; json: { message_id?: string } }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      `${server.url}/api/chat/send`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${server.token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(Buffer.concat(parts).toString('utf8')) as { message_id?: string },
            });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    // From the call, waiting for a pooled connection included.
    const timer = setTimeout(
      () => req.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })),
      timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Users per level, seconds per level, and how long a turn may take before it counts as failed. */
const LEVELS: Record<Mode, { users: number[]; seconds: number; turnTimeout: number }> = {
  full: { users: [1, 100, 1000], seconds: 30, turnTimeout: 60 },
  quick: { users: [1, 100, 1000], seconds: 4, turnTimeout: 20 },
  // The smoke run: one level is enough to show a turn streams end to end.
  smoke: { users: [10], seconds: 1, turnTimeout: 10 },
};

export interface ChatLevel {
  users: number;
  sockets: number;
  seconds: number;
  turns: number;
  failedTurns: number;
  /** Why turns failed: `http <status>`, `error <code>` (an error frame), `no stream_end in <timeout> s`, `send failed (...)`. */
  failures: Record<string, number>;
  /** Mean streams in flight while the level ran. */
  concurrentStreams: number;
  firstChunk: { n: number; p50: number; p99: number; max: number };
  laterChunks: { n: number; p50: number; p99: number; max: number };
  chunksExpected: number;
  chunksLost: number;
  /** Frames with an index out of sequence, or text that differs from what the provider sent. */
  badFrames: number;
  /** Replies without a stream_end when the level ended (failed turns): not judged for losses. */
  unfinished: number;
  serverCpu: number;
  serverRssMiB: number;
  /** The driver's own event-loop delay p99 (ms): part of every measured latency is this. */
  driverLoopDelayP99: number;
}

interface Observed {
  arrivals: number[];
  /** Characters received through each frame. */
  cum: number[];
  text: string;
  nextIndex: number;
  bad: number;
  ended: boolean;
  /** The code of an `error` frame for this reply, if one came. */
  error: string | null;
}

/** One of the owner's devices: records the stream frames of every reply. */
async function observer(server: ServerHandle, onEnd: (messageId: string, error: string | null) => void) {
  const seen = new Map<string, Observed>();
  const ws = new WebSocket(`${server.wsUrl}/ws?token=${encodeURIComponent(server.token)}`, {
    perMessageDeflate: false,
  });
  const of = (id: string): Observed => {
    let o = seen.get(id);
    if (!o) {
      o = { arrivals: [], cum: [], text: '', nextIndex: 0, bad: 0, ended: false, error: null };
      seen.set(id, o);
    }
    return o;
  };
  ws.on('message', (raw: Buffer) => {
    const at = nowMs();
    const frame = JSON.parse(raw.toString('utf8')) as {
      type: string;
      data: { message_id?: string; content?: string; index?: number; code?: string };
    };
    const id = frame.data?.message_id;
    if (typeof id !== 'string') return;
    if (frame.type === 'stream_chunk') {
      const o = of(id);
      if (frame.data.index !== o.nextIndex) o.bad += 1;
      o.nextIndex = (frame.data.index ?? o.nextIndex) + 1;
      o.text += frame.data.content ?? '';
      o.arrivals.push(at);
      o.cum.push(o.text.length);
    } else if (frame.type === 'stream_end') {
      // A failed turn sends stream_end, then its error frame: wait for a moment for the latter.
      const o = of(id);
      o.ended = true;
      setTimeout(() => onEnd(id, o.error), 20);
    } else if (frame.type === 'error') {
      of(id).error = frame.data.code ?? 'unknown';
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // Authenticated once a ping is answered (a bad token is closed with 4001 instead).
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no pong from the WebSocket')), 10_000);
    const onMessage = (raw: Buffer) => {
      if ((JSON.parse(raw.toString('utf8')) as { type: string }).type === 'pong') {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve();
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => reject(new Error(`WebSocket closed (${code})`)));
    ws.send(JSON.stringify({ type: 'ping', data: {} }));
  });
  return { ws, seen, close: () => ws.close() };
}

/** The text through chunk i, as lengths: chunk i is complete once this many characters arrived. */
const EXPECTED_ENDS = (() => {
  const ends: number[] = [];
  let n = 0;
  for (let i = 0; i < CHUNKS_PER_REPLY; i++) ends.push((n += chunkText(i).length));
  return ends;
})();
const EXPECTED_TEXT = Array.from({ length: CHUNKS_PER_REPLY }, (_, i) => chunkText(i)).join('');

export async function conversationsFor(
  server: ServerHandle,
  manifest: Manifest,
  users: number,
): Promise<string[]> {
  const ids = manifest.sample.conversationIds.slice(0, users);
  const missing = users - ids.length;
  const created = await mapLimit(Array.from({ length: Math.max(0, missing) }), 20, async (_, i) => {
    const res = await api<{ id: string }>(server, 'POST', '/api/chat/conversations', {
      title: `Benchmark conversation ${i}`,
    });
    if (res.status !== 201) throw new Error(`creating a conversation: ${res.status} ${res.text}`);
    return res.json.id;
  });
  return [...ids, ...created];
}

export async function runLevel(
  server: ServerHandle,
  provider: ProviderHandle,
  conversations: string[],
  users: number,
  seconds: number,
  turnTimeout = 60,
): Promise<ChatLevel> {
  const waiting = new Map<string, (error: string | null) => void>();
  const endedEarly = new Map<string, string | null>();
  const onEnd = (id: string, error: string | null) => {
    const w = waiting.get(id);
    if (w) {
      waiting.delete(id);
      w(error);
    } else endedEarly.set(id, error);
  };
  const sockets = Math.min(OBSERVERS, users);
  const agent = new http.Agent({ keepAlive: true, maxSockets: SEND_CONNECTIONS });
  const observers = [await observer(server, onEnd)];
  for (let i = 1; i < sockets; i++) observers.push(await observer(server, () => {}));

  const turns: { messageId: string; key: string }[] = [];
  let failedTurns = 0;
  const failures: Record<string, number> = {};
  const fail = (why: string) => {
    failedTurns += 1;
    failures[why] = (failures[why] ?? 0) + 1;
  };
  let inFlight = 0;
  const concurrency: number[] = [];
  const streamSeconds = (CHUNKS_PER_REPLY * CHUNK_INTERVAL_MS) / 1000;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  await provider.timings(); // forget anything earlier
  const watch = watchProc(server.pid);
  loop.enable();
  const started = nowMs();
  const stopAt = started + seconds * 1000;
  const sampler = setInterval(() => concurrency.push(inFlight), 100);

  const user = async (u: number) => {
    // Staggered over one reply's length, so the streams do not march in step; every user sends
    // at least one turn.
    await sleep(Math.random() * Math.min(streamSeconds, seconds / 2) * 1000);
    for (let t = 0; t === 0 || nowMs() < stopAt; t++) {
      const key = `u${u}-t${t}-${Math.floor(started)}`;
      inFlight += 1;
      try {
        const res = await send(
          server,
          agent,
          {
            conversation_id: conversations[u],
            content: `[b:${key}] What is on my calendar for next week, and should I move anything?`,
          },
          turnTimeout * 1000,
        );
        if (res.status !== 202) {
          fail(`http ${res.status}`);
          await sleep(500);
          continue;
        }
        const messageId = res.json.message_id!;
        turns.push({ messageId, key });
        const error = endedEarly.has(messageId)
          ? endedEarly.get(messageId)!
          : await new Promise<string | null>((resolve) => {
              const timer = setTimeout(() => {
                waiting.delete(messageId);
                resolve(`no stream_end in ${turnTimeout} s`);
              }, turnTimeout * 1000);
              waiting.set(messageId, (e) => {
                clearTimeout(timer);
                resolve(e);
              });
            });
        if (error !== null) fail(error.includes(' ') ? error : `error ${error}`);
      } catch (err) {
        fail(`send failed (${(err as { code?: string }).code ?? (err as Error).message})`);
      } finally {
        inFlight -= 1;
      }
      await sleep(Math.random() * THINK_MS);
    }
  };
  await Promise.all(Array.from({ length: users }, (_, u) => user(u)));
  clearInterval(sampler);
  loop.disable();
  const proc = watch.stop();
  const elapsed = (nowMs() - started) / 1000;
  await sleep(300); // the second device's last frames
  const timings = await provider.timings();

  const first: number[] = [];
  const later: number[] = [];
  let expected = 0;
  let lost = 0;
  let bad = 0;
  let unfinished = 0;
  for (const { messageId, key } of turns) {
    const sent = timings[key];
    if (!sent) continue; // never reached the provider: counted as a failed turn
    // A reply still streaming when the driver gave up on it (a failed turn) is not judged: its
    // last chunks may yet be on their way. A finished one must be whole on every socket.
    if (!observers[0]!.seen.get(messageId)?.ended) {
      unfinished += 1;
      continue;
    }
    for (const { seen } of observers) {
      const o = seen.get(messageId);
      expected += sent.length;
      if (!o) {
        lost += sent.length;
        continue;
      }
      bad +=
        (o.ended ? 0 : 1) +
        o.bad +
        (o.ended && o.error === null && o.text !== EXPECTED_TEXT.slice(0, EXPECTED_ENDS[sent.length - 1])
          ? 1
          : 0);
      let j = 0;
      for (let i = 0; i < sent.length; i++) {
        while (j < o.cum.length && o.cum[j]! < EXPECTED_ENDS[i]!) j++;
        if (j === o.cum.length) {
          lost += sent.length - i;
          break;
        }
        (i === 0 ? first : later).push(o.arrivals[j]! - sent[i]!);
      }
    }
  }
  for (const o of observers) o.close();
  agent.destroy();
  const pick = (s: ReturnType<typeof summarise>) => ({
    n: s.n,
    p50: round(s.p50),
    p99: round(s.p99),
    max: round(s.max),
  });
  return {
    users,
    sockets,
    seconds: round(elapsed, 1),
    turns: turns.length,
    failedTurns,
    failures,
    concurrentStreams: round(concurrency.reduce((a, b) => a + b, 0) / Math.max(1, concurrency.length), 0),
    firstChunk: pick(summarise(first)),
    laterChunks: pick(summarise(later)),
    chunksExpected: expected,
    chunksLost: lost,
    badFrames: bad,
    unfinished,
    serverCpu: proc.cpuPercent,
    serverRssMiB: proc.rssMaxMiB,
    driverLoopDelayP99: round(loop.percentile(99) / 1e6),
  };
}

export interface ChatSection {
  chunkIntervalMs: number;
  chunksPerReply: number;
  levels: ChatLevel[];
}

export async function runChat(opts: {
  server: ServerHandle;
  provider: ProviderHandle;
  manifest: Manifest;
  mode: Mode;
}): Promise<ChatSection> {
  const { users, seconds, turnTimeout } = LEVELS[opts.mode];
  const conversations = await conversationsFor(opts.server, opts.manifest, Math.max(...users));
  const levels: ChatLevel[] = [];
  for (const n of users) {
    await waitIdle(opts.server.pid, 30, 15, opts.server.dbBusy);
    log(`chat: ${n} concurrent stream(s), ${seconds} s`);
    const level = await runLevel(opts.server, opts.provider, conversations, n, seconds, turnTimeout);
    levels.push(level);
    log(
      `chat: ${level.turns} turns, first chunk p99 ${level.firstChunk.p99} ms, later p99 ${level.laterChunks.p99} ms, lost ${level.chunksLost}`,
    );
  }
  return { chunkIntervalMs: CHUNK_INTERVAL_MS, chunksPerReply: CHUNKS_PER_REPLY, levels };
}
