/**
 * Typed links between two todos (COMPAT.md "Todos"): `blocks`, `blocked_by`, `related`,
 * `duplicate_of`. A link is unique per (source, target, type) and goes with either todo
 * (foreign keys, migration 0011). A change is published as a change of both todos, the
 * module the apps refresh their links with.
 */
import { isForeignKeyViolation } from '../../db/constraints.js';
import type { TaskRelationshipRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { conflict, notFound, unprocessable } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { EventSink } from '../../realtime/events.js';
import type { TaskRelationshipsRepository } from './task-relationships.repository.js';
import {
  RELATIONSHIP_TYPES,
  type RelationshipType,
  type TaskRelationship,
  type TaskRelationshipCreate,
} from './task-relationships.schemas.js';

export interface TaskRelationshipsServiceDeps {
  repo: TaskRelationshipsRepository;
  clock: Clock;
  publish: EventSink;
}

export type TaskRelationshipsService = ReturnType<typeof createTaskRelationshipsService>;

const toRelationship = (row: TaskRelationshipRow): TaskRelationship => ({
  ...row,
  relationship_type: row.relationship_type as RelationshipType,
});

export function createTaskRelationshipsService(deps: TaskRelationshipsServiceDeps) {
  const { repo, clock } = deps;

  function touched(row: TaskRelationshipRow): void {
    for (const id of new Set([row.source_todo_id, row.target_todo_id]))
      deps.publish('module_data_changed', { module: 'todos', action: 'updated', id });
  }

  return {
    async list(todoId: string): Promise<TaskRelationship[]> {
      if (!(await repo.existingTodos([todoId])).has(todoId)) throw notFound('Todo', todoId);
      return (await repo.ofTodo(todoId)).map(toRelationship);
    },

    async create(input: TaskRelationshipCreate): Promise<TaskRelationship> {
      const type = input.relationship_type;
      if (!(RELATIONSHIP_TYPES as readonly string[]).includes(type))
        throw unprocessable(
          'relationship_type',
          `relationship_type must be one of ${RELATIONSHIP_TYPES.join(', ')}`,
        );
      if (input.source_todo_id === input.target_todo_id)
        throw unprocessable('target_todo_id', 'A todo cannot be linked to itself');
      const known = await repo.existingTodos([input.source_todo_id, input.target_todo_id]);
      for (const field of ['source_todo_id', 'target_todo_id'] as const)
        if (!known.has(input[field])) throw notFound('Todo', input[field]);
      const row: TaskRelationshipRow = {
        id: newId('trel'),
        source_todo_id: input.source_todo_id,
        target_todo_id: input.target_todo_id,
        relationship_type: type,
        created_at: clock.now().toISOString(),
      };
      let inserted: boolean;
      try {
        inserted = await repo.insert(row);
      } catch (err) {
        // One of the todos was deleted since the check above.
        if (isForeignKeyViolation(err)) throw notFound('Todo');
        throw err;
      }
      if (!inserted)
        throw conflict('These todos are already linked this way', {
          source_todo_id: row.source_todo_id,
          target_todo_id: row.target_todo_id,
          relationship_type: type,
        });
      touched(row);
      return toRelationship(row);
    },

    async remove(id: string): Promise<void> {
      const row = await repo.delete(id);
      if (!row) throw notFound('Task relationship', id);
      touched(row);
    },
  };
}
