/**
 * A faster SQLite search index (BEHAVIOUR.md "Search"; PostgreSQL is untouched). The layout of
 * 0002 stays (search_docs, search_fts, search_trigram, triggers in the writing transaction); two
 * things change, so the index is rebuilt once from the item tables:
 *
 * - **Document ids follow time.** `search_docs.id` (the rowid of both FTS tables) is
 *   `minute * 256 + slot * 4 + type`: the minute of `created_at` since 1970, the item's place
 *   among the items of that minute (64 places), and the type in the low two bits (todo 0,
 *   event 1, memo 2, message 3). Equal scores then order newest first by rowid, and a type
 *   filter is a bit test instead of a join per match.
 *   A minute that already holds 64 items (a bulk import) places the next one after the newest
 *   document: the order is off for it only, and ids stay unique.
 * - **Prefix indexes for 2 and 3 characters** (`prefix='2 3'`): every search word is a prefix
 *   query, which without an index of its length merges the documents of every term with that
 *   prefix before the first result (about 30 ns per match, twice per query with bm25: 2.6 ms
 *   instead of 1 ms for a word in 32,000 documents). Short words are the common ones and what
 *   search-as-you-type sends. The price: on the benchmark's 640,000 documents the word index
 *   (search_fts_data) grows from 82 to 263 MB, and a bulk load of messages costs about 20% more.
 *   Lengths up to 8 were measured and left out: a 7-letter word in 500,000 documents ranks in
 *   12 ms instead of 45, but the index reaches 454 MB and bulk loads cost 45% more.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';

// ---- A frozen copy of 0002's layout and SQL (a migration never imports another's code) ----

/** Unicode ranges of scripts written without spaces between words (0002's, as of this migration). */
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

/** 0002's index, which `down` builds again. */
function searchIndex0002Statements(): string[] {
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

// ---- This migration ---------------------------------------------------------------------

type DocType = Source['type'];

/** The low two bits of a document id. */
export const DOC_TYPE_BITS: Readonly<Record<DocType, number>> = { todo: 0, event: 1, memo: 2, message: 3 };
/** Ids per minute: 64 places of 4 types. */
const IDS_PER_MINUTE = 256;
const LAST_PLACE = IDS_PER_MINUTE - 4;

const TRIGGERS = SOURCES.flatMap((s) =>
  ['insert', 'update', 'delete'].map((op) => `${s.table}_search_${op}`),
);

/** The first id of the minute of `createdAt` (an SQL expression); unreadable times count as 1970. */
const minuteBase = (createdAt: string) => `(coalesce(unixepoch(${createdAt}), 0) / 60) * ${IDS_PER_MINUTE}`;

/**
 * The id of a new document: the next free place in its minute, or, when the minute is full,
 * the place after the newest document.
 */
function nextDocId(src: string, type: DocType): string {
  return `(select case
      when p.last is null then p.base
      when p.last < p.base + ${LAST_PLACE} then ((p.last >> 2) + 1) << 2
      else ((coalesce((select max(id) from search_docs), 0) >> 2) + 1) << 2
    end + ${DOC_TYPE_BITS[type]}
    from (select m.base, (select max(id) from search_docs where id between m.base and m.base + ${IDS_PER_MINUTE - 1}) as last
          from (select ${minuteBase(`${src}.created_at`)} as base) m) p)`;
}

function sqliteStatements(): string[] {
  const out: string[] = [
    ...TRIGGERS.map((t) => `drop trigger if exists ${t}`),
    'drop table if exists search_trigram',
    'drop table if exists search_fts',
    'drop table if exists search_docs',
    `create table search_docs (
       id integer primary key,
       type text not null,
       item_id text not null,
       conversation_id text,
       created_at text not null,
       unique (type, item_id)
     )`,
    `create virtual table search_fts using fts5(title, body, extra,
       tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')`,
    `create virtual table search_trigram using fts5(title, body, extra, tokenize = 'trigram')`,
    // Backfill: number what exists by minute; a minute's places go in time order.
    `create temp table search_backfill as
       select type, item_id, conversation_id, created_at,
              ${minuteBase('created_at')} as base,
              row_number() over (partition by ${minuteBase('created_at')} order by created_at, item_id) - 1 as place
       from (${SOURCES.map(
         (s) =>
           `select '${s.type}' as type, t.id as item_id, ${s.conversationId('t')} as conversation_id, t.created_at from ${s.table} t`,
       ).join(' union all ')})`,
    `insert into search_docs (id, type, item_id, conversation_id, created_at)
       select base + place * 4 + ${typeBitsOf('type')}, type, item_id, conversation_id, created_at
       from search_backfill where place < ${IDS_PER_MINUTE / 4}`,
    // Overfull minutes (bulk imports): after the newest document, in time order.
    `insert into search_docs (id, type, item_id, conversation_id, created_at)
       select (((select coalesce(max(id), 0) from search_docs) >> 2) + row_number() over (order by created_at, item_id)) * 4
                + ${typeBitsOf('type')}, type, item_id, conversation_id, created_at
       from search_backfill where place >= ${IDS_PER_MINUTE / 4}`,
    'drop table search_backfill',
  ];

  for (const s of SOURCES) {
    const { docId, cols, hasSubstringScript, indexRow } = rowSql(s);
    const changed = s.watched.map((c) => `new.${c} is not old.${c}`).join(' or ');

    out.push(
      `insert into search_fts (rowid, title, body, extra)
         select d.id, ${cols('t')} from ${s.table} t join search_docs d on d.type = '${s.type}' and d.item_id = t.id
         order by d.id`,
      `insert into search_trigram (rowid, title, body, extra)
         select d.id, ${cols('t')} from ${s.table} t join search_docs d on d.type = '${s.type}' and d.item_id = t.id
         where ${hasSubstringScript('t')} order by d.id`,
      `create trigger ${s.table}_search_insert after insert on ${s.table} begin
         insert into search_docs (id, type, item_id, conversation_id, created_at)
           values (${nextDocId('new', s.type)}, '${s.type}', new.id, ${s.conversationId('new')}, new.created_at);
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
    );
  }
  return out;
}

function typeBitsOf(column: string): string {
  return `(case ${column} ${SOURCES.map((s) => `when '${s.type}' then ${DOC_TYPE_BITS[s.type]}`).join(' ')} end)`;
}

export function searchSpeed(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'sqlite') return;
      // One transaction: a failure leaves 0002's index as it was.
      await db.transaction().execute(async (trx) => {
        for (const statement of sqliteStatements()) await sql.raw(statement).execute(trx);
      });
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'sqlite') return;
      for (const t of TRIGGERS) await sql.raw(`drop trigger if exists ${t}`).execute(db);
      for (const table of ['search_trigram', 'search_fts', 'search_docs'])
        await sql.raw(`drop table if exists ${table}`).execute(db);
      await db.transaction().execute(async (trx) => {
        for (const statement of searchIndex0002Statements()) await sql.raw(statement).execute(trx);
      });
    },
  };
}
