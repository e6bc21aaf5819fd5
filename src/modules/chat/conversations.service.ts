/** Conversations: list, create, read (with the newest messages), rename/archive, delete. */
import { notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { conversationOrThrow, type ChatContext } from './chat.context.js';
import { toConversation, toMessage } from './chat.mappers.js';
import type {
  Conversation,
  ConversationCreate,
  ConversationListQuery,
  ConversationPatch,
  Message,
} from './chat.schemas.js';

const CONVERSATION_MESSAGES = 50;

export function createConversationsService(c: ChatContext) {
  const { conversations, messages, publish } = c;
  const nowIso = () => c.clock.now().toISOString();

  async function publishConversation(id: string): Promise<Conversation | null> {
    const row = await conversations.findWithPreview(id);
    if (!row) return null;
    const conversation = toConversation(row);
    publish('conversation_updated', { conversation_id: id, title: conversation.title, conversation });
    return conversation;
  }

  return {
    async listConversations(query: ConversationListQuery) {
      const page = query.page ?? 1;
      const limit = query.limit ?? 20;
      const { rows, total } = await conversations.list(query.archived ?? false, page, limit);
      return { items: rows.map(toConversation), total, page, limit };
    },

    async createConversation(input: ConversationCreate = {}): Promise<Conversation> {
      const at = nowIso();
      const id = newId('conv');
      await conversations.insert({
        id,
        title: input.title?.trim() ?? '',
        is_archived: 0,
        created_at: at,
        updated_at: at,
      });
      return (await publishConversation(id))!;
    },

    async getConversation(id: string): Promise<Conversation & { messages: Message[] }> {
      const row = await conversations.findWithPreview(id);
      if (!row) throw notFound('Conversation', id);
      const recent = await messages.newest(id, CONVERSATION_MESSAGES);
      return { ...toConversation(row), messages: recent.map(toMessage) };
    },

    async updateConversation(id: string, patch: ConversationPatch): Promise<Conversation> {
      const current = await conversationOrThrow(c, id);
      const set: { title?: string; is_archived?: number; updated_at?: string } = {};
      if (patch.title !== undefined && patch.title.trim() !== current.title) set.title = patch.title.trim();
      if (patch.is_archived !== undefined && Number(patch.is_archived) !== current.is_archived)
        set.is_archived = patch.is_archived ? 1 : 0;
      if (Object.keys(set).length === 0) return toConversation((await conversations.findWithPreview(id))!);
      set.updated_at = nowIso();
      await conversations.update(id, set);
      return (await publishConversation(id))!;
    },

    /** Archives by default; `permanent` deletes it with its messages (items it created stay, unlinked). */
    async removeConversation(id: string, permanent: boolean): Promise<void> {
      const current = await conversationOrThrow(c, id);
      if (!permanent) {
        if (current.is_archived !== 1) {
          await conversations.update(id, { is_archived: 1, updated_at: nowIso() });
          await publishConversation(id);
        }
        return;
      }
      const before = toConversation({ ...current, preview: null });
      c.runner.abortConversation(id);
      c.elsewhere?.abortConversation(id);
      await conversations.delete(id);
      publish('conversation_updated', {
        conversation_id: id,
        title: before.title,
        conversation: before,
        deleted: true,
      });
    },
  };
}
