/** Rules shared by todos, events and memos: tags, paging, links to chat. */
import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { validationError } from '../../lib/errors.js';
import type { EventSink, ServerEvents } from '../../realtime/events.js';

/** The user's items: what cards, targets and the `q` filters speak of. One list for all of them. */
export const ITEM_TYPES = ['todo', 'event', 'memo'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

/** Where a write came from and where its events go (a chat turn holds them until its end). */
export interface WriteContext {
  conversationId?: string | null;
  messageId?: string | null;
  publish?: EventSink;
}

/** The columns every new item takes from its write: tags, the chat link, the times. */
export function newItemColumns(tags: readonly string[] | undefined, ctx: WriteContext, now: string) {
  return {
    tags: JSON.stringify(normaliseTags(tags)),
    conversation_id: ctx.conversationId ?? null,
    message_id: ctx.messageId ?? null,
    created_at: now,
    updated_at: now,
  };
}

/** The API fields every item shares, read back from its row: tags, the chat link, the times. */
export function itemFields(row: {
  tags: string;
  conversation_id: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
}) {
  return {
    tags: parseTags(row.tags),
    conversation_id: row.conversation_id,
    message_id: row.message_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Publishes an item change to the write's sink when it has one (a chat turn), else to `fallback`. */
export function publishChange(
  ctx: WriteContext,
  fallback: EventSink,
  change: ServerEvents['module_data_changed'],
): void {
  (ctx.publish ?? fallback)('module_data_changed', change);
}

/**
 * Tags are stored lowercase, NFC, without a leading `#`, without duplicates: `Café` typed as
 * `e` + combining accent (macOS, some keyboards) is the same tag as the composed `café`, as in
 * search (the filter goes through here too).
 */
export function normaliseTags(tags: readonly string[] | undefined): string[] {
  if (!tags) return [];
  const out: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim().replace(/^#+/, '').trim().toLowerCase().normalize('NFC');
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

export function parseTags(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * `query` narrowed by every condition. None adds no WHERE at all (not `WHERE 1 = 1`): SQLite
 * then counts a bare table from its smallest index instead of reading every row.
 */
export function whereAll<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  conds: Expression<SqlBool>[],
): SelectQueryBuilder<DB, TB, O> {
  return conds.length ? query.where((eb) => eb.and(conds)) : query;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `tags` (a JSON array) contains exactly this tag. */
export function hasTag<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  column: string,
  tag: string,
): Expression<SqlBool> {
  const [normalised] = normaliseTags([tag]);
  if (!normalised) throw validationError('tag', 'tag must not be empty', tag);
  const pattern = `%${escapeLike(JSON.stringify(normalised))}%`;
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

export function offsetOf(page: number, limit: number): number {
  return (page - 1) * limit;
}

/**
 * One page of `base()` and the total it pages through, queried together: `rows` picks the
 * columns and the order (with a tie-breaker, so pages never repeat or skip). `total` replaces
 * the count where the caller knows a cheaper one.
 */
export async function pageOf<DB, TB extends keyof DB, R>(
  base: () => SelectQueryBuilder<DB, TB, object>,
  rows: (q: SelectQueryBuilder<DB, TB, object>) => SelectQueryBuilder<DB, TB, R>,
  page: number,
  limit: number,
  total: () => Promise<number> = async () => {
    // The selection type stays unresolved while DB and TB are generic; the row is `{ n }`.
    const count = (await base()
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow()) as { n: number | string | bigint };
    return Number(count.n);
  },
): Promise<{ rows: R[]; total: number }> {
  const [list, n] = await Promise.all([
    rows(base()).limit(limit).offset(offsetOf(page, limit)).execute(),
    total(),
  ]);
  return { rows: list, total: n };
}
