import type { Kysely } from 'kysely';
import type { AttachmentRow, DB } from '../../db/schema.js';

export type AttachmentsRepository = ReturnType<typeof createAttachmentsRepository>;

export type AttachmentOwner = { memo_id: string } | { todo_id: string };

export function createAttachmentsRepository(db: Kysely<DB>) {
  return {
    async insert(row: AttachmentRow): Promise<void> {
      await db.insertInto('attachments').values(row).execute();
    },
    async find(id: string): Promise<AttachmentRow | undefined> {
      return db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Newest first; ties by id so the order is stable. */
    async listFor(owner: AttachmentOwner): Promise<AttachmentRow[]> {
      const q = db.selectFrom('attachments').selectAll();
      return (
        'memo_id' in owner ? q.where('memo_id', '=', owner.memo_id) : q.where('todo_id', '=', owner.todo_id)
      )
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
    },
    async delete(id: string): Promise<boolean> {
      const res = await db.deleteFrom('attachments').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    /** Rows whose memo or todo was deleted (the foreign keys set both to null). */
    async orphans(): Promise<string[]> {
      const rows = await db
        .selectFrom('attachments')
        .select('id')
        .where('memo_id', 'is', null)
        .where('todo_id', 'is', null)
        .execute();
      return rows.map((r) => r.id);
    },
    async ownerExists(owner: AttachmentOwner): Promise<boolean> {
      const row =
        'memo_id' in owner
          ? await db.selectFrom('memos').select('id').where('id', '=', owner.memo_id).executeTakeFirst()
          : await db.selectFrom('todos').select('id').where('id', '=', owner.todo_id).executeTakeFirst();
      return row !== undefined;
    },
    /** Which of these ids still have a row (the start-up sweep keeps only those files). */
    async existing(ids: string[]): Promise<Set<string>> {
      const found = new Set<string>();
      // In slices: a database caps the parameters of one statement.
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom('attachments')
          .select('id')
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
        for (const r of rows) found.add(r.id);
      }
      return found;
    },
    async totalBytes(): Promise<number> {
      const row = await db
        .selectFrom('attachments')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('size_bytes'), eb.val(0)).as('total'))
        .executeTakeFirstOrThrow();
      return Number(row.total);
    },
  };
}
