import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, PageQuery, StringEnum, Tags, TimeInput, Timestamp } from '../common/schemas.js';

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
  },
  { $id: 'Todo' },
);
export type Todo = Static<typeof Todo>;

const Title = Type.String({ minLength: 1, maxLength: 500 });
const Description = Type.String({ maxLength: 10_000 });

export const TodoCreate = Type.Object({
  title: Title,
  description: Type.Optional(Nullable(Description)),
  status: Type.Optional(TodoStatus),
  priority: Type.Optional(Priority),
  due_date: Type.Optional(Nullable(TimeInput)),
  tags: Type.Optional(Tags),
});
export type TodoCreate = Static<typeof TodoCreate>;

/** `title`, `status`, `priority` and `tags` cannot be null; the rest can be cleared with null. */
export const TodoPatch = Type.Object({
  title: Type.Optional(Title),
  description: Type.Optional(Nullable(Description)),
  status: Type.Optional(TodoStatus),
  priority: Type.Optional(Priority),
  due_date: Type.Optional(Nullable(TimeInput)),
  tags: Type.Optional(Tags),
});
export type TodoPatch = Static<typeof TodoPatch>;

export const TODO_SORTS = ['created_at', 'due_date', 'priority', 'updated_at'] as const;

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
  ...PageQuery(20, 100),
});
export type TodoListQuery = Static<typeof TodoListQuery>;

export const TodoPage = Page(Type.Ref(Todo));
