/**
 * The production shape: two server processes (`src/server.ts`) on one PostgreSQL database and
 * one Redis, both with the scheduler on. A socket on one instance gets the turns of messages
 * sent to the other; each reminder is delivered exactly once; when the instance holding the
 * scheduler lock is killed (SIGKILL, no goodbye) the other takes the jobs over within one
 * interval, and nothing is lost or sent twice. Runs on the real clock (1 s scheduler interval).
 * Skips with a printed reason when PostgreSQL or Redis is unreachable (never in CI).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULER_LOCK_KEY } from '../../src/jobs/scheduler-lock.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { makeTempDir, TEST_PIN } from '../helpers/server.js';
import {
  createTestDatabase,
  missingServices,
  TEST_PG_URL,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  type TestDatabase,
} from '../helpers/services.js';
import { connectWs, types, type WsClient } from '../helpers/ws.js';
import { sleep, until as waitUntil } from '../helpers/wait.js';

const missing = await missingServices(
  ['postgres', 'redis'],
  'Multi-instance (processes on PostgreSQL + Redis)',
);

interface Instance {
  name: string;
  proc: ServerProcess;
  token: string;
  ws: WsClient;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
}

/** The shared poll, with this file's longer default wait (instances start and stop here). */
const until = <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000) =>
  waitUntil(read, ok, what, timeoutMs);

