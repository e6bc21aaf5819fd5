import { useInfiniteQuery } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';
import { todoKeys, type TodoFilters } from './keys';

export const PAGE_SIZE = 100;

const ymd = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The due window as the server's due_before / due_after, in the browser's calendar days. */
function dueWindow(due: TodoFilters['due']): { due_before?: string; due_after?: string } {
  const today = new Date();
  const plus = (n: number) => ymd(new Date(today.getFullYear(), today.getMonth(), today.getDate() + n));
  switch (due) {
    case 'overdue':
      return { due_before: new Date().toISOString() };
    case 'today':
      return { due_after: ymd(today), due_before: plus(1) };
    case 'week':
      return { due_after: ymd(today), due_before: plus(7) };
    case '':
      return {};
  }
}

export async function listTodos(f: TodoFilters, page: number) {
  const status = f.status === 'open' ? 'pending,in_progress' : f.status || undefined;
  return unwrap(
    await api.GET('/api/todos', {
      params: {
        query: {
          status,
          priority: f.priority || undefined,
          tag: f.tag.trim() || undefined,
          q: f.q.trim() || undefined,
          sort: f.sort,
          root_only: true,
          page,
          limit: PAGE_SIZE,
          ...dueWindow(f.due),
        },
      },
    }),
  );
}

/** Pages of 100 root todos, loaded as the list scrolls. */
export function useTodoList(f: TodoFilters) {
  return useInfiniteQuery({
    queryKey: todoKeys.list(f),
    queryFn: ({ pageParam }) => listTodos(f, pageParam),
    initialPageParam: 1,
    getNextPageParam: (last) => (last.page * last.limit < last.total ? last.page + 1 : undefined),
    staleTime: 0,
  });
}
