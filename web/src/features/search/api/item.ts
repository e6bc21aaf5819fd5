import { useQuery } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';
import type { SearchHit } from './search';

/** The full item behind a search hit (memo, todo or event), to show it beside the results. */
export function useHitItem(hit: SearchHit | null) {
  return useQuery({
    queryKey: ['search', 'item', hit?.type, hit?.id],
    enabled: hit !== null && hit.type !== 'message',
    queryFn: async () => {
      const id = hit!.id;
      const path = { params: { path: { id } } };
      if (hit!.type === 'memo')
        return { type: 'memo' as const, memo: unwrap(await api.GET('/api/memos/{id}', path)) };
      if (hit!.type === 'todo')
        return { type: 'todo' as const, todo: unwrap(await api.GET('/api/todos/{id}', path)) };
      return { type: 'event' as const, event: unwrap(await api.GET('/api/events/{id}', path)) };
    },
  });
}
