/** All SQL on `conversations`; the list carries each conversation's newest message in one query. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ConversationRow, DB } from '../../db/schema.js';
import { offsetOf } from '../common/items.js';

type Db = Kysely<DB> | Transaction<DB>;

export type ConversationUpdate = Partial<Pick<ConversationRow, 'title' | 'is_archived' | 'updated_at'>>;

export interface ConversationWithPreview extends ConversationRow {
  preview: string | null;
}

export type ConversationsRepository = ReturnType<typeof createConversationsRepository>;

export function createConversationsRepository(db: Kysely<DB>) {
  /** Conversations with the first 100 characters of their newest non-empty message, in one query. */
  function withPreview(conn: Db) {
    return conn
      .selectFrom('conversations as c')
      .selectAll('c')
      .select(
        sql<string | null>`(select substr(m.content, 1, 100) from messages m
        where m.conversation_id = c.id and m.content <> ''
        order by m.created_at desc, m.id desc limit 1)`.as('preview'),
      );
  }

  return {
    async insert(row: ConversationRow, trx: Db = db): Promise<void> {
      await trx.insertInto('conversations').values(row).execute();
    },
    async find(id: string, trx: Db = db): Promise<ConversationRow | undefined> {
      return trx.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async findWithPreview(id: string, trx: Db = db): Promise<ConversationWithPreview | undefined> {
      return withPreview(trx).where('c.id', '=', id).executeTakeFirst();
    },
    async update(id: string, patch: ConversationUpdate, trx: Db = db): Promise<boolean> {
      const res = await trx.updateTable('conversations').set(patch).where('id', '=', id).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    /** Deletes the conversation; its messages go with it (FK cascade), items keep existing unlinked. */
    async delete(id: string, trx: Db = db): Promise<boolean> {
      const res = await trx.deleteFrom('conversations').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    /** Newest activity first, ties broken by id. */
    async list(archived: boolean, page: number, limit: number, trx: Db = db) {
      const flag = archived ? 1 : 0;
      const [rows, count] = await Promise.all([
        withPreview(trx)
          .where('c.is_archived', '=', flag)
          .orderBy('c.updated_at', 'desc')
          .orderBy('c.id', 'desc')
          .limit(limit)
          .offset(offsetOf(page, limit))
          .execute(),
        trx
          .selectFrom('conversations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('is_archived', '=', flag)
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.n) };
    },
  };
}
