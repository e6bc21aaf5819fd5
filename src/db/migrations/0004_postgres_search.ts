/**
 * The PostgreSQL search index (BEHAVIOUR.md "Search"); SQLite got its FTS5 index in 0002, so this
 * migration does nothing there. One table over todos, events, memos and messages, so ranks are
 * comparable across types, kept in step by triggers inside the writing transaction:
 *
 * - `search_docs(type, item_id, conversation_id, created_at, title, body, extra, document,
 *   substring_text)`: the indexed text of each item, `document` a tsvector weighted
 *   title (A) > extra: tags, location (B) > body (D), with a GIN index;
 * - the text search configuration `clawchat_search`: the `simple` parser and dictionary (no
 *   stemming, no stop words: words match by prefix, as on SQLite) behind `unaccent`, so case and
 *   accents are ignored both ways;
 * - ASCII punctuation is turned into spaces before parsing (`clawchat_search_words`), so the
 *   default parser's hosts, paths and numbers with dots (`example.com`, `3.14`) split into the
 *   same words as SQLite's unicode61 tokenizer makes of them;
 * - `substring_text`: the lower-cased text of rows that contain a script written without spaces
 *   (Korean, Japanese, Chinese, Thai...), null otherwise, with a pg_trgm GIN index, so "회의"
 *   finds "주간회의록" by substring, like SQLite's trigram table.
 *
 * `unaccent` and `pg_trgm` are trusted contrib extensions (any role with CREATE on the database
 * may add them). Without `unaccent` accents are not folded; without `pg_trgm` substring terms
 * are found by a scan of the rows holding such scripts. Both are checked, not assumed.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { runStatements } from './frozen/schema.js';
import { substringScriptClass } from './frozen/search-index-0002.js';

/** ASCII punctuation and symbols; they separate words, as in SQLite's unicode61 tokenizer. */
const ASCII_PUNCTUATION = '[!-/:-@\\[-`{-~]+';
/** Combining diacritical marks (decomposed accents), dropped before the dictionary sees a word. */
const COMBINING_MARKS = '[\u0300-\u036f]+';

/** The token types of the default parser that carry letters: folded by unaccent, then lower-cased. */
const LETTER_TOKENS = [
  'asciiword',
  'asciihword',
  'hword_asciipart',
  'word',
  'hword',
  'hword_part',
  'numword',
  'numhword',
  'hword_numpart',
];

interface Source {
  table: 'todos' | 'events' | 'memos' | 'messages';
  type: 'todo' | 'event' | 'memo' | 'message';
  watched: string[];
  /** (conversation_id, title, body, extra) as SQL over the row alias. */
  values: (r: string) => [string, string, string, string];
}

const SOURCES: Source[] = [
  {
    table: 'todos',
    type: 'todo',
    watched: ['title', 'description', 'tags'],
    values: (r) => ['null', `${r}.title`, `${r}.description`, `clawchat_search_tags(${r}.tags)`],
  },
  {
    table: 'events',
    type: 'event',
    watched: ['title', 'description', 'location'],
    values: (r) => ['null', `${r}.title`, `${r}.description`, `${r}.location`],
  },
  {
    table: 'memos',
    type: 'memo',
    watched: ['title', 'content', 'tags'],
    values: (r) => ['null', `${r}.title`, `${r}.content`, `clawchat_search_tags(${r}.tags)`],
  },
  {
    table: 'messages',
    type: 'message',
    watched: ['content'],
    values: (r) => [`${r}.conversation_id`, `''`, `${r}.content`, `''`],
  },
];

