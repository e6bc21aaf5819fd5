import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';

export const adminKeys = { ai: ['admin', 'ai'] as const, sessions: ['admin', 'sessions'] as const };

export function useAiStatus() {
  return useQuery({ queryKey: adminKeys.ai, queryFn: async () => unwrap(await api.GET('/api/admin/ai')) });
}

export function useTestAi() {
  return useMutation({ mutationFn: async () => unwrap(await api.POST('/api/admin/ai/test')) });
}

export function useSessions() {
  return useQuery({
    queryKey: adminKeys.sessions,
    queryFn: async () => unwrap(await api.GET('/api/admin/sessions')).items,
  });
}

export function useDisconnectSession() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST('/api/admin/sessions/{id}/disconnect', { params: { path: { id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: adminKeys.sessions }),
  });
}

export function useBackup() {
  return useMutation({ mutationFn: async () => unwrap(await api.POST('/api/admin/db/backup')) });
}
