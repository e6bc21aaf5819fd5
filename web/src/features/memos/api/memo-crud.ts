/** Read, create, change and delete one memo; every success invalidates the memo keys. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';
import { memoKeys, type Memo } from './keys';

export type MemoInput = { content: string; title?: string | null; tags?: string[] };

export function useMemoItem(id: string | null) {
  return useQuery({
    queryKey: memoKeys.one(id ?? ''),
    queryFn: async () => unwrap(await api.GET('/api/memos/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: !!id,
  });
}

export async function saveMemo(id: string | null, body: MemoInput): Promise<Memo> {
  if (id) return unwrap(await api.PATCH('/api/memos/{id}', { params: { path: { id } }, body }));
  return unwrap(await api.POST('/api/memos', { body }));
}

export function useSaveMemo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: MemoInput & { id: string | null }) => saveMemo(id, body),
    onSettled: () => qc.invalidateQueries({ queryKey: memoKeys.all }),
  });
}

export async function deleteMemo(id: string): Promise<void> {
  const res = await api.DELETE('/api/memos/{id}', { params: { path: { id } } });
  if (res.error) unwrap(res);
}

export function useDeleteMemo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: deleteMemo,
    onSettled: () => qc.invalidateQueries({ queryKey: memoKeys.all }),
  });
}
