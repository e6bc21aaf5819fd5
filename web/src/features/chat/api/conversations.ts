import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';
import { chatKeys } from './keys';

export function useConversations(archived = false) {
  return useQuery({
    queryKey: chatKeys.conversations(archived),
    queryFn: async () =>
      unwrap(await api.GET('/api/chat/conversations', { params: { query: { limit: 100, archived } } })).items,
  });
}

export function useCreateConversation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/chat/conversations', { body: {} })),
    onSuccess: () => qc.invalidateQueries({ queryKey: chatKeys.allConversations }),
  });
}

export function useUpdateConversation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { id: string; title?: string; is_archived?: boolean }) =>
      unwrap(
        await api.PATCH('/api/chat/conversations/{id}', {
          params: { path: { id: v.id } },
          body: { title: v.title, is_archived: v.is_archived },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: chatKeys.allConversations }),
  });
}

export function useDeleteConversation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const res = await api.DELETE('/api/chat/conversations/{id}', {
        params: { path: { id }, query: { permanent: true } },
      });
      if (res.error) unwrap(res);
    },
    onSuccess: (_v, id) => {
      qc.removeQueries({ queryKey: chatKeys.messages(id) });
      return qc.invalidateQueries({ queryKey: chatKeys.allConversations });
    },
  });
}
