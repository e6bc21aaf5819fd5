/**
 * The SQL the briefing needs: the one "Daily Briefing" conversation and its messages (kept
 * here rather than borrowed from the chat module, so the briefing does not depend on chat's
 * service), and the running agent tasks.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { createConversationPostsRepository } from '../common/conversation-posts.repository.js';

type Db = Kysely<DB> | Transaction<DB>;

export type BriefingRepository = ReturnType<typeof createBriefingRepository>;

export function createBriefingRepository(db: Kysely<DB>) {
  return {
    ...createConversationPostsRepository(db),
    async touchConversation(id: string, updatedAt: string, trx: Db = db): Promise<void> {
      await trx.updateTable('conversations').set({ updated_at: updatedAt }).where('id', '=', id).execute();
    },
    /** The newest briefings posted in a conversation (their metadata names their local date). */
    async latestBriefings(conversationId: string, limit = 3) {
      return db
        .selectFrom('messages')
        .select(['content', 'metadata', 'created_at'])
        .where('conversation_id', '=', conversationId)
        .where('intent', '=', 'daily_briefing')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
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
