import { Type, type Static } from '@sinclair/typebox';
import {
  IdInput,
  Nullable,
  Page,
  PageQuery,
  StringEnum,
  Tags,
  TimeInput,
  Timestamp,
} from '../common/schemas.js';

export const TODO_STATUSES = ['pending', 'in_progress', 'completed', 'cancelled'] as const;
export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TodoStatusName = (typeof TODO_STATUSES)[number];
export type PriorityName = (typeof PRIORITIES)[number];

export const TodoStatus = StringEnum(TODO_STATUSES);
export const Priority = StringEnum(PRIORITIES);

export const Todo = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    description: Nullable(Type.String()),
    status: TodoStatus,
    priority: Priority,
    due_date: Nullable(Timestamp),
    due_has_time: Type.Boolean(),
    completed_at: Nullable(Timestamp),
    tags: Type.Array(Type.String()),
    conversation_id: Nullable(Type.String()),
    message_id: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
    parent_id: Nullable(Type.String({ description: 'The parent todo of a subtask, else null' })),
    sort_order: Type.Integer({ description: 'Manual order the apps set (0 unless given)' }),
  },
  { $id: 'Todo' },
);
export type Todo = Static<typeof Todo>;

const Title = Type.String({ minLength: 1, maxLength: 500 });
const Description = Type.String({ maxLength: 10_000 });
const ParentId = IdInput({ description: 'Another todo: this one becomes its subtask' });
/** A 32-bit integer, as the column stores it on both databases. */
const SortOrder = Type.Integer({ minimum: -2_147_483_648, maximum: 2_147_483_647 });

export const TodoCreate = Type.Object({
  title: Title,
  description: Type.Optional(Nullable(Description)),
  status: Type.Optional(TodoStatus),
  priority: Type.Optional(Priority),
  due_date: Type.Optional(Nullable(TimeInput)),
  tags: Type.Optional(Tags),
  parent_id: Type.Optional(Nullable(ParentId)),
  sort_order: Type.Optional(SortOrder),
});
export type TodoCreate = Static<typeof TodoCreate>;

/** `title`, `status`, `priority`, `tags` and `sort_order` cannot be null; the rest can be cleared with null. */
export const TodoPatch = Type.Partial(TodoCreate);
export type TodoPatch = Static<typeof TodoPatch>;

export const TODO_SORTS = ['created_at', 'due_date', 'priority', 'updated_at', 'sort_order'] as const;

export const TodoListQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 200, description: 'One status or a comma list' })),
  priority: Type.Optional(Type.String({ maxLength: 200, description: 'One priority or a comma list' })),
  due_before: Type.Optional(TimeInput),
  due_after: Type.Optional(TimeInput),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  q: Type.Optional(Type.String({ maxLength: 500 })),
  sort: Type.Optional(
    StringEnum([...TODO_SORTS, ...TODO_SORTS.map((s) => `-${s}` as const)], { default: 'created_at' }),
  ),
  parent_id: Type.Optional(IdInput({ description: 'Only the direct subtasks of this todo' })),
  root_only: Type.Optional(Type.Boolean({ description: 'Only todos without a parent' })),
  order_by: Type.Optional(
    StringEnum(TODO_SORTS, {
      description: "The apps' name for `sort`; wins over it when given (priority asc = urgent first)",
    }),
  ),
  order_dir: Type.Optional(
    StringEnum(['asc', 'desc'] as const, { description: 'With order_by or sort: desc unless given' }),
  ),
  // The apps ask for up to 1000 at once (COMPAT.md); other lists keep API.md's bounds.
  ...PageQuery(20, 1000),
});
export type TodoListQuery = Static<typeof TodoListQuery>;

export const TodoPage = Page(Type.Ref(Todo));

/** `PATCH /api/todos/bulk`: one change applied to many todos, or their deletion. */
export const TodoBulk = Type.Object({
  ids: Type.Array(IdInput(), { minItems: 1, maxItems: 500 }),
  status: Type.Optional(TodoStatus),
  priority: Type.Optional(Priority),
  tags: Type.Optional(Tags),
  delete: Type.Optional(
    Type.Boolean({
      description: 'Delete the todos (and their subtasks) instead; other fields are then ignored',
    }),
  ),
});
export type TodoBulk = Static<typeof TodoBulk>;

export const TodoBulkResult = Type.Object({
  updated: Type.Integer({ description: 'Todos found and changed' }),
  deleted: Type.Integer({ description: 'Todos of `ids` deleted (their subtasks went with them, uncounted)' }),
  errors: Type.Array(Type.String(), { description: '"Todo <id> not found" per unknown id' }),
});
export type TodoBulkResult = Static<typeof TodoBulkResult>;
