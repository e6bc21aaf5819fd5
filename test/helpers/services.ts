/**
 * PostgreSQL and Redis for tests: where they are, whether they answer, and throwaway databases.
 *
 * - `CLAWCHAT_TEST_PG_URL` (default postgres://postgres@127.0.0.1:5432/test): a database on the
 *   server tests may connect to in order to create and drop their own databases.
 * - `CLAWCHAT_TEST_REDIS_URL` (default redis://127.0.0.1:6379).
 * - `CLAWCHAT_REQUIRE_SERVICES=1` (CI): an unreachable service fails the run instead of
 *   skipping the suites that need it.
 *
 * Every database and Redis key prefix made here carries the process id and a random suffix,
 * so concurrent runs on one machine never meet.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createDatabase } from '../../src/db/database.js';

export const TEST_PG_URL = process.env.CLAWCHAT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.CLAWCHAT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type ServiceName = 'postgres' | 'redis';

export const servicesRequired = (): boolean => process.env.CLAWCHAT_REQUIRE_SERVICES === '1';

/** A short random suffix for names (lowercase, valid in unquoted SQL identifiers). */
export function randomSuffix(bytes = 4): string {
  return crypto.randomBytes(bytes).toString('hex');
}

/** `url` with its database replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return `PostgreSQL at ${TEST_PG_URL} is unreachable (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(): Promise<string | null> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return `Redis at ${TEST_REDIS_URL} is unreachable (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    redis.disconnect();
  }
}

/**
 * Why a suite needing `services` cannot run here (printed), or null when they all answer. With
 * CLAWCHAT_REQUIRE_SERVICES=1 an unreachable service throws instead: CI never skips.
 */
export async function missingServices(services: ServiceName[], suite: string): Promise<string | null> {
  const reasons = (
    await Promise.all(services.map((s) => (s === 'postgres' ? probePostgres() : probeRedis())))
  ).filter((r): r is string => r !== null);
  if (reasons.length === 0) return null;
  const reason = `${suite}: skipped, ${reasons.join('; ')}`;
  if (servicesRequired()) throw new Error(`${reason} (CLAWCHAT_REQUIRE_SERVICES=1 forbids skipping)`);
  console.warn(reason);
  return reason;
}

/** Runs one statement on the admin connection (CREATE/DROP DATABASE cannot run in a transaction). */
export async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop: () => Promise<void>;
}

/**
 * A new database: a copy of `template` (already migrated), or an empty one migrated here.
 * Copies of one template may be made concurrently; a copy that finds the template busy retries.
 */
export async function createTestDatabase(
  opts: { name?: string; template?: string | null; migrate?: boolean } = {},
): Promise<TestDatabase> {
  const name = opts.name ?? `clawchat_t_${process.pid}_${randomSuffix()}`;
  const template = opts.template ? ` template "${opts.template}"` : '';
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`create database "${name}"${template}`);
      break;
    } catch (err) {
      // 55006: the template is being accessed by other users (a copy or a connection in flight).
      if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = withDatabase(TEST_PG_URL, name);
  if (!opts.template && opts.migrate !== false) {
    const database = await createDatabase({ kind: 'postgres', url });
    await database.close();
  }
  return { name, url, drop: () => dropTestDatabase(name) };
}

export async function dropTestDatabase(name: string): Promise<void> {
  await adminQuery(`drop database if exists "${name}" with (force)`);
}

/** Drops every database whose name starts with `prefix` (the end of a test run). */
export async function dropTestDatabases(prefix: string): Promise<number> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `select datname from pg_database where starts_with(datname, $1)`,
      [prefix],
    );
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
    return rows.length;
  } finally {
    await client.end();
  }
}

/** A Redis key prefix no other test server uses. */
export function uniqueRedisPrefix(): string {
  return `clawchat-test:${process.pid}:${randomSuffix()}:`;
}
