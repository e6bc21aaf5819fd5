/**
 * All SQL on `messages`. Order is (created_at, id) everywhere: ids are time-ordered, so equal
 * timestamps still sort in creation order and pages never repeat or skip.
 */
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { DB, MessageRow } from '../../db/schema.js';

type Db = Kysely<DB> | Transaction<DB>;

export type MessageUpdate = Partial<
  Pick<MessageRow, 'content' | 'message_type' | 'status' | 'intent' | 'metadata'>
>;

/** A position in a conversation, for cursors. */
export interface MessagePosition {
  created_at: string;
  id: string;
}

/** Which way from a position a cursor reads. */
type Side = 'older' | 'newer';

/** The messages strictly on `side` of `p` in (created_at, id) order. */
function beyond(eb: ExpressionBuilder<DB, 'messages'>, p: MessagePosition, side: Side) {
  const op = side === 'older' ? '<' : '>';
  return eb.or([
    eb('created_at', op, p.created_at),
    eb.and([eb('created_at', '=', p.created_at), eb('id', op, p.id)]),
  ]);
}

/** A conversation's messages, newest first (ties by id). */
const newestFirst = (trx: Db, conversationId: string) =>
  trx
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');

export type MessagesRepository = ReturnType<typeof createMessagesRepository>;

export function createMessagesRepository(db: Kysely<DB>) {
  /** The `limit` messages just on `side` of `p`, oldest first: what a cursor window shows. */
  const windowOn =
    (side: Side) =>
    async (
      conversationId: string,
      p: MessagePosition,
      limit: number,
      trx: Db = db,
    ): Promise<MessageRow[]> => {
      const direction = side === 'older' ? 'desc' : 'asc';
      const rows = await trx
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where((eb) => beyond(eb, p, side))
        .orderBy('created_at', direction)
        .orderBy('id', direction)
        .limit(limit)
        .execute();
      // Read nearest first so LIMIT keeps the nearest; an older window then reads back to front.
      return side === 'older' ? rows.reverse() : rows;
    };

  return {
    async insert(row: MessageRow, trx: Db = db): Promise<void> {
      await trx.insertInto('messages').values(row).execute();
    },
    async find(id: string, trx: Db = db): Promise<MessageRow | undefined> {
      return trx.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async update(id: string, patch: MessageUpdate, trx: Db = db): Promise<boolean> {
      const res = await trx.updateTable('messages').set(patch).where('id', '=', id).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async delete(id: string, trx: Db = db): Promise<boolean> {
      const res = await trx.deleteFrom('messages').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async count(conversationId: string, trx: Db = db): Promise<number> {
      const r = await trx
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('conversation_id', '=', conversationId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** The newest `limit` messages after skipping `offset` newer ones, returned oldest first. */
    async newest(conversationId: string, limit: number, offset = 0, trx: Db = db): Promise<MessageRow[]> {
      const rows = await newestFirst(trx, conversationId).limit(limit).offset(offset).execute();
      return rows.reverse();
    },
    /** The `limit` messages just older than `p`, oldest first. */
    before: windowOn('older'),
    /** The `limit` messages just newer than `p`, oldest first. */
    after: windowOn('newer'),
    /** The newest message older than `p` (optionally of one role). */
    async previous(
      conversationId: string,
      p: MessagePosition,
      role?: string,
      trx: Db = db,
    ): Promise<MessageRow | undefined> {
      let q = trx
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where((eb) => beyond(eb, p, 'older'));
      if (role !== undefined) q = q.where('role', '=', role);
      return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    },
    /** The newest assistant message of the conversation that is done streaming. */
    async lastAssistant(conversationId: string, trx: Db = db): Promise<MessageRow | undefined> {
      return trx
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('role', '=', 'assistant')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
    /** The text streamed so far, saved while the reply is still streaming (never over a finished row). */
    async saveStreaming(id: string, content: string, trx: Db = db): Promise<boolean> {
      const res = await trx
        .updateTable('messages')
        .set({ content })
        .where('id', '=', id)
        .where('status', '=', 'streaming')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    /**
     * Replies a crash (or a shutdown) left half-written become `failed` with
     * `metadata.truncated: true`, keeping the text saved while they streamed (start-up).
     */
    async failStreaming(trx: Db = db, createdBefore?: string): Promise<number> {
      const rows = await trx
        .selectFrom('messages')
        .select(['id', 'metadata'])
        .where('status', '=', 'streaming')
        // Several instances: only replies older than this (younger ones may be streaming elsewhere).
        .$if(createdBefore !== undefined, (q) => q.where('created_at', '<', createdBefore!))
        .execute();
      let failed = 0;
      for (const row of rows) {
        let metadata: Record<string, unknown> = {};
        try {
          const parsed = row.metadata === null ? null : (JSON.parse(row.metadata) as unknown);
          if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
            metadata = parsed as Record<string, unknown>;
        } catch {
          // Unreadable metadata is replaced.
        }
        const res = await trx
          .updateTable('messages')
          .set({ status: 'failed', metadata: JSON.stringify({ ...metadata, truncated: true }) })
          .where('id', '=', row.id)
          .where('status', '=', 'streaming')
          .executeTakeFirst();
        failed += Number(res.numUpdatedRows);
      }
      return failed;
    },
  };
}
