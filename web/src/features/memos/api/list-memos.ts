import { useInfiniteQuery } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';
import { memoKeys } from './keys';

export async function listMemos(q: string, page: number) {
  return unwrap(
    await api.GET('/api/memos', { params: { query: { q: q.trim() || undefined, page, limit: 100 } } }),
  );
}

export function useMemoList(q: string) {
  return useInfiniteQuery({
    queryKey: memoKeys.list(q),
    queryFn: ({ pageParam }) => listMemos(q, pageParam),
    initialPageParam: 1,
    getNextPageParam: (last) => (last.page * last.limit < last.total ? last.page + 1 : undefined),
    staleTime: 0,
  });
}
