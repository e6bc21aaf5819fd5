import {
  expressionBuilder,
  sql,
  type Expression,
  type Kysely,
  type SelectQueryBuilder,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { DB, NewTodoRow, TodoRow, TodoUpdate } from '../../db/schema.js';
import { hasTag, offsetOf, whereAll } from '../common/items.js';
import type { TextMatcher } from '../search/search.repository.js';

export interface TodoFilter {
  statuses?: readonly string[];
  priorities?: string[];
  dueBefore?: string;
  dueAfter?: string;
  tag?: string;
  q?: string;
  /** due_date strictly before this instant (overdue). */
  dueStrictlyBefore?: string;
  noDueDate?: boolean;
  ids?: string[];
}

export interface TodoOrder {
  column: 'created_at' | 'due_date' | 'priority_rank' | 'updated_at';
  direction: 'asc' | 'desc';
}

export type TodosRepository = ReturnType<typeof createTodosRepository>;

/** The filter only matches todos with a due date. */
const dueDated = (f: TodoFilter) =>
  f.dueAfter !== undefined || f.dueBefore !== undefined || f.dueStrictlyBefore !== undefined;

/**
 * Stable order, ties broken by id. Only `due_date` can be null, and only it pays for the
 * nulls-last expression (not even it when the filter rules nulls out): the plain order lets an
 * index serve the page.
 */
function ordered<Q extends SelectQueryBuilder<DB, 'todos', TodoRow>>(
  query: Q,
  order: TodoOrder,
  f: TodoFilter,
): Q {
  let q = query as SelectQueryBuilder<DB, 'todos', TodoRow>;
  if (order.column === 'due_date' && !dueDated(f))
    q = q.orderBy((eb) => eb.case().when('due_date', 'is', null).then(1).else(0).end());
  return q.orderBy(order.column, order.direction).orderBy('id', order.direction) as Q;
}
type Db = Kysely<DB> | Transaction<DB>;

/** Pending or in progress: what today, the briefing and a chat turn's prompt read. */
export const OPEN_STATUSES: readonly string[] = ['pending', 'in_progress'];

const isOpenSet = (statuses: readonly string[]) =>
  statuses.every((s) => OPEN_STATUSES.includes(s)) && OPEN_STATUSES.every((s) => statuses.includes(s));

/**
 * "Open", written exactly as the partial index `todos_open_due` is (migration 0007), so reads
 * of open todos by due date walk that index in order instead of sorting every open todo.
 * SQLite keeps no statistics here and by default takes an equality on `status` to match a
 * handful of rows; `likelihood` tells it that most rows match, so it prefers the partial index.
 */
function openCondition(dialect: Dialect) {
  const open = sql<boolean>`status in ('pending', 'in_progress')`;
  return dialect === 'sqlite' ? sql<boolean>`likelihood(${open}, 0.9)` : open;
}

/** `textMatch` is the search index's matcher, so `q` means the same as in search. */
export function createTodosRepository(db: Kysely<DB>, dialect: Dialect, textMatch: TextMatcher) {
  function filtered(conn: Db, f: TodoFilter) {
    const eb = expressionBuilder<DB, 'todos'>();
    const conds: Expression<SqlBool>[] = [];
    if (f.statuses?.length)
      conds.push(isOpenSet(f.statuses) ? openCondition(dialect) : eb('status', 'in', f.statuses));
    if (f.priorities?.length) conds.push(eb('priority', 'in', f.priorities));
    if (f.dueAfter !== undefined) conds.push(eb('due_date', '>=', f.dueAfter));
    if (f.dueBefore !== undefined) conds.push(eb('due_date', '<=', f.dueBefore));
    if (f.dueStrictlyBefore !== undefined) conds.push(eb('due_date', '<', f.dueStrictlyBefore));
    if (f.noDueDate) conds.push(eb('due_date', 'is', null));
    if (f.ids) conds.push(f.ids.length ? eb('id', 'in', f.ids) : eb.val(false));
    if (f.tag !== undefined) conds.push(hasTag(eb, 'tags', f.tag));
    if (f.q !== undefined) conds.push(textMatch('todo', f.q));
    return whereAll(conn.selectFrom('todos'), conds);
  }

  return {
    async insert(row: NewTodoRow, trx: Db = db): Promise<void> {
      await trx.insertInto('todos').values(row).execute();
    },
    async find(id: string, trx: Db = db): Promise<TodoRow | undefined> {
      return trx.selectFrom('todos').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async update(id: string, patch: TodoUpdate, trx: Db = db): Promise<void> {
      await trx.updateTable('todos').set(patch).where('id', '=', id).execute();
    },
    async delete(id: string, trx: Db = db): Promise<boolean> {
      const res = await trx.deleteFrom('todos').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    /** A page in a stable order (ties broken by id); nulls sort last either way. */
    async list(f: TodoFilter, order: TodoOrder, page: number, limit: number, trx: Db = db) {
      const [rows, count] = await Promise.all([
        ordered(filtered(trx, f).selectAll(), order, f).limit(limit).offset(offsetOf(page, limit)).execute(),
        filtered(trx, f)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.n) };
    },
    async count(f: TodoFilter, trx: Db = db): Promise<number> {
      const r = await filtered(trx, f)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async all(f: TodoFilter, order: TodoOrder, max: number, trx: Db = db): Promise<TodoRow[]> {
      return ordered(filtered(trx, f).selectAll(), order, f).limit(max).execute();
    },
  };
}
