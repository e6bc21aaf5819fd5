import { expressionBuilder, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DB, MemoRow, MemoUpdate, NewMemoRow } from '../../db/schema.js';
import { hasTag, pageOf, whereAll } from '../common/items.js';
import type { TextMatcher } from '../search/search.repository.js';

export interface MemoFilter {
  q?: string;
  tag?: string;
}

export type MemosRepository = ReturnType<typeof createMemosRepository>;
type Db = Kysely<DB> | Transaction<DB>;

/** `textMatch` is the search index's matcher, so `q` means the same as in search. */
export function createMemosRepository(db: Kysely<DB>, textMatch: TextMatcher) {
  function filtered(conn: Db, f: MemoFilter) {
    const eb = expressionBuilder<DB, 'memos'>();
    const conds: Expression<SqlBool>[] = [];
    if (f.tag !== undefined) conds.push(hasTag(eb, 'tags', f.tag));
    if (f.q !== undefined) conds.push(textMatch('memo', f.q));
    return whereAll(conn.selectFrom('memos'), conds);
  }
  return {
    async insert(row: NewMemoRow, trx: Db = db): Promise<void> {
      await trx.insertInto('memos').values(row).execute();
    },
    async find(id: string, trx: Db = db): Promise<MemoRow | undefined> {
      return trx.selectFrom('memos').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async update(id: string, patch: MemoUpdate, trx: Db = db): Promise<void> {
      await trx.updateTable('memos').set(patch).where('id', '=', id).execute();
    },
    async delete(id: string, trx: Db = db): Promise<boolean> {
      const res = await trx.deleteFrom('memos').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    /** Newest change first; ties broken by id so pages never repeat or skip. */
    async list(f: MemoFilter, page: number, limit: number, trx: Db = db) {
      return pageOf(
        () => filtered(trx, f),
        (q) => q.selectAll().orderBy('updated_at', 'desc').orderBy('id', 'desc'),
        page,
        limit,
      );
    },
  };
}
