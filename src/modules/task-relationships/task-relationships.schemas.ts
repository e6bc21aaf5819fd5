import { Type, type Static } from '@sinclair/typebox';
import { IdInput, Timestamp } from '../common/schemas.js';

export const RELATIONSHIP_TYPES = ['blocks', 'blocked_by', 'related', 'duplicate_of'] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

const TodoId = IdInput();

export const TaskRelationship = Type.Object(
  {
    id: Type.String({ description: '`trel_...`' }),
    source_todo_id: Type.String(),
    target_todo_id: Type.String(),
    relationship_type: Type.Unsafe<RelationshipType>({ type: 'string', enum: [...RELATIONSHIP_TYPES] }),
    created_at: Timestamp,
  },
  { $id: 'TaskRelationship' },
);
export type TaskRelationship = Static<typeof TaskRelationship>;

/**
 * `relationship_type` is any string here: an unknown type is well-formed but meaningless, a
 * 422 from the service (COMPAT.md), not a 400 from the schema.
 */
export const TaskRelationshipCreate = Type.Object({
  source_todo_id: TodoId,
  target_todo_id: TodoId,
  relationship_type: Type.String({ maxLength: 50, description: RELATIONSHIP_TYPES.join(' | ') }),
});
export type TaskRelationshipCreate = Static<typeof TaskRelationshipCreate>;

export const TaskRelationshipQuery = Type.Object({
  todo_id: IdInput({ description: 'Links where this todo is the source or the target' }),
});
