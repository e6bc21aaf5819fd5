import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap, type Schemas } from '../../../lib/api';
import { todoKeys } from './keys';

export type Relationship = Schemas['TaskRelationship'];
export type RelationshipType = Relationship['relationship_type'];

export function useRelationships(todoId: string) {
  return useQuery({
    queryKey: todoKeys.relationships(todoId),
    queryFn: async () =>
      unwrap(await api.GET('/api/task-relationships', { params: { query: { todo_id: todoId } } })),
  });
}

export function useAddRelationship(todoId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { target_todo_id: string; relationship_type: RelationshipType }) =>
      unwrap(await api.POST('/api/task-relationships', { body: { source_todo_id: todoId, ...body } })),
    onSettled: () => qc.invalidateQueries({ queryKey: todoKeys.relationships(todoId) }),
  });
}

export function useRemoveRelationship(todoId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const res = await api.DELETE('/api/task-relationships/{id}', { params: { path: { id } } });
      if (res.error) unwrap(res);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: todoKeys.relationships(todoId) }),
  });
}
