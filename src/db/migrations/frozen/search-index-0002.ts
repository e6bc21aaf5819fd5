/**
 * Migration 0002's SQLite search index, as of 0002 (the layout is described there). NEVER EDIT:
 * 0002 runs these statements; 0004 indexes the same scripts for substrings on PostgreSQL; 0006
 * keeps its triggers and builds this index again on the way down; 0008 keeps its re-indexing of a
 * message; and the live query parser splits exactly the scripts search_trigram holds
 * (modules/search/layout.ts). Databases that applied those migrations hold what this made, so
 * the guard (../frozen.test.ts) fails on any change to the SQL: a different layout is a new
 * migration, with its own frozen module if later code needs it.
 */

/** Unicode ranges of scripts written without spaces between words: the rows search_trigram holds. */
export const SUBSTRING_SCRIPT_RANGES: ReadonlyArray<readonly [number, number]> = [
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
export interface Source {
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

export const SOURCES: readonly Source[] = [
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

/** A bracket expression (GLOB and regex alike) matching one character of a substring script. */
export function substringScriptClass(): string {
  return `[${SUBSTRING_SCRIPT_RANGES.map(([a, b]) => `${String.fromCodePoint(a)}-${String.fromCodePoint(b)}`).join('')}]`;
}

/** A GLOB pattern matching text that contains a character of a substring script. */
function substringScriptGlob(): string {
  return `'*${substringScriptClass()}*'`;
}

/** SQL pieces for one row of a source (`src` is `new`, `old` or a table alias). */
export function rowSql(s: Source) {
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
export function reindexNewRowSql(s: Source): string {
  const { docId, indexRow } = rowSql(s);
  return [
    `delete from search_fts where rowid = ${docId('new')};`,
    `delete from search_trigram where rowid = ${docId('new')};`,
    ...indexRow('new'),
  ].join('\n');
}

/** The trigger that indexes a row again when a watched column changes. */
export function updateTriggerSql(s: Source): string {
  const changed = s.watched.map((c) => `new.${c} is not old.${c}`).join(' or ');
  return `create trigger ${s.table}_search_update after update of ${s.watched.join(', ')} on ${s.table}
       when ${changed} begin
         ${reindexNewRowSql(s)}
       end`;
}

/** The trigger that removes a deleted row; it also fires for rows removed by ON DELETE CASCADE (a conversation's messages). */
export function deleteTriggerSql(s: Source): string {
  const { docId } = rowSql(s);
  return `create trigger ${s.table}_search_delete after delete on ${s.table} begin
         delete from search_fts where rowid = ${docId('old')};
         delete from search_trigram where rowid = ${docId('old')};
         delete from search_docs where type = '${s.type}' and item_id = old.id;
       end`;
}

/** Maps an item to the rowid of its rows in both FTS tables (0006 keeps the table, not the ids). */
export const SEARCH_DOCS_TABLE = `create table search_docs (
       id integer primary key,
       type text not null,
       item_id text not null,
       conversation_id text,
       created_at text not null,
       unique (type, item_id)
     )`;

/** The text of rows holding a substring script, by trigram (0006 keeps it as it was). */
export const SEARCH_TRIGRAM_TABLE = `create virtual table search_trigram using fts5(title, body, extra, tokenize = 'trigram')`;

/** Drops the whole index: the triggers, then the tables (0002's `down`; 0006 before it builds its own). */
export function dropSearchIndexStatements(): string[] {
  return [
    ...SOURCES.flatMap((s) =>
      ['insert', 'update', 'delete'].map((op) => `drop trigger if exists ${s.table}_search_${op}`),
    ),
    ...['search_trigram', 'search_fts', 'search_docs'].map((table) => `drop table if exists ${table}`),
  ];
}

/** 0002's SQLite index: tables, triggers, and a backfill of what exists (0002 runs it; 0006's `down` builds it again). */
export function searchIndexStatements(): string[] {
  const out: string[] = [
    SEARCH_DOCS_TABLE,
    `create virtual table search_fts using fts5(title, body, extra, tokenize = 'unicode61 remove_diacritics 2')`,
    SEARCH_TRIGRAM_TABLE,
  ];

  for (const s of SOURCES) {
    const { cols, hasSubstringScript, indexRow } = rowSql(s);

    out.push(
      `create trigger ${s.table}_search_insert after insert on ${s.table} begin
         insert into search_docs (type, item_id, conversation_id, created_at)
           values ('${s.type}', new.id, ${s.conversationId('new')}, new.created_at);
         ${indexRow('new').join('\n')}
       end`,
      updateTriggerSql(s),
      deleteTriggerSql(s),
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
