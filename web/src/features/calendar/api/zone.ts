import { useQuery } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';

/** The owner's zone (GET /api/settings, the same cache entry Settings uses). */
export function useOwnerZone() {
  return useQuery({
    queryKey: ['settings'],
    queryFn: async () => unwrap(await api.GET('/api/settings')),
    select: (s) => s.timezone,
  });
}
