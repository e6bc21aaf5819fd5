/**
 * All search SQL. What differs between databases sits behind `SearchBackend`: SQLite uses the
 * FTS5 index of migrations 0002 and 0006 (bm25 over one table, so scores are comparable across
 * types);
 * PostgreSQL uses the tsvector + pg_trgm index of migration 0004 (`search_docs`). A portable
 * LIKE scan over the item tables remains for databases with neither.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../db/database.js';
import { DOC_TYPE_BITS } from './layout.js';
import type { DB } from '../../db/schema.js';
import {
  charLength,
  excerpt,
  isEmpty,
  markTerms,
  parseSearchText,
  prefixMatch,
  substringMatch,
  type SearchTerms,
} from './query.js';
import {
  COLUMNS,
  HIT_TYPES,
  NEVER,
  RANK_WINDOW,
  WEIGHT,
  containsAll,
  containsRank,
  toScore,
  type HitRow,
  type HitType,
  type ListType,
  type RawHit,
  type SearchBackend,
  type TextMatcher,
} from './search.backend.js';
import { createPostgresSearchBackend } from './search.postgres.js';

export { HIT_TYPES };
export { prefixTsQuery } from './search.postgres.js';
export type { HitRow, HitType, ListType, SearchBackend, TextMatcher } from './search.backend.js';

export type SearchRepository = ReturnType<typeof createSearchRepository>;

export function createSearchRepository(database: Pick<Database, 'db' | 'dialect'>) {
  const backend =
    database.dialect === 'sqlite' ? createFts5Backend(database.db) : createPostgresSearchBackend(database.db);
  const textMatch: TextMatcher = (type, q, idColumn = 'id') =>
    backend.matches(type, parseSearchText(q), idColumn);
  return { page: backend.page, textMatch };
}

interface Fts5Plan {
  table: 'search_fts' | 'search_trigram';
  /** The MATCH expression on `table`, built only from quoted terms; null for a substring scan. */
  match: string | null;
  where: RawBuilder<unknown>[];
  /** Terms the snippet of `table` does not mark itself. */
  markLater: string[];
}

/**
 * Rows fetched past the page, so a run of equal scores at its end can be put in exact
 * created_at order (document ids follow created_at to the minute only).
 */
const TIE_SLACK = 32;

/** A ranked match: its document id (rowid) and its rank (lower is better). */
interface Candidate {
  rid: number;
  r: number;
}

interface DocRow {
  rid: number;
  type: HitType;
  item_id: string;
  created_at: string;
  conversation_id: string | null;
  conversation_title: string | null;
}

interface TextRow {
  rid: number;
  item_title: string;
  snippet: string | null;
  body: string | null;
  extra: string | null;
}

/** FTS5's excerpt of the best column: 16 tokens around the matches, marked `**`. */
const SNIPPET = (table: RawBuilder<unknown>) => sql`snippet(${table}, -1, '**', '**', '…', 16)`;

/** Best rank first; equal ranks newest first, then by item id, as the spec's order. */
function byRank(a: Candidate & { doc: DocRow }, b: Candidate & { doc: DocRow }): number {
  if (a.r !== b.r) return a.r - b.r;
  if (a.doc.created_at !== b.doc.created_at) return a.doc.created_at < b.doc.created_at ? 1 : -1;
  if (a.doc.item_id !== b.doc.item_id) return a.doc.item_id < b.doc.item_id ? 1 : -1;
  return 0;
}

/**
 * SQLite FTS5. Words go to the unicode61 index as quoted prefixes. Terms in scripts without
 * spaces go to the trigram table as substrings (3+ characters through its index; shorter
 * ones by a scan bounded to the rows that contain such a script at all).
 *
 * Every match is counted; the newest RANK_WINDOW of them are ranked (bm25 in FTS5, keeping only
 * the best rows of the page in SQLite's sorter); snippets and item rows are read for the page only. Document ids follow
 * `created_at` and carry the type in their low two bits (migration 0006), so a type filter is
 * a bit test and `rowid desc` orders equal ranks newest first (to the minute).
 */
