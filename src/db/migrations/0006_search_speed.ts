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
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { DOC_TYPE_BITS } from './frozen/search-doc-ids-0006.js';
import {
  deleteTriggerSql,
  dropSearchIndexStatements,
  rowSql,
  searchIndexStatements as searchIndex0002Statements,
  SEARCH_DOCS_TABLE,
  SEARCH_TRIGRAM_TABLE,
  SOURCES,
  updateTriggerSql,
  type Source,
} from './frozen/search-index-0002.js';
import { runInTransaction, runStatements } from './frozen/schema.js';

type DocType = Source['type'];

/** Ids per minute: 64 places of 4 types. */
const IDS_PER_MINUTE = 256;
const LAST_PLACE = IDS_PER_MINUTE - 4;

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
    ...dropSearchIndexStatements(),
    SEARCH_DOCS_TABLE,
    `create virtual table search_fts using fts5(title, body, extra,
       tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')`,
    SEARCH_TRIGRAM_TABLE,
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
    const { cols, hasSubstringScript, indexRow } = rowSql(s);

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
      // 0002's: they find a document by (type, item_id), whatever its id.
      updateTriggerSql(s),
      deleteTriggerSql(s),
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
      await runInTransaction(db, sqliteStatements());
    },
    async down(db: Kysely<any>) {
      if (dialect !== 'sqlite') return;
      await runStatements(db, dropSearchIndexStatements());
      await runInTransaction(db, searchIndex0002Statements());
    },
  };
}
