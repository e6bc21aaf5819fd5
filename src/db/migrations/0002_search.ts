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
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

/** Unicode ranges of scripts written without spaces between words (as of this migration). */
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

/**
 * The indexed text of each type: (title, body, extra). `src` is `new`, `old` or a table alias.
 */
interface Source {
  table: 'todos' | 'events' | 'memos' | 'messages';
  type: 'todo' | 'event' | 'memo' | 'message';
  /** Columns whose change re-indexes the row. */
  watched: string[];
  title: (src: string) => string;
  body: (src: string) => string;
  extra: (src: string) => string;
  conversationId: (src: string) => string;
}

/** Tags are a JSON array; index them as words (a malformed value is indexed as it is). */
const tagsText = (src: string) =>
  `coalesce(case when json_valid(${src}.tags) then (select group_concat(value, ' ') from json_each(${src}.tags)) else ${src}.tags end, '')`;

const SOURCES: readonly Source[] = [
  {
    table: 'todos',
    type: 'todo',
    watched: ['title', 'description', 'tags'],
    title: (s) => `${s}.title`,
    body: (s) => `coalesce(${s}.description, '')`,
    extra: tagsText,
    conversationId: () => 'null',
  },
  {
    table: 'events',
    type: 'event',
    watched: ['title', 'description', 'location'],
    title: (s) => `${s}.title`,
    body: (s) => `coalesce(${s}.description, '')`,
    extra: (s) => `coalesce(${s}.location, '')`,
    conversationId: () => 'null',
  },
  {
    table: 'memos',
    type: 'memo',
    watched: ['title', 'content', 'tags'],
    title: (s) => `${s}.title`,
    body: (s) => `${s}.content`,
    extra: tagsText,
    conversationId: () => 'null',
  },
  {
    table: 'messages',
    type: 'message',
    watched: ['content'],
    title: () => `''`,
    body: (s) => `${s}.content`,
    extra: () => `''`,
    conversationId: (s) => `${s}.conversation_id`,
  },
];

/** A GLOB pattern matching text that contains a character of a substring script. */
function substringScriptGlob(): string {
  const cls = SUBSTRING_SCRIPT_RANGES.map(
    ([a, b]) => `${String.fromCodePoint(a)}-${String.fromCodePoint(b)}`,
  ).join('');
  return `'*[${cls}]*'`;
}

/** SQL pieces for one row of a source (`src` is `new`, `old` or a table alias). */
function rowSql(s: Source) {
  const glob = substringScriptGlob();
  const docId = (src: string) =>
    `(select id from search_docs where type = '${s.type}' and item_id = ${src}.id)`;
  const cols = (src: string) => `${s.title(src)}, ${s.body(src)}, ${s.extra(src)}`;
  const hasSubstringScript = (src: string) =>
    `(${s.title(src)} || ' ' || ${s.body(src)} || ' ' || ${s.extra(src)}) glob ${glob}`;
  const indexRow = (src: string) => [
    `insert into search_fts (rowid, title, body, extra) values (${docId(src)}, ${cols(src)});`,
    `insert into search_trigram (rowid, title, body, extra) select ${docId(src)}, ${cols(src)} where ${hasSubstringScript(src)};`,
  ];
  return { docId, cols, hasSubstringScript, indexRow };
}

/** A trigger body that indexes the `new` row of a source again. */
function reindexNewRowSql(s: Source): string {
  const { docId, indexRow } = rowSql(s);
  return [
    `delete from search_fts where rowid = ${docId('new')};`,
    `delete from search_trigram where rowid = ${docId('new')};`,
    ...indexRow('new'),
  ].join('\n');
}

function sqliteStatements(): string[] {
  const out: string[] = [
    `create table search_docs (
       id integer primary key,
       type text not null,
       item_id text not null,
       conversation_id text,
       created_at text not null,
       unique (type, item_id)
     )`,
    `create virtual table search_fts using fts5(title, body, extra, tokenize = 'unicode61 remove_diacritics 2')`,
    `create virtual table search_trigram using fts5(title, body, extra, tokenize = 'trigram')`,
  ];

  for (const s of SOURCES) {
    const { docId, cols, hasSubstringScript, indexRow } = rowSql(s);
    const changed = s.watched.map((c) => `new.${c} is not old.${c}`).join(' or ');

    out.push(
      `create trigger ${s.table}_search_insert after insert on ${s.table} begin
         insert into search_docs (type, item_id, conversation_id, created_at)
           values ('${s.type}', new.id, ${s.conversationId('new')}, new.created_at);
         ${indexRow('new').join('\n')}
       end`,
      `create trigger ${s.table}_search_update after update of ${s.watched.join(', ')} on ${s.table}
       when ${changed} begin
         ${reindexNewRowSql(s)}
       end`,
      // Also fires for rows removed by ON DELETE CASCADE (a conversation's messages).
      `create trigger ${s.table}_search_delete after delete on ${s.table} begin
         delete from search_fts where rowid = ${docId('old')};
         delete from search_trigram where rowid = ${docId('old')};
         delete from search_docs where type = '${s.type}' and item_id = old.id;
       end`,
      // Backfill what existed before this migration.
      `insert into search_docs (type, item_id, conversation_id, created_at)
         select '${s.type}', t.id, ${s.conversationId('t')}, t.created_at from ${s.table} t`,
      `insert into search_fts (rowid, title, body, extra)
         select d.id, ${cols('t')} from ${s.table} t join search_docs d on d.type = '${s.type}' and d.item_id = t.id`,
      `insert into search_trigram (rowid, title, body, extra)
         select d.id, ${cols('t')} from ${s.table} t join search_docs d on d.type = '${s.type}' and d.item_id = t.id
         where ${hasSubstringScript('t')}`,
    );
  }
  return out;
}

export function searchIndex(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      // PostgreSQL: nothing yet (its tsvector + GIN index comes with the PostgreSQL issue).
      if (dialect !== 'sqlite') return;
      // One transaction: a failure leaves no half-built index behind, and the backfill is fast.
      await db.transaction().execute(async (trx) => {
        for (const statement of sqliteStatements()) await sql.raw(statement).execute(trx);
      });
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'sqlite') return;
      for (const table of ['todos', 'events', 'memos', 'messages'])
        for (const op of ['insert', 'update', 'delete'])
          await sql.raw(`drop trigger if exists ${table}_search_${op}`).execute(db);
      for (const table of ['search_trigram', 'search_fts', 'search_docs'])
        await sql.raw(`drop table if exists ${table}`).execute(db);
    },
  };
}
