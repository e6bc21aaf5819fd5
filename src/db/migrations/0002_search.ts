/**
 * The search index (BEHAVIOUR.md "Search"). SQLite: one FTS5 table over todos, events, memos and
 * messages so bm25 scores are comparable across types, a trigram FTS5 table for substring
 * matches in scripts written without spaces (Korean, Japanese, Chinese, Thai...), and triggers
 * that keep both in step with every write, inside the writing transaction. PostgreSQL gets its
 * tsvector index in a later migration; until then its search runs the portable LIKE path.
 *
 * Layout:
 * - `search_docs` maps an item (type, item_id) to the integer rowid both FTS tables use, so a
 *   trigger finds an item's index rows by primary key instead of scanning an UNINDEXED column.
 *   It also carries what ranking and hits need without touching the item tables
 *   (`created_at` for "ties newest first", `conversation_id` for message hits).
 * - `search_fts(title, body, extra)`: unicode61 with diacritics removed; bm25 weights
 *   title > extra (tags, location) > body.
 * - `search_trigram(title, body, extra)`: the same text, only for rows that contain a
 *   character of such a script (the only rows a substring term can match), to keep it small.
 *
 * The statements live in frozen/search-index-0002.ts, shared with the later migrations that
 * rebuild or extend this index.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { runInTransaction, runStatements } from './frozen/schema.js';
import { dropSearchIndexStatements, searchIndexStatements } from './frozen/search-index-0002.js';

export function searchIndex(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      // PostgreSQL: nothing yet (its tsvector + GIN index comes with the PostgreSQL issue).
      if (dialect !== 'sqlite') return;
      // One transaction: a failure leaves no half-built index behind, and the backfill is fast.
      await runInTransaction(db, searchIndexStatements());
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'sqlite') return;
      await runStatements(db, dropSearchIndexStatements());
    },
  };
}
