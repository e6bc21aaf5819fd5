/**
 * The owner's console (`/api/admin/*`): an `activity` log of notable events (logins, failed
 * logins, revoked sessions, job runs, server errors), kept to the newest ~1,000 rows by its
 * writer, and the User-Agent a session logged in with, so the console can name its devices.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { autoIncrementKey } from './frozen/schema.js';

export function activityLog(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('activity')
        .addColumn('id', ...autoIncrementKey(dialect))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('sessions').dropColumn('user_agent').execute();
      await db.schema.dropTable('activity').ifExists().execute();
    },
  };
}
