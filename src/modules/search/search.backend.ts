/**
 * What every search backend shares: the hit shapes, the backend interface, and the ranking
 * helpers (bm25 weights, scores). The backends: search.repository.ts (SQLite FTS5, portable)
 * and search.postgres.ts.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { ITEM_TYPES } from '../common/items.js';
import type { SearchTerms } from './query.js';

export const HIT_TYPES = [...ITEM_TYPES, 'message'] as const;
export type HitType = (typeof HIT_TYPES)[number];
/** The types with a list endpoint whose `q` filter uses this matcher. */
export type ListType = Exclude<HitType, 'message'>;

export interface HitRow {
  type: HitType;
  id: string;
  title: string;
  snippet: string;
  /** In (0, 1], higher is better, comparable across types. */
  score: number;
  created_at: string;
  conversation_id: string | null;
}

export interface SearchBackend {
  /** One ranked page (best first, ties newest first) and the number of all matches. */
  page: (
    terms: SearchTerms,
    types: readonly HitType[],
    limit: number,
    offset: number,
  ) => Promise<{ rows: HitRow[]; total: number }>;
  /** `<idColumn> in (ids of the items of this type that match)`, for list filters. */
  matches: (type: ListType, terms: SearchTerms, idColumn: string) => Expression<SqlBool>;
}

/** The `q` filter of todos, events and memos: the same matcher as search. */
export type TextMatcher = (type: ListType, q: string, idColumn?: string) => Expression<SqlBool>;

/** bm25 weights of (title, body, extra): a title hit outranks a body-only hit. */
export const WEIGHT = { title: 10, body: 1, extra: 3 } as const;
export const COLUMNS = ['title', 'body', 'extra'] as const;
export const NEVER = sql<SqlBool>`1 = 0`;

/** score = x / (1 + x) with x = |rank|: in (0, 1), rising with the match quality. */
export function toScore(rank: number): number {
  const x = Math.abs(rank);
  return x === 0 ? Number.MIN_VALUE : x / (1 + x);
}

/** Each term appears (case-insensitively) in one of the columns. Terms hold no LIKE wildcards. */
export function containsAll(
  columns: readonly RawBuilder<unknown>[],
  terms: readonly string[],
): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.join(
    terms.map(
      (t) =>
        sql`(${sql.join(
          columns.map((c) => sql`lower(${c}) like ${`%${t}%`}`),
          sql` or `,
        )})`,
    ),
    sql` and `,
  )})`;
}

/** A rank for matches found without bm25 (same sign and weights): lower is better. */
export function containsRank(
  columns: Record<(typeof COLUMNS)[number], RawBuilder<unknown>>,
  terms: readonly string[],
): RawBuilder<number> {
  const parts = terms.flatMap((t) =>
    COLUMNS.map(
      (c) => sql`(case when lower(${columns[c]}) like ${`%${t}%`} then ${sql.lit(WEIGHT[c])} else 0 end)`,
    ),
  );
  return sql<number>`-(${sql.join(parts, sql` + `)})`;
}

export interface RawHit {
  type: HitType;
  item_id: string;
  created_at: string;
  conversation_id: string | null;
  item_title: string;
  conversation_title: string | null;
  bm25_rank: number;
  snippet: string | null;
  body: string | null;
  extra: string | null;
}

/**
 * When more documents match, only the newest RANK_WINDOW are ranked (BEHAVIOUR.md "Search"):
 * bm25 costs about half a microsecond a match, so a word in 30,000 documents would cost ~15 ms
 * of the one core per query. `total` still counts every match.
 */
export const RANK_WINDOW = 5_000;