async function available(db: Kysely<any>, extension: string): Promise<boolean> {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from pg_available_extensions where name = ${extension}`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

function statements(opts: { unaccent: boolean; trigram: boolean }): string[] {
  const out: string[] = [
    `create text search configuration clawchat_search (copy = simple)`,
    ...(opts.unaccent
      ? [
          `alter text search configuration clawchat_search alter mapping for ${LETTER_TOKENS.join(', ')} with unaccent, simple`,
        ]
      : []),
    // What the parser sees: accents as single characters, punctuation as spaces.
    `create function clawchat_search_words(t text) returns text language sql immutable parallel safe as $fn$
       select regexp_replace(regexp_replace(coalesce(t, ''), '${COMBINING_MARKS}', '', 'g'), '${ASCII_PUNCTUATION}', ' ', 'g')
     $fn$`,
    `create function clawchat_search_vector(t text) returns tsvector language sql stable parallel safe as $fn$
       select to_tsvector('clawchat_search', clawchat_search_words(t))
     $fn$`,
    // Tags are a JSON array; indexed as words (a malformed value is indexed as it is).
    `create function clawchat_search_tags(tags text) returns text language plpgsql immutable as $fn$
     begin
       return coalesce((select string_agg(value, ' ') from jsonb_array_elements_text(tags::jsonb)), '');
     exception when others then
       return coalesce(tags, '');
     end
     $fn$`,
    `create table search_docs (
       id bigserial primary key,
       type text not null,
       item_id text not null,
       conversation_id text,
       created_at text not null,
       title text not null,
       body text not null,
       extra text not null,
       document tsvector not null,
       substring_text text,
       unique (type, item_id)
     )`,
    `create index search_docs_document on search_docs using gin (document)`,
    ...(opts.trigram
      ? [
          `create index search_docs_substring on search_docs using gin (substring_text gin_trgm_ops)
             where substring_text is not null`,
        ]
      : []),
    `create function clawchat_search_put(p_type text, p_item_id text, p_conversation_id text, p_created_at text,
                                         p_title text, p_body text, p_extra text)
     returns void language plpgsql as $fn$
     declare
       v_title text := coalesce(p_title, '');
       v_body text := coalesce(p_body, '');
       v_extra text := coalesce(p_extra, '');
     begin
       insert into search_docs (type, item_id, conversation_id, created_at, title, body, extra, document, substring_text)
       values (
         p_type, p_item_id, p_conversation_id, p_created_at, v_title, v_body, v_extra,
         setweight(clawchat_search_vector(v_title), 'A') || setweight(clawchat_search_vector(v_extra), 'B')
           || setweight(clawchat_search_vector(v_body), 'D'),
         case when (v_title || ' ' || v_body || ' ' || v_extra) ~ '${substringScriptClass()}'
              then lower(v_title || E'\\n' || v_body || E'\\n' || v_extra) end
       )
       on conflict (type, item_id) do update set
         conversation_id = excluded.conversation_id,
         title = excluded.title,
         body = excluded.body,
         extra = excluded.extra,
         document = excluded.document,
         substring_text = excluded.substring_text;
     end
     $fn$`,
  ];

  for (const s of SOURCES) {
    const [conv, title, body, extra] = s.values('new');
    out.push(
      `create function ${s.table}_search_sync() returns trigger language plpgsql as $fn$
       begin
         if tg_op = 'DELETE' then
           delete from search_docs where type = '${s.type}' and item_id = old.id;
         else
           perform clawchat_search_put('${s.type}', new.id, ${conv}, new.created_at, ${title}, ${body}, ${extra});
         end if;
         return null;
       end
       $fn$`,
      `create trigger ${s.table}_search_insert after insert on ${s.table}
         for each row execute function ${s.table}_search_sync()`,
      `create trigger ${s.table}_search_update after update of ${s.watched.join(', ')} on ${s.table}
         for each row when (${s.watched.map((c) => `old.${c} is distinct from new.${c}`).join(' or ')})
         execute function ${s.table}_search_sync()`,
      // Also fires for rows removed by ON DELETE CASCADE (a conversation's messages).
      `create trigger ${s.table}_search_delete after delete on ${s.table}
         for each row execute function ${s.table}_search_sync()`,
    );
    const [bConv, bTitle, bBody, bExtra] = s.values('t');
    // Backfill what existed before this migration (a database copied from SQLite is filled later).
    out.push(
      `select clawchat_search_put('${s.type}', t.id, ${bConv}, t.created_at, ${bTitle}, ${bBody}, ${bExtra})
         from ${s.table} t`,
    );
  }
  return out;
}

export function postgresSearch(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      // Kysely runs each PostgreSQL migration in a transaction: all of it, or none.
      const unaccent = await available(db, 'unaccent');
      const trigram = await available(db, 'pg_trgm');
      if (unaccent) await sql`create extension if not exists unaccent`.execute(db);
      if (trigram) await sql`create extension if not exists pg_trgm`.execute(db);
      await runStatements(db, statements({ unaccent, trigram }));
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      for (const s of SOURCES) {
        for (const op of ['insert', 'update', 'delete'])
          await sql.raw(`drop trigger if exists ${s.table}_search_${op} on ${s.table}`).execute(db);
        await sql.raw(`drop function if exists ${s.table}_search_sync()`).execute(db);
      }
      await sql.raw(`drop table if exists search_docs`).execute(db);
      for (const fn of [
        'clawchat_search_put(text, text, text, text, text, text, text)',
        'clawchat_search_tags(text)',
        'clawchat_search_vector(text)',
        'clawchat_search_words(text)',
      ])
        await sql.raw(`drop function if exists ${fn}`).execute(db);
      await sql.raw(`drop text search configuration if exists clawchat_search`).execute(db);
    },
  };
}

/** Rebuilds every row of the index from the item tables (after a bulk copy with triggers off). */
export async function rebuildPostgresSearch(db: Kysely<any>): Promise<void> {
  await sql.raw('truncate search_docs').execute(db);
  for (const s of SOURCES) {
    const [conv, title, body, extra] = s.values('t');
    await sql
      .raw(
        `select clawchat_search_put('${s.type}', t.id, ${conv}, t.created_at, ${title}, ${body}, ${extra}) from ${s.table} t`,
      )
      .execute(db);
  }
}
