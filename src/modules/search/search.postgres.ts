/** PostgreSQL search: the tsvector + pg_trgm index of migration 0004 (`search_docs`). */
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DB } from '../../db/schema.js';
import {
  HIT_TYPES,
  NEVER,
  RANK_WINDOW,
  WEIGHT,
  containsRank,
  toScore,
  type HitRow,
  type RawHit,
  type SearchBackend,
} from './search.backend.js';
import { excerpt, isEmpty, markTerms, type SearchTerms } from './query.js';

/** ts_rank weights {D, C, B, A}: body, (unused), extra, title; the same 1 : 3 : 10 as bm25 above. */
const TS_WEIGHTS = sql.raw(
  `'{${WEIGHT.body / WEIGHT.title}, 0, ${WEIGHT.extra / WEIGHT.title}, 1}'::float4[]`,
);
// One fragment: the words around the best match (not only those after it), like FTS5's snippet().
const HEADLINE_OPTIONS = 'StartSel=**, StopSel=**, MaxWords=16, MinWords=6, ShortWord=0, MaxFragments=1';

/** `…` where a headline cut its text short, as FTS5's snippet() marks it. */
function withEllipses(headline: string, source: string): string {
  const flat = (t: string) => t.replace(/\s+/g, ' ').trim();
  const shown = flat(headline);
  const plain = shown.replaceAll('**', '');
  const whole = flat(source);
  if (!plain) return shown;
  return `${whole.startsWith(plain) ? '' : '…'}${shown}${whole.endsWith(plain) ? '' : '…'}`;
}

/** `%term%` for LIKE, with the wildcards and the escape character escaped. */
const likeContains = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The tsquery text of `words`: each one a quoted lexeme with `:*` (a prefix), all required
 * (`'vla':* & 'model':*`). Built by us from parsed words (letters, digits and marks only), so
 * no user syntax can reach it; anything else is dropped, never escaped into the query.
 */
export function prefixTsQuery(words: readonly string[]): string | null {
  const safe = words.filter((w) => /^[\p{L}\p{N}\p{M}]+$/u.test(w));
  return safe.length === 0 ? null : safe.map((w) => `'${w}':*`).join(' & ');
}

/**
 * PostgreSQL: `search_docs` of migration 0004. Words are matched by the GIN-indexed tsvector
 * through `to_tsquery` over the text `prefixTsQuery` built (the `clawchat_search` configuration
 * folds accents and case on both sides), terms in scripts without spaces by LIKE on the
 * lower-cased `substring_text` (pg_trgm index). Ranked by `ts_rank` (weights title > extra >
 * body), mapped to (0, 1) by the same `x / (1 + x)` as bm25; substring-only queries rank by
 * where the terms appear, as the FTS5 scan does. Ties newest first.
 */
export function createPostgresSearchBackend(db: Kysely<DB>): SearchBackend {
  interface Plan {
    query: RawBuilder<unknown> | null;
    where: RawBuilder<unknown>[];
  }

  function plan(terms: SearchTerms): Plan | null {
    const text = prefixTsQuery(terms.words);
    if (terms.words.length > 0 && text === null) return null;
    const query = text === null ? null : sql`to_tsquery('clawchat_search', ${text})`;
    const where: RawBuilder<unknown>[] = [];
    if (query) where.push(sql`d.document @@ ${query}`);
    for (const t of terms.substrings) where.push(sql`d.substring_text like ${likeContains(t)} escape '\\'`);
    return { query, where };
  }

  const lowered = {
    title: sql.raw('lower(d.title)'),
    body: sql.raw('lower(d.body)'),
    extra: sql.raw('lower(d.extra)'),
  };

  return {
    async page(terms, types, limit, offset) {
      if (isEmpty(terms)) return { rows: [], total: 0 };
      const p = plan(terms);
      if (!p) return { rows: [], total: 0 };
      const where = [...p.where];
      if (types.length < HIT_TYPES.length) where.push(sql`d.type in (${sql.join([...types])})`);
      const conds = sql.join(where, sql` and `);
      // Positive, higher is better.
      const rank = p.query
        ? sql<number>`ts_rank(${TS_WEIGHTS}, d.document, ${p.query})`
        : sql<number>`-(${containsRank(lowered, terms.substrings)})`;
      // The column the snippet comes from: the first that matches all words on its own.
      const source = sql`case
          when clawchat_search_vector(d.title) @@ ${p.query} then d.title
          when clawchat_search_vector(d.body) @@ ${p.query} then d.body
          when clawchat_search_vector(d.extra) @@ ${p.query} then d.extra
          else concat_ws(' ', d.title, d.body, d.extra) end`;
      const snippet = p.query
        ? sql`ts_headline('clawchat_search', src.text, ${p.query}, ${HEADLINE_OPTIONS}) as snippet, src.text as snippet_source`
        : sql`null as snippet, null as snippet_source`;
      const [page, count] = await Promise.all([
        // Only the newest RANK_WINDOW matches are ranked (see search.repository.ts).
        sql<RawHit>`with recent as (
            select d.id from search_docs d where ${conds}
            order by d.created_at desc, d.id desc limit ${RANK_WINDOW}),
          top as (
            select d.id as rid, ${rank} as bm25_rank, d.created_at, d.item_id
            from recent join search_docs d on d.id = recent.id
            order by bm25_rank desc, d.created_at desc, d.item_id desc
            limit ${limit} offset ${offset})
          select d.type, d.item_id, d.created_at, d.conversation_id, d.title as item_title,
                 c.title as conversation_title, top.bm25_rank, ${snippet}, d.body, d.extra
          from top join search_docs d on d.id = top.rid
          left join conversations c on c.id = d.conversation_id
          ${p.query ? sql`cross join lateral (select ${source} as text) src` : sql``}
          order by top.bm25_rank desc, top.created_at desc, top.item_id desc`.execute(db),
        sql<{ n: string | number }>`select count(*) as n from search_docs d where ${conds}`.execute(db),
      ]);
      const rows = (page.rows as Array<RawHit & { snippet_source: string | null }>).map((r): HitRow => {
        const snippet =
          r.snippet !== null
            ? markTerms(withEllipses(r.snippet, r.snippet_source ?? ''), terms.substrings)
            : excerpt(
                [r.body, r.item_title, r.extra].find(
                  (text) => text && terms.substrings.some((t) => text.toLowerCase().includes(t)),
                ) ?? r.item_title,
                terms.substrings,
              );
        return {
          type: r.type,
          id: r.item_id,
          title: r.type === 'message' ? (r.conversation_title ?? '') : r.item_title,
          snippet,
          score: toScore(Number(r.bm25_rank)),
          created_at: r.created_at,
          conversation_id: r.type === 'message' ? r.conversation_id : null,
        };
      });
      return { rows, total: Number(count.rows[0]?.n ?? 0) };
    },

    matches(type, terms, idColumn) {
      if (isEmpty(terms)) return NEVER;
      const p = plan(terms);
      if (!p) return NEVER;
      return sql<SqlBool>`${sql.ref(idColumn)} in (select d.item_id from search_docs d
        where d.type = ${type} and ${sql.join(p.where, sql` and `)})`;
    },
  };
}
