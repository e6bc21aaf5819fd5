/**
 * The SQL the briefing needs: the one "Daily Briefing" conversation and its messages (kept
 * here rather than borrowed from the chat module, so the briefing does not depend on chat's
 * service), and the running agent tasks.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ConversationRow, DB, MessageRow } from '../../db/schema.js';

type Db = Kysely<DB> | Transaction<DB>;

export type BriefingRepository = ReturnType<typeof createBriefingRepository>;

export function createBriefingRepository(db: Kysely<DB>) {
  return {
    /** The oldest conversation with this exact title (archived ones too). */
    async conversationByTitle(title: string, trx: Db = db): Promise<ConversationRow | undefined> {
      return trx
        .selectFrom('conversations')
        .selectAll()
        .where('title', '=', title)
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
    },
    async insertConversation(row: ConversationRow, trx: Db = db): Promise<void> {
      await trx.insertInto('conversations').values(row).execute();
    },
    async touchConversation(id: string, updatedAt: string, trx: Db = db): Promise<void> {
      await trx.updateTable('conversations').set({ updated_at: updatedAt }).where('id', '=', id).execute();
    },
    async insertMessage(row: MessageRow, trx: Db = db): Promise<void> {
      await trx.insertInto('messages').values(row).execute();
    },
    async runningAgentTasks(limit = 20) {
      return db
        .selectFrom('agent_tasks')
        .select(['id', 'task_type', 'instruction', 'started_at'])
        .where('status', '=', 'running')
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
    },
  };
}
