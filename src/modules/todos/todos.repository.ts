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
import { hasTag, pageOf, whereAll } from '../common/items.js';
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
  /** Only the direct subtasks of this todo. */
  parentId?: string;
  /** Only todos without a parent. */
  rootOnly?: boolean;
}

export interface TodoOrder {
  column: 'created_at' | 'due_date' | 'priority_rank' | 'updated_at' | 'sort_order';
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

/**
 * No parent. Most todos are roots; told so, SQLite walks the list's order index and skips
 * subtasks rather than sorting every root found through `todos_parent` (as `openCondition`).
 */
function rootCondition(dialect: Dialect) {
  const root = sql<boolean>`parent_id is null`;
  return dialect === 'sqlite' ? sql<boolean>`likelihood(${root}, 0.9)` : root;
}

/** `textMatch` is the search index's matcher, so `q` means the same as in search. */
export function createTodosRepository(db: Kysely<DB>, dialect: Dialect, textMatch: TextMatcher) {
  function conditions(f: TodoFilter): Expression<SqlBool>[] {
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
    if (f.parentId !== undefined) conds.push(eb('parent_id', '=', f.parentId));
    if (f.rootOnly) conds.push(rootCondition(dialect));
    return conds;
  }

  const filtered = (conn: Db, f: TodoFilter) => whereAll(conn.selectFrom('todos'), conditions(f));

  /** How many todos match; with no filter, the trigger-kept count (migration 0014), not a scan. */
  async function count(f: TodoFilter, trx: Db = db): Promise<number> {
    if (conditions(f).length === 0) {
      const r = await trx.selectFrom('row_counts').select('n').where('name', '=', 'todos').executeTakeFirst();
      if (r) return Number(r.n);
    }
    const r = await filtered(trx, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** `fn` in one transaction (a given one is joined). */
  async function transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>, trx: Db = db): Promise<T> {
    return trx.isTransaction ? fn(trx as Transaction<DB>) : trx.transaction().execute(fn);
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
      return pageOf(
        () => filtered(trx, f),
        (q) => ordered(q.selectAll(), order, f),
        page,
        limit,
        () => count(f, trx),
      );
    },
    count,
    async all(f: TodoFilter, order: TodoOrder, max: number, trx: Db = db): Promise<TodoRow[]> {
      return ordered(filtered(trx, f).selectAll(), order, f).limit(max).execute();
    },

    transaction,

    /**
     * Serialises moves within the todo tree until the transaction ends, so two concurrent moves
     * cannot each pass the cycle check and together close a loop. SQLite needs nothing: its one
     * connection already runs transactions one at a time.
     */
    async lockTree(trx: Transaction<DB>): Promise<void> {
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${TREE_LOCK}::bigint)`.execute(trx);
    },

    /** Whether `id` is `from` or one of its ancestors (walking up parent links). */
    async isSelfOrAncestor(id: string, from: string, trx: Db = db): Promise<boolean> {
      // `union`, not `union all`: a loop in the data would end the walk instead of spinning.
      const { rows } = await sql<{ id: string }>`
        with recursive up (id) as (
          select ${from}
          union
          select t.parent_id from todos t join up on t.id = up.id where t.parent_id is not null
        )
        select id from up where id = ${id} limit 1`.execute(trx);
      return rows.length > 0;
    },

    /** Which of `ids` exist. */
    async existing(ids: readonly string[], trx: Db = db): Promise<Set<string>> {
      const found = new Set<string>();
      for (const chunk of chunks(ids))
        for (const r of await trx.selectFrom('todos').select('id').where('id', 'in', chunk).execute())
          found.add(r.id);
      return found;
    },

    /** The same change on every todo of `ids`; a status change keeps or sets `completed_at` as a single PATCH does. */
    async updateMany(ids: readonly string[], patch: TodoUpdate, now: string, trx: Db = db): Promise<void> {
      // Every SET expression reads the row as it was, so `status` here is the old status.
      const completedAt =
        patch.status === undefined
          ? {}
          : {
              completed_at: sql<string | null>`case when status = ${patch.status} then completed_at else ${
                patch.status === 'completed' ? sql`coalesce(completed_at, ${now})` : null
              } end`,
            };
      const set = { ...patch, ...completedAt };
      for (const chunk of chunks(ids))
        await trx.updateTable('todos').set(set).where('id', 'in', chunk).execute();
    },

    /**
     * Deletes the todos of `ids` with all their subtasks, deepest first so that no deleted row
     * still has children (the cascade never has to recurse). Answers the ids deleted, roots
     * before their subtasks.
     */
    async deleteTrees(ids: readonly string[], trx: Db = db): Promise<string[]> {
      if (!ids.length) return [];
      return transaction(async (t) => {
        const tree: Array<{ id: string; depth: number }> = [];
        for (const chunk of chunks(ids)) {
          const { rows } = await sql<{ id: string; depth: number }>`
            with recursive tree (id, depth) as (
              select id, 0 from todos where id in (${sql.join(chunk)})
              union all
              select t.id, tree.depth + 1 from todos t join tree on t.parent_id = tree.id
              where tree.depth < ${MAX_DEPTH}
            )
            select id, max(depth) as depth from tree group by id`.execute(t);
          tree.push(...rows);
        }
        const depthOf = new Map<string, number>();
        for (const r of tree) depthOf.set(r.id, Math.max(Number(r.depth), depthOf.get(r.id) ?? 0));
        const byDepth = [...depthOf].sort((a, b) => b[1] - a[1]);
        // What this transaction removed: a row another one deleted meanwhile is not counted.
        const gone = new Set<string>();
        for (let i = 0; i < byDepth.length;) {
          const depth = byDepth[i]![1];
          const level: string[] = [];
          for (; i < byDepth.length && byDepth[i]![1] === depth; i++) level.push(byDepth[i]![0]);
          for (const chunk of chunks(level)) {
            const rows = await t.deleteFrom('todos').where('id', 'in', chunk).returning('id').execute();
            for (const row of rows) gone.add(row.id);
          }
        }
        return byDepth
          .reverse()
          .map(([id]) => id)
          .filter((id) => gone.has(id));
      }, trx);
    },
  };
}

/** The advisory lock key of moves in the todo tree (any constant no other lock uses). */
const TREE_LOCK = 7_117_101;
/** A walk down the tree stops here; deeper subtasks still go, through the foreign key's cascade. */
const MAX_DEPTH = 10_000;

/** Bound parameter lists: SQLite and PostgreSQL both cap the variables of one statement. */
function chunks<T>(items: readonly T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
