/**
 * Vitest global setup. With `CLAWCHAT_TEST_DB=postgres` (`npm run test:pg`) the whole suite runs
 * on PostgreSQL: one migrated template database is made here, once per run, and every test
 * server gets its own copy of it (`CREATE DATABASE ... TEMPLATE`, see startTestServer). At the
 * end every database of this run is dropped. If PostgreSQL does not answer, the run falls back
 * to SQLite with a printed reason (CLAWCHAT_REQUIRE_SERVICES=1 makes that a failure).
 */
import type { TestProject } from 'vitest/node';
import { createTestDatabase, dropTestDatabases, missingServices, randomSuffix } from './services.js';

export interface PostgresRun {
  /** The migrated template every test database is copied from. */
  template: string;
  /** Every database of this run starts with it. */
  prefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set when the suite runs on PostgreSQL; null when it was asked for but is unreachable. */
    clawchatPostgres: PostgresRun | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.CLAWCHAT_TEST_DB !== 'postgres') return undefined;
  if (await missingServices(['postgres'], 'CLAWCHAT_TEST_DB=postgres (the suite runs on SQLite instead)')) {
    project.provide('clawchatPostgres', null);
    return undefined;
  }
  const prefix = `clawchat_t_${process.pid}_${randomSuffix(3)}_`;
  const template = await createTestDatabase({ name: `${prefix}template`, migrate: true });
  project.provide('clawchatPostgres', { template: template.name, prefix });
  return async () => {
    await dropTestDatabases(prefix);
  };
}
