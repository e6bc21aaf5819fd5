import type { QueryClient } from '@tanstack/preact-query';
import type { ChatMessage } from '../../../lib/frames';

export const chatKeys = {
  conversations: (archived: boolean) => ['chat', 'conversations', { archived }] as const,
  allConversations: ['chat', 'conversations'] as const,
  messages: (conversationId: string) => ['chat', 'messages', conversationId] as const,
};

/** Inserts or replaces one message in its conversation's cached list (oldest first). */
export function upsertMessage(qc: QueryClient, message: ChatMessage): void {
  qc.setQueryData<ChatMessage[]>(chatKeys.messages(message.conversation_id), (list) => {
    if (!list) return list;
    const i = list.findIndex((m) => m.id === message.id);
    if (i >= 0) {
      const next = list.slice();
      next[i] = { ...list[i], ...message };
      return next;
    }
    return [...list, message];
  });
}

/** Adds a message unless a frame already brought it (frames may beat the 202). */
export function addMessageIfMissing(qc: QueryClient, message: ChatMessage): void {
  qc.setQueryData<ChatMessage[]>(chatKeys.messages(message.conversation_id), (list) =>
    !list || list.some((m) => m.id === message.id) ? list : [...list, message],
  );
}

export function patchMessage(
  qc: QueryClient,
  conversationId: string,
  id: string,
  patch: Partial<ChatMessage>,
): void {
  qc.setQueryData<ChatMessage[]>(chatKeys.messages(conversationId), (list) =>
    list?.map((m) => (m.id === id ? { ...m, ...patch } : m)),
  );
}

export function removeMessage(qc: QueryClient, conversationId: string, id: string): void {
  qc.setQueryData<ChatMessage[]>(chatKeys.messages(conversationId), (list) =>
    list?.filter((m) => m.id !== id),
  );
}

/** The conversation a message id belongs to, from whatever lists are cached. */
export function findConversationOf(qc: QueryClient, messageId: string): string | null {
  for (const [key, list] of qc.getQueriesData<ChatMessage[]>({ queryKey: ['chat', 'messages'] })) {
    if (list?.some((m) => m.id === messageId)) return key[2] as string;
  }
  return null;
}
