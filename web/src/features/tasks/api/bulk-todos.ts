import { useMutation, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';
import { todoKeys, type Priority, type Status } from './keys';

export type BulkChange = { ids: string[]; status?: Status; priority?: Priority; delete?: boolean };

export async function bulkTodos(body: BulkChange) {
  return unwrap(await api.PATCH('/api/todos/bulk', { body }));
}

export function useBulkTodos() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: bulkTodos,
    onSettled: () => qc.invalidateQueries({ queryKey: todoKeys.all }),
  });
}