describe.skipIf(missing !== null)('several server processes acting as one', () => {
  let database: TestDatabase;
  const instances: Instance[] = [];
  const admin = new pg.Client({ connectionString: TEST_PG_URL });

  async function start(name: string, env: Record<string, string>): Promise<Instance> {
    const proc = await spawnServer({ ...env, DATA_DIR: makeTempDir() });
    const request: Instance['request'] = async (method, path, body) => {
      const res = await fetch(proc.url + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(instance.token ? { authorization: `Bearer ${instance.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
    const instance: Instance = { name, proc, token: '', ws: undefined as never, request };
    const login = await request('POST', '/api/auth/login', { pin: TEST_PIN });
    expect(login.status, `${name} login`).toBe(200);
    instance.token = login.json.access_token;
    instance.ws = await connectWs({ wsUrl: proc.url.replace('http', 'ws'), token: instance.token });
    return instance;
  }

  /** The pid of the process holding the scheduler lock (its lock connection names it). */
  async function lockHolderPid(): Promise<number | null> {
    const { rows } = await admin.query<{ name: string }>(
      `select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where l.locktype = 'advisory' and l.granted and l.objid = $1 and l.database = (select oid from pg_database where datname = $2)`,
      [SCHEDULER_LOCK_KEY, database.name],
    );
    const m = /:(\d+)$/.exec(rows[0]?.name ?? '');
    return m ? Number(m[1]) : null;
  }

  const notificationsFor = (i: Instance, itemId: string) =>
    i.ws.frames.filter((f) => f.type === 'notification' && f.data.item_id === itemId);

  /** An event whose reminder (1 minute ahead) is due `inMs` from now. */
  async function eventRemindedIn(via: Instance, title: string, inMs: number): Promise<string> {
    const res = await via.request('POST', '/api/events', {
      title,
      start_time: new Date(Date.now() + 60_000 + inMs).toISOString(),
      reminder_minutes: 1,
    });
    expect(res.status).toBe(201);
    return res.json.id as string;
  }

  beforeAll(async () => {
    await admin.connect();
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: uniqueRedisPrefix(),
      PIN: TEST_PIN,
      JWT_SECRET: 'multi-instance-test-secret-long-enough-for-hs256',
      AI_PROVIDER: 'none',
      TIMEZONE: 'UTC',
      RATE_LIMIT_PER_MINUTE: '0',
      ENABLE_SCHEDULER: 'true',
      ENABLE_BRIEFING: 'false',
      REMINDER_CHECK_INTERVAL: '1',
      LOG_LEVEL: 'warn',
    };
    instances.push(...(await Promise.all([start('A', env), start('B', env)])));
  }, 60_000);

  afterAll(async () => {
    for (const i of instances) {
      await i.ws?.close();
      if (i.proc.child.exitCode === null && i.proc.child.signalCode === null) await i.proc.stop();
    }
    await database?.drop();
    await admin.end();
  });

  it('sends a socket on A the whole streamed turn, and its card, of a message sent to B', async () => {
    const [a, b] = instances as [Instance, Instance];
    const sent = await b.request('POST', '/api/chat/send', { content: 'remind me to buy milk tomorrow' });
    expect(sent.status).toBe(202);
    const id = sent.json.message_id as string;
    const onB = await b.ws.turn(id);
    // A hears B's frames through Redis: wait for the last one B sent.
    const last = onB.at(-1)!;
    await a.ws.waitFor((f) => JSON.stringify(f) === JSON.stringify(last));
    // The same frames in the same order (the auto-title may follow on either, a little later).
    const onA = (await a.ws.turn(id)).slice(0, onB.length);
    expect(types(onA)).toEqual(types(onB));
    expect(onA).toEqual(onB);
    expect(types(onA).slice(0, 1)).toEqual(['stream_start']);
    expect(types(onA)).toEqual(
      expect.arrayContaining(['stream_chunk', 'stream_end', 'action_card', 'module_data_changed']),
    );
    expect(types(onA).indexOf('stream_end')).toBeLessThan(types(onA).indexOf('action_card'));
  });

  it('delivers a reminder exactly once with both instances running', async () => {
    const [a, b] = instances as [Instance, Instance];
    const holder = await until(lockHolderPid, (pid) => pid !== null, 'a scheduler lock holder');
    expect([a.proc.child.pid, b.proc.child.pid]).toContain(holder);
    const event = await eventRemindedIn(a, 'Standup', 1_500);
    await Promise.all(
      instances.map((i) => i.ws.waitForType('notification', (d) => d.item_id === event, 10_000)),
    );
    await sleep(2_500); // more than two scheduler intervals: nothing else may come
    for (const i of instances) expect(notificationsFor(i, event), i.name).toHaveLength(1);
    const listed = (await b.request('GET', '/api/notifications?limit=100')).json.items.filter(
      (n: { item_id: string }) => n.item_id === event,
    );
    expect(listed).toHaveLength(1);
  });

  it('hands the scheduler over within one interval when its holder is killed; nothing lost or doubled', async () => {
    const holderPid = await until(lockHolderPid, (pid) => pid !== null, 'a scheduler lock holder');
    const holder = instances.find((i) => i.proc.child.pid === holderPid)!;
    const survivor = instances.find((i) => i !== holder)!;
    // Due shortly after the kill: the holder will not live to see it.
    const event = await eventRemindedIn(survivor, 'Dentist', 2_500);
    await holder.proc.kill();
    const killedAt = Date.now();
    const taken = await until(
      lockHolderPid,
      (pid) => pid === survivor.proc.child.pid,
      'the survivor to take the lock',
      5_000,
    );
    expect(taken).toBe(survivor.proc.child.pid);
    // PostgreSQL drops the dead session's lock at once; the survivor's next tick (1 s) takes it.
    expect(Date.now() - killedAt).toBeLessThan(3_000);

    await survivor.ws.waitForType('notification', (d) => d.item_id === event, 10_000);
    await sleep(2_500);
    expect(notificationsFor(survivor, event)).toHaveLength(1);
    const all = (await survivor.request('GET', '/api/notifications?limit=100')).json.items as Array<{
      item_id: string;
    }>;
    expect(all.filter((n) => n.item_id === event)).toHaveLength(1);
    // The earlier reminder was not sent again by the new holder.
    const counts = new Map<string, number>();
    for (const n of all) counts.set(n.item_id, (counts.get(n.item_id) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(survivor.ws.frames.filter((f) => f.type === 'notification')).toHaveLength(all.length);
  });
});
