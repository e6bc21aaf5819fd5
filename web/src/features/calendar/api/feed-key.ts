import { useMutation } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';

/** Creates (or replaces, revoking the old one) the calendar feed secret; answers the subscription URL. */
export function useFeedKey() {
  return useMutation({ mutationFn: async () => unwrap(await api.POST('/api/calendar/feed-key')) });
}
