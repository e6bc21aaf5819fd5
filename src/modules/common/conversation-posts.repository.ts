/**
 * The rows a background writer (the daily briefing, agent-task results) needs to post into the
 * chat without going through a turn: its titled conversation and the message itself.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ConversationRow, DB, MessageRow } from '../../db/schema.js';

type Db = Kysely<DB> | Transaction<DB>;

export function createConversationPostsRepository(db: Kysely<DB>) {
  return {
    /** The oldest conversation with exactly this title (archived ones too). */
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
    async insertMessage(row: MessageRow, trx: Db = db): Promise<void> {
      await trx.insertInto('messages').values(row).execute();
    },
  };
}
