import type { Schemas } from '../../../lib/api';

export type Memo = Schemas['Memo'];

/** Every memo query starts with 'memos', so one invalidation refreshes lists and details. */
export const memoKeys = {
  all: ['memos'] as const,
  list: (q: string) => ['memos', 'list', q] as const,
  one: (id: string) => ['memos', 'one', id] as const,
};
