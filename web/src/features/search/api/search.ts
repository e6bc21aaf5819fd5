import { keepPreviousData, useQuery } from '@tanstack/preact-query';
import { api, unwrap, type Schemas } from '../../../lib/api';

export type SearchHit = Schemas['SearchHit'];
export type SearchType = 'todos' | 'events' | 'memos' | 'messages';

export const searchKeys = {
  all: ['search'] as const,
  query: (q: string, types: SearchType[]) => ['search', q, types.join(',')] as const,
};

export async function search(q: string, types: SearchType[]) {
  return unwrap(
    await api.GET('/api/search', {
      params: { query: { q, types: types.join(','), limit: 50 } },
    }),
  );
}

export function useSearch(q: string, types: SearchType[]) {
  return useQuery({
    queryKey: searchKeys.query(q, types),
    queryFn: () => search(q, types),
    enabled: q.trim().length > 0 && types.length > 0,
    placeholderData: keepPreviousData,
  });
}