function createFts5Backend(db: Kysely<DB>): SearchBackend {
  const col = (table: string, c: string) => sql.raw(`${table}.${c}`);
  const cols = (table: string) => COLUMNS.map((c) => col(table, c));

  function plan(terms: SearchTerms): Fts5Plan {
    const long = terms.substrings.filter((t) => charLength(t) >= 3);
    const short = terms.substrings.filter((t) => charLength(t) < 3);
    if (terms.words.length > 0) {
      const match = prefixMatch(terms.words);
      const where: RawBuilder<unknown>[] = [sql`search_fts match ${match}`];
      // `+rowid`: a filter on the rows the word index yields, not a lookup per trigram match.
      if (long.length > 0)
        where.push(
          sql`+search_fts.rowid in (select rowid from search_trigram where search_trigram match ${substringMatch(long)})`,
        );
      if (short.length > 0)
        where.push(
          sql`exists (select 1 from search_trigram t where t.rowid = search_fts.rowid and ${containsAll(cols('t'), short)})`,
        );
      return { table: 'search_fts', match, where, markLater: terms.substrings };
    }
    if (long.length > 0) {
      const match = substringMatch(long);
      const where: RawBuilder<unknown>[] = [sql`search_trigram match ${match}`];
      if (short.length > 0) where.push(containsAll(cols('search_trigram'), short));
      return { table: 'search_trigram', match, where, markLater: short };
    }
    return {
      table: 'search_trigram',
      match: null,
      where: [containsAll(cols('search_trigram'), short)],
      markLater: short,
    };
  }

  function conditions(p: Fts5Plan, types: readonly HitType[], fromRowid?: number): RawBuilder<unknown> {
    const where = [...p.where];
    // Cast: FTS5 ignores a rowid bound that arrives as a float (JavaScript numbers beyond 32 bits).
    if (fromRowid !== undefined) where.push(sql`${sql.raw(p.table)}.rowid >= cast(${fromRowid} as integer)`);
    if (types.length < HIT_TYPES.length)
      where.push(
        sql`(${sql.raw(p.table)}.rowid & 3) in (${sql.join(types.map((t) => sql.lit(DOC_TYPE_BITS[t])))})`,
      );
    return sql.join(where, sql` and `);
  }

  /** The best `take` matches, best first (equal ranks newest first, to the minute). */
  async function bestMatches(
    p: Fts5Plan,
    terms: SearchTerms,
    types: readonly HitType[],
    take: number,
    fromRowid: number | undefined,
  ) {
    const T = sql.raw(p.table);
    const rank =
      p.match === null
        ? containsRank(
            { title: col(p.table, 'title'), body: col(p.table, 'body'), extra: col(p.table, 'extra') },
            terms.substrings,
          )
        : sql<number>`bm25(${T}, ${sql.raw(`${WEIGHT.title}.0, ${WEIGHT.body}.0, ${WEIGHT.extra}.0`)})`;
    const { rows } = await sql<Candidate>`select ${T}.rowid as rid, ${rank} as r from ${T}
      where ${conditions(p, types, fromRowid)}
      order by r, ${T}.rowid desc limit ${take}`.execute(db);
    return rows;
  }

  /**
   * The id of the RANK_WINDOW-th newest match, when there are more: ids follow created_at, and
   * FTS5 walks a match in descending id order without sorting.
   */
  async function windowStart(p: Fts5Plan, types: readonly HitType[], total: number) {
    if (total <= RANK_WINDOW) return undefined;
    const T = sql.raw(p.table);
    const { rows } = await sql<{ rid: number }>`select ${T}.rowid as rid from ${T}
      where ${conditions(p, types)}
      order by ${T}.rowid desc limit 1 offset ${RANK_WINDOW - 1}`.execute(db);
    return rows[0]?.rid;
  }

  async function countMatches(p: Fts5Plan, types: readonly HitType[]): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.raw(p.table)}
      where ${conditions(p, types)}`.execute(db);
    return Number(rows[0]?.n ?? 0);
  }

  /** Type, item, time and conversation of some documents (a JSON list of ids keeps one statement). */
  async function docs(ids: number[]): Promise<Map<number, DocRow>> {
    const { rows } = await sql<DocRow>`select d.id as rid, d.type, d.item_id, d.created_at, d.conversation_id,
        c.title as conversation_title
      from search_docs d left join conversations c on c.id = d.conversation_id
      where d.id in (select value from json_each(${JSON.stringify(ids)}))`.execute(db);
    return new Map(rows.map((d) => [d.rid, d]));
  }

  /** Titles and snippets of the page's documents. */
  async function texts(p: Fts5Plan, ids: number[]): Promise<Map<number, TextRow>> {
    const T = sql.raw(p.table);
    const list = JSON.stringify(ids);
    const query =
      p.match === null
        ? sql<TextRow>`select rowid as rid, title as item_title, null as snippet, body, extra from search_trigram
            where rowid in (select value from json_each(${list}))`
        : // One MATCH cursor over the page's id range (snippet() needs it); `+rowid` keeps the id
          // list a filter, so FTS5 does not restart the query once per id. The bounds are cast:
          // FTS5 ignores a rowid bound bound as a float (JavaScript numbers beyond 32 bits).
          sql<TextRow>`select ${T}.rowid as rid, ${T}.title as item_title,
              ${SNIPPET(T)} as snippet, null as body, null as extra
            from ${T}
            where ${T} match ${p.match}
              and ${T}.rowid between cast(${Math.min(...ids)} as integer) and cast(${Math.max(...ids)} as integer)
              and +${T}.rowid in (select value from json_each(${list}))`;
    const { rows } = await query.execute(db);
    return new Map(rows.map((t) => [t.rid, t]));
  }

  return {
    async page(terms, types, limit, offset) {
      if (isEmpty(terms)) return { rows: [], total: 0 };
      const p = plan(terms);
      const total = await countMatches(p, types);
      const fromRowid = await windowStart(p, types, total);
      const ranked = await bestMatches(p, terms, types, offset + limit + TIE_SLACK, fromRowid);
      const end = Math.min(offset + limit, ranked.length);
      if (offset >= end) return { rows: [], total };

      // Ids follow created_at to the minute only: widen the page to whole runs of equal rank and
      // order those by created_at itself.
      let from = offset;
      while (from > 0 && ranked[from - 1]!.r === ranked[offset]!.r) from--;
      let to = end;
      while (to < ranked.length && ranked[to]!.r === ranked[end - 1]!.r) to++;
      const run = ranked.slice(from, to);
      const found = await docs(run.map((c) => c.rid));
      // A document deleted since the first read is left out.
      const shown = run
        .flatMap((c) => {
          const doc = found.get(c.rid);
          return doc ? [{ ...c, doc }] : [];
        })
        .sort(byRank)
        .slice(offset - from, end - from);
      if (shown.length === 0) return { rows: [], total };
      const text = await texts(
        p,
        shown.map((h) => h.rid),
      );

      const rows = shown.flatMap(({ r, rid, doc }): HitRow[] => {
        const t = text.get(rid);
        if (!t) return [];
        const snippet =
          t.snippet !== null
            ? markTerms(t.snippet, p.markLater)
            : excerpt(
                [t.body, t.item_title, t.extra].find(
                  (s) => s && p.markLater.some((term) => s.toLowerCase().includes(term)),
                ) ?? t.item_title,
                p.markLater,
              );
        return [
          {
            type: doc.type,
            id: doc.item_id,
            title: doc.type === 'message' ? (doc.conversation_title ?? '') : t.item_title,
            snippet,
            score: toScore(r),
            created_at: doc.created_at,
            conversation_id: doc.type === 'message' ? doc.conversation_id : null,
          },
        ];
      });
      return { rows, total };
    },

    matches(type, terms, idColumn) {
      if (isEmpty(terms)) return NEVER;
      const p = plan(terms);
      const T = sql.raw(p.table);
      return sql<SqlBool>`${sql.ref(idColumn)} in (select d.item_id from ${T} join search_docs d on d.id = ${T}.rowid
        where (${T}.rowid & 3) = ${sql.lit(DOC_TYPE_BITS[type])} and ${sql.join(p.where, sql` and `)})`;
    },
  };
}

/** The indexed text of each type, as plain columns (title, body, extra). */
const PORTABLE_SOURCES: Record<
  ListType,
  { table: 'todos' | 'events' | 'memos'; body: string; extra: string }
> = {
  todo: { table: 'todos', body: 'description', extra: 'tags' },
  event: { table: 'events', body: 'description', extra: 'location' },
  memo: { table: 'memos', body: 'content', extra: 'tags' },
};

/**
 * A LIKE scan over the item tables that runs on any database (PostgreSQL until its tsvector
 * backend exists): every term must appear in one of the columns; ranked by where it appears
 * (title > extra > body), ties newest first. Slow on large tables, but never wrong.
 */
export function createPortableSearchBackend(db: Kysely<DB>): SearchBackend {
  const all = (terms: SearchTerms) => [...terms.words, ...terms.substrings];

  function branch(type: HitType, terms: string[]): RawBuilder<unknown> {
    if (type === 'message') {
      const c = { title: sql.raw(`''`), body: sql.raw('m.content'), extra: sql.raw(`''`) };
      return sql`select 'message' as type, m.id as item_id, m.created_at as created_at, m.conversation_id as conversation_id,
          cv.title as item_title, m.content as body, '' as extra, ${containsRank(c, terms)} as bm25_rank
        from messages m join conversations cv on cv.id = m.conversation_id
        where ${containsAll([c.body], terms)}`;
    }
    const s = PORTABLE_SOURCES[type];
    const c = {
      title: sql.raw('title'),
      body: sql.raw(`coalesce(${s.body}, '')`),
      extra: sql.raw(`coalesce(${s.extra}, '')`),
    };
    return sql`select ${type} as type, id as item_id, created_at, cast(null as text) as conversation_id,
        title as item_title, ${c.body} as body, ${c.extra} as extra, ${containsRank(c, terms)} as bm25_rank
      from ${sql.raw(s.table)} where ${containsAll([c.title, c.body, c.extra], terms)}`;
  }

  return {
    async page(terms, types, limit, offset) {
      if (isEmpty(terms)) return { rows: [], total: 0 };
      const ts = all(terms);
      const union = sql.join(
        types.map((t) => branch(t, ts)),
        sql` union all `,
      );
      const [page, count] = await Promise.all([
        sql<RawHit>`select * from (${union}) u order by bm25_rank, created_at desc, item_id desc limit ${limit} offset ${offset}`.execute(
          db,
        ),
        sql<{ n: number | string }>`select count(*) as n from (${union}) u`.execute(db),
      ]);
      const rows = page.rows.map((r): HitRow => ({
        type: r.type,
        id: r.item_id,
        title: r.item_title ?? '',
        snippet: excerpt(
          [r.body, r.item_title, r.extra].find(
            (text) => text && ts.some((t) => text.toLowerCase().includes(t)),
          ) ?? r.item_title,
          ts,
        ),
        score: toScore(Number(r.bm25_rank)),
        created_at: r.created_at,
        conversation_id: r.type === 'message' ? r.conversation_id : null,
      }));
      return { rows, total: Number(count.rows[0]?.n ?? 0) };
    },

    matches(type, terms) {
      if (isEmpty(terms)) return NEVER;
      const s = PORTABLE_SOURCES[type];
      return containsAll([sql.raw('title'), sql.raw(s.body), sql.raw(s.extra)], all(terms));
    },
  };
}
