/**
 * SQLite's search index stops following a reply while it streams. Its text is saved several
 * times a second (stream checkpoints), and each save re-indexed the message in both FTS5 tables,
 * whose segment merges then ran inside those writes. The index now takes a message's text once
 * it stops streaming (complete, stopped, failed, or marked failed after a crash). PostgreSQL
 * is unchanged.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { reindexNewRowSql, SOURCES } from './frozen/search-index-0002.js';

/** What 0002 indexes for a message: both versions of the trigger re-index it with 0002's SQL. */
const MESSAGE = SOURCES.find((s) => s.type === 'message')!;

export function quietStreaming(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'sqlite') return;
      await sql`drop trigger messages_search_update`.execute(db);
      await sql
        .raw(
          `create trigger messages_search_update after update of content, status on messages
           when new.status <> 'streaming' and (new.content is not old.content or old.status = 'streaming')
           begin ${reindexNewRowSql(MESSAGE)} end`,
        )
        .execute(db);
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'sqlite') return;
      await sql`drop trigger messages_search_update`.execute(db);
      await sql
        .raw(
          `create trigger messages_search_update after update of content on messages
           when new.content is not old.content begin ${reindexNewRowSql(MESSAGE)} end`,
        )
        .execute(db);
    },
  };
}
