/**
 * REDIS_URL: several instances acting as one (BEHAVIOUR.md "Scale-out"). One Redis channel
 * carries, from every instance to every other:
 * - every hub event (`publish`), the typing relay, and session revocation (closing sockets);
 * - signals: `stop` of a streaming reply, the abort of a deleted conversation's turns, the
 *   cancellation of an agent task (each acted on by whichever instance runs the work);
 * - domain events (domain-events.ts): an item or the settings changed.
 * Each instance delivers its own events to its own sockets at once, without a round trip, and
 * ignores its own messages when they come back from Redis. Messages of one instance arrive
 * everywhere in the order it sent them (one connection, one channel).
 *
 * The frames of streamed replies are also appended to a Redis list per reply, kept 10 minutes
 * after its last frame (BEHAVIOUR.md asks 5 after the end), so `resume` works on an instance
 * that never saw them (`resumeStore`). The list entry and the event go out in one MULTI, so an
 * instance that hears the event finds the frame in the list.
 *
 * Keys and the channel start with REDIS_KEY_PREFIX, so deployments (or test runs) sharing one
 * Redis never meet. The login throttle and idempotency keys need no Redis: they are rows in the
 * shared database.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Redis as RedisClient } from 'ioredis';
import type { CancelChannel } from '../modules/agent-tasks/worker.js';
import { frameOf, replyIdOf, type ServerEventType, type ServerEvents, type ServerFrame } from './frames.js';
import type { DomainEvent, DomainListener, DomainRemote } from './domain-events.js';
import { createLocalHub, type Hub, type HubConnection } from './hub.js';
import { RESUME_RETENTION_MS, type ResumeStore } from './stream-buffers.js';
import type { Logger } from '../lib/logger.js';

/** Work that the instance running it must stop, wherever the request came in. */
export type SignalName = 'chat.stop' | 'chat.abort_conversation' | 'agent_task.cancel';

type Envelope =
  | { o: string; t: 'frame'; f: ServerFrame }
  | { o: string; t: 'relay'; f: ServerFrame }
  | { o: string; t: 'close_session'; s: string; r: string }
  | { o: string; t: 'signal'; n: SignalName; id: string }
  | { o: string; t: 'domain'; e: DomainEvent };

export interface RedisBus {
  /** The hub every service publishes through; fans out to every instance. */
  hub: Hub;
  /** Replies streamed on any instance, for `resume` (StreamBuffers' store). */
  resumeStore: ResumeStore;
  /** Agent-task cancellation reaching whichever instance runs the task. */
  cancels: CancelChannel;
  /** Tells the other instances (not this one) to act on `id`. */
  signal(name: SignalName, id: string): void;
  /** Runs `listener` for signals from other instances; returns the unsubscribe function. */
  onSignal(name: SignalName, listener: (id: string) => void): () => void;
  /** Domain events to and from the other instances (domain-events.ts). */
  domain: DomainRemote;
  /** Both connections are up (health). */
  healthy(): boolean;
  readonly instanceId: string;
  close(): Promise<void>;
}

export interface RedisBusOptions {
  url: string;
  /** REDIS_KEY_PREFIX. */
  prefix: string;
  log?: Logger;
  /** How long a reply's frames stay in Redis after its last one. Default 10 minutes. */
  resumeTtlMs?: number;
  /** How long to wait for Redis at start-up before giving up. Default 10 s. */
  connectTimeoutMs?: number;
}

/** The frames `resume` replays: a reply's start, chunks and closing frames. */
function resumeKeyOf(frame: ServerFrame): string | null {
  if (!['stream_start', 'stream_chunk', 'stream_end', 'action_card', 'error'].includes(frame.type))
    return null;
  return replyIdOf(frame);
}

/** A connection that never sends, so `relay` from another instance reaches every local socket. */
const NOBODY: HubConnection = {
  kind: 'socket',
  sessionId: '',
  send: () => undefined,
  close: () => undefined,
};

