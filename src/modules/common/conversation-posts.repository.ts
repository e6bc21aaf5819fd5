/**
 * The rows a background writer (the daily briefing, agent-task results) needs to post into the
 * chat without going through a turn: its titled conversation and the message itself.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ConversationRow, DB, MessageRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';

type Db = Kysely<DB> | Transaction<DB>;

export function createConversationPostsRepository(db: Kysely<DB>) {
  /** The oldest conversation with exactly this title (archived ones too). */
  async function conversationByTitle(title: string, trx: Db = db): Promise<ConversationRow | undefined> {
    return trx
      .selectFrom('conversations')
      .selectAll()
      .where('title', '=', title)
      .orderBy('created_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
  }

  return {
    conversationByTitle,
    /**
     * The conversation a writer posts into: the oldest titled `title`, started at `at` when there
     * is none. Two writers racing for the first one need the title locked first (agent tasks).
     */
    async titledConversation(title: string, at: string, trx: Db = db): Promise<ConversationRow> {
      const found = await conversationByTitle(title, trx);
      if (found) return found;
      const row: ConversationRow = {
        id: newId('conv'),
        title,
        is_archived: 0,
        created_at: at,
        updated_at: at,
      };
      await trx.insertInto('conversations').values(row).execute();
      return row;
    },
    async insertMessage(row: MessageRow, trx: Db = db): Promise<void> {
      await trx.insertInto('messages').values(row).execute();
    },
  };
}
