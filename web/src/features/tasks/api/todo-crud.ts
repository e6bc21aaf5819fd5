/** Create, change and delete one todo; every success invalidates the todo keys. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap } from '../../../lib/api';
import { todoKeys, type Todo } from './keys';

export type TodoInput = {
  title: string;
  description?: string | null;
  status?: Todo['status'];
  priority?: Todo['priority'];
  due_date?: string | null;
  tags?: string[];
  parent_id?: string | null;
  sort_order?: number;
};

export async function createTodo(body: TodoInput): Promise<Todo> {
  return unwrap(await api.POST('/api/todos', { body }));
}

export async function updateTodo(id: string, body: Partial<TodoInput>): Promise<Todo> {
  return unwrap(await api.PATCH('/api/todos/{id}', { params: { path: { id } }, body }));
}

export async function deleteTodo(id: string): Promise<void> {
  const res = await api.DELETE('/api/todos/{id}', { params: { path: { id } } });
  if (res.error) unwrap(res);
}

export function useTodo(id: string) {
  return useQuery({
    queryKey: todoKeys.one(id),
    queryFn: async () => unwrap(await api.GET('/api/todos/{id}', { params: { path: { id } } })),
  });
}

export function useSubtasks(id: string) {
  return useQuery({
    queryKey: todoKeys.subtasks(id),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/todos', {
          params: { query: { parent_id: id, sort: 'sort_order', limit: 1000 } },
        }),
      ).items,
  });
}

export function useCreateTodo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createTodo,
    onSettled: () => qc.invalidateQueries({ queryKey: todoKeys.all }),
  });
}

export function useUpdateTodo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: Partial<TodoInput> & { id: string }) => updateTodo(id, body),
    onSettled: () => qc.invalidateQueries({ queryKey: todoKeys.all }),
  });
}

export function useDeleteTodo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: deleteTodo,
    onSettled: () => qc.invalidateQueries({ queryKey: todoKeys.all }),
  });
}