export async function createRedisBus(opts: RedisBusOptions): Promise<RedisBus> {
  const instanceId = `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const channel = `${opts.prefix}events`;
  const resumeKey = (messageId: string) => `${opts.prefix}resume:${messageId}`;
  const ttl = opts.resumeTtlMs ?? 2 * RESUME_RETENTION_MS;
  const local = createLocalHub();
  const signals = new Map<SignalName, Set<(id: string) => void>>();
  const domainListeners = new Set<DomainListener>();
  const cancelListeners = new Set<(taskId: string) => void>();
  let closed = false;

  // ioredis is loaded only with REDIS_URL: a single instance starts without it (start-up time).
  const { Redis } = await import('ioredis');
  const connection = (role: string): RedisClient => {
    const redis = new Redis(opts.url, {
      lazyConnect: true,
      connectionName: `clawchat-${role}-${instanceId}`,
      // Reconnect for ever, a little slower each time; commands wait for the connection.
      retryStrategy: (times) => (closed ? null : Math.min(times * 200, 5_000)),
    });
    let lastError = '';
    redis.on('error', (err: Error) => {
      if (err.message === lastError) return; // once per outage, not once per retry
      lastError = err.message;
      opts.log?.warn({ err, role }, 'Redis connection error');
    });
    redis.on('ready', () => (lastError = ''));
    return redis;
  };
  const pub = connection('pub');
  const sub = connection('sub');

  function send(envelope: Envelope): void {
    const payload = JSON.stringify(envelope);
    const frame = envelope.t === 'frame' ? envelope.f : null;
    const key = frame ? resumeKeyOf(frame) : null;
    const done =
      key === null
        ? pub.publish(channel, payload)
        : pub
            .multi()
            .rpush(resumeKey(key), JSON.stringify(frame))
            .pexpire(resumeKey(key), ttl)
            .publish(channel, payload)
            .exec();
    done.catch((err: unknown) => opts.log?.warn({ err, type: envelope.t }, 'could not publish to Redis'));
  }

  function receive(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (envelope.o === instanceId) return; // delivered locally already
    switch (envelope.t) {
      case 'frame':
        local.publish(envelope.f.type, envelope.f.data);
        return;
      case 'relay':
        local.relay(envelope.f, NOBODY);
        return;
      case 'close_session':
        local.closeSession(envelope.s, envelope.r);
        return;
      case 'signal':
        for (const listener of signals.get(envelope.n) ?? []) {
          try {
            listener(envelope.id);
          } catch (err) {
            opts.log?.error({ err, signal: envelope.n }, 'signal listener failed');
          }
        }
        return;
      case 'domain':
        for (const listener of domainListeners) listener(envelope.e);
        return;
      default:
        return;
    }
  }

  sub.on('message', (from: string, payload: string) => {
    if (from === channel) receive(payload);
  });

  // Subscribed before the first request is served, so no event of another instance is missed.
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([pub.connect(), sub.connect().then(() => sub.subscribe(channel))]),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    closed = true;
    pub.disconnect();
    sub.disconnect();
    throw new Error(
      `Redis at ${opts.url.replace(/\/\/[^@/]*@/, '//***@')} is unreachable: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  } finally {
    clearTimeout(timer);
  }

  const hub: Hub = {
    publish<K extends ServerEventType>(type: K, data: ServerEvents[K]) {
      local.publish(type, data);
      send({ o: instanceId, t: 'frame', f: frameOf(type, data) });
    },
    subscribe: (listener) => local.subscribe(listener),
    attach: (connection) => local.attach(connection),
    relay(frame, from) {
      local.relay(frame, from);
      send({ o: instanceId, t: 'relay', f: frame });
    },
    closeSession(sessionId, reason) {
      local.closeSession(sessionId, reason);
      send({ o: instanceId, t: 'close_session', s: sessionId, r: reason });
    },
    connectionCount: (sessionId) => local.connectionCount(sessionId),
    close: () => local.close(),
  };

  const bus: RedisBus = {
    hub,
    instanceId,
    resumeStore: {
      async load(messageId) {
        const items = await pub.lrange(resumeKey(messageId), 0, -1);
        const frames: ServerFrame[] = [];
        for (const item of items) {
          try {
            frames.push(JSON.parse(item) as ServerFrame);
          } catch {
            // not ours
          }
        }
        return frames;
      },
    },
    cancels: {
      publish(taskId) {
        for (const listener of cancelListeners) listener(taskId);
        bus.signal('agent_task.cancel', taskId);
      },
      subscribe(listener) {
        cancelListeners.add(listener);
        return () => cancelListeners.delete(listener);
      },
    },
    signal(name, id) {
      send({ o: instanceId, t: 'signal', n: name, id });
    },
    domain: {
      send: (event) => send({ o: instanceId, t: 'domain', e: event }),
      onReceive: (listener) => void domainListeners.add(listener),
    },
    onSignal(name, listener) {
      const set = signals.get(name) ?? new Set();
      set.add(listener);
      signals.set(name, set);
      return () => set.delete(listener);
    },
    healthy: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      if (closed) return;
      closed = true;
      await local.close();
      // Commands already sent (the last frames) are flushed before the connection closes.
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
  bus.onSignal('agent_task.cancel', (taskId) => {
    for (const listener of cancelListeners) listener(taskId);
  });
  return bus;
}
