import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';
import type { ChatMessage } from '../../../lib/frames';
import { addMessageIfMissing, chatKeys } from './keys';

/** The newest window of a conversation (oldest first); older pages are prepended on demand. */
export function useMessages(conversationId: string) {
  return useQuery({
    queryKey: chatKeys.messages(conversationId),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/chat/conversations/{id}/messages', {
          params: { path: { id: conversationId }, query: { limit: 100 } },
        }),
      ).items as ChatMessage[],
  });
}

export async function loadOlder(
  qc: ReturnType<typeof useQueryClient>,
  conversationId: string,
): Promise<number> {
  const list = qc.getQueryData<ChatMessage[]>(chatKeys.messages(conversationId));
  const first = list?.[0];
  if (!first) return 0;
  const page = unwrap(
    await api.GET('/api/chat/conversations/{id}/messages', {
      params: { path: { id: conversationId }, query: { before: first.id, limit: 200 } },
    }),
  );
  const older = page.items as ChatMessage[];
  qc.setQueryData<ChatMessage[]>(chatKeys.messages(conversationId), (cur) => {
    const seen = new Set(cur?.map((m) => m.id));
    return [...older.filter((m) => !seen.has(m.id)), ...(cur ?? [])];
  });
  return older.length;
}

export function useSendMessage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { conversationId: string | null; content: string; clientMessageId: string }) =>
      unwrap(
        await api.POST('/api/chat/send', {
          body: {
            conversation_id: v.conversationId ?? undefined,
            content: v.content,
            client_message_id: v.clientMessageId,
          },
        }),
      ),
    onSuccess: (res, v) => {
      const now = new Date().toISOString();
      const base = {
        conversation_id: res.conversation_id,
        intent: null,
        metadata: null,
        created_at: now,
      } as const;
      addMessageIfMissing(qc, {
        ...base,
        id: res.user_message_id,
        role: 'user',
        content: v.content,
        message_type: 'text',
        status: 'complete',
      });
      addMessageIfMissing(qc, {
        ...base,
        id: res.message_id,
        role: 'assistant',
        content: '',
        message_type: 'text',
        status: 'streaming',
      });
      void qc.invalidateQueries({ queryKey: chatKeys.allConversations });
    },
  });
}

/** Replies this tab asked to stop: `stream_end` carries no status, so they end as `stopped`. */
export const stopRequested = new Set<string>();

export function useStopReply() {
  return useMutation({
    mutationFn: async (messageId: string) => {
      stopRequested.add(messageId);
      const res = await api.POST('/api/chat/messages/{message_id}/stop', {
        params: { path: { message_id: messageId } },
      });
      if (res.error) unwrap(res);
    },
  });
}

export function useRegenerate() {
  return useMutation({
    mutationFn: async (v: { conversationId: string; messageId: string }) =>
      unwrap(
        await api.POST('/api/chat/conversations/{id}/regenerate', {
          params: { path: { id: v.conversationId } },
          body: { message_id: v.messageId },
        }),
      ),
  });
}
