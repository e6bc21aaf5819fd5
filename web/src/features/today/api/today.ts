import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';

export const todayKeys = { today: ['today'] as const, briefing: ['today', 'briefing'] as const };

export function useToday() {
  return useQuery({
    queryKey: todayKeys.today,
    queryFn: async () => unwrap(await api.GET('/api/today')),
  });
}

export function useCompleteTodo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.PATCH('/api/todos/{id}', { params: { path: { id } }, body: { status: 'completed' } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: todayKeys.today }),
  });
}

const BRIEFING_TITLE = 'Daily Briefing';

/** The newest briefing: the last message of the briefing conversation the server posts into. */
export function useBriefing() {
  return useQuery({
    queryKey: todayKeys.briefing,
    queryFn: async () => {
      const convs = unwrap(
        await api.GET('/api/chat/conversations', { params: { query: { limit: 100 } } }),
      ).items;
      const conv = convs.find((c) => c.title === BRIEFING_TITLE);
      if (!conv) return null;
      const page = unwrap(
        await api.GET('/api/chat/conversations/{id}/messages', {
          params: { path: { id: conv.id }, query: { limit: 1 } },
        }),
      );
      const last = page.items.at(-1);
      if (!last) return null;
      const card = last.metadata?.card as { card_type?: string; payload?: { text?: string } } | undefined;
      return {
        conversationId: conv.id,
        text: card?.card_type === 'briefing' && card.payload?.text ? card.payload.text : last.content,
        at: last.created_at,
      };
    },
  });
}
