/**
 * SQLite's search index stops following a reply while it streams. Its text is saved several
 * times a second (stream checkpoints), and each save re-indexed the message in both FTS5 tables,
 * whose segment merges then ran inside those writes. The index now takes a message's text once
 * it stops streaming (complete, stopped, failed, or marked failed after a crash). PostgreSQL
 * is unchanged.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

// A frozen copy of what 0002 indexes for a message (a migration never imports another's code).
/** Unicode ranges of scripts written without spaces between words (0002's). */
const SUBSTRING_SCRIPT_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0e00, 0x0eff], // Thai, Lao
  [0x1000, 0x109f], // Myanmar
  [0x1100, 0x11ff], // Hangul Jamo
  [0x1780, 0x17ff], // Khmer
  [0x3040, 0x30ff], // Hiragana, Katakana
  [0x3130, 0x318f], // Hangul compatibility Jamo
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7af], // Hangul syllables
  [0xd7b0, 0xd7ff], // Hangul Jamo extended B
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xff66, 0xff9f], // half-width Katakana
  [0x20000, 0x2ffff], // CJK extensions B-F, compatibility supplement
];

const GLOB = `'*[${SUBSTRING_SCRIPT_RANGES.map(([a, b]) => `${String.fromCodePoint(a)}-${String.fromCodePoint(b)}`).join('')}]*'`;

/** A trigger body that indexes the `new` message again (0002's `reindexNewRowSql` for messages). */
function reindexNewMessageSql(): string {
  const docId = `(select id from search_docs where type = 'message' and item_id = new.id)`;
  const cols = `'', new.content, ''`;
  return [
    `delete from search_fts where rowid = ${docId};`,
    `delete from search_trigram where rowid = ${docId};`,
    `insert into search_fts (rowid, title, body, extra) values (${docId}, ${cols});`,
    `insert into search_trigram (rowid, title, body, extra) select ${docId}, ${cols} where ('' || ' ' || new.content || ' ' || '') glob ${GLOB};`,
  ].join('\n');
}

export function quietStreaming(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'sqlite') return;
      await sql`drop trigger messages_search_update`.execute(db);
      await sql
        .raw(
          `create trigger messages_search_update after update of content, status on messages
           when new.status <> 'streaming' and (new.content is not old.content or old.status = 'streaming')
           begin ${reindexNewMessageSql()} end`,
        )
        .execute(db);
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'sqlite') return;
      await sql`drop trigger messages_search_update`.execute(db);
      await sql
        .raw(
          `create trigger messages_search_update after update of content on messages
           when new.content is not old.content begin ${reindexNewMessageSql()} end`,
        )
        .execute(db);
    },
  };
}
