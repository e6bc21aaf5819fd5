import { Type, type Static } from '@sinclair/typebox';
import { IdInput, Nullable, Page, PageQuery, StringEnum, Timestamp } from '../common/schemas.js';

export const TASK_TYPES = ['research', 'summarize', 'draft', 'custom'] as const;
export const TASK_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
/** Statuses a task never leaves. */
export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled'] as const;

export type TaskType = (typeof TASK_TYPES)[number];
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * A task as stored, in two parts: what it is and how it ended, then where and when.
 * `/api/tasks` (tasks-compat.ts) serves the same fields with the apps' extra ones in between.
 */
export const agentTaskFields = {
  id: Type.String(),
  task_type: StringEnum(TASK_TYPES),
  instruction: Type.String(),
  status: StringEnum(TASK_STATUSES),
  result: Nullable(Type.String()),
  error: Nullable(Type.String()),
};
export const agentTaskPlaceFields = {
  conversation_id: Nullable(Type.String()),
  message_id: Nullable(Type.String()),
  created_at: Timestamp,
  started_at: Nullable(Timestamp),
  completed_at: Nullable(Timestamp),
};

// The compat document (AppTask) leaves these undescribed; only ours explains them.
export const AgentTask = Type.Object(
  {
    ...agentTaskFields,
    ...agentTaskPlaceFields,
    error: Nullable(Type.String({ description: 'Why the task failed, readable' })),
    conversation_id: Nullable(Type.String({ description: 'Where the result is (or will be) posted' })),
    message_id: Nullable(
      Type.String({ description: 'The assistant message carrying the result, once posted' }),
    ),
  },
  { $id: 'AgentTask' },
);
export type AgentTask = Static<typeof AgentTask>;

export const AgentTaskCreate = Type.Object({
  task_type: Type.Optional(StringEnum(TASK_TYPES, { default: 'custom' })),
  instruction: Type.String({ minLength: 1, maxLength: 10_000 }),
  conversation_id: Type.Optional(Nullable(IdInput())),
});
export type AgentTaskCreate = Static<typeof AgentTaskCreate>;

export const AgentTaskListQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 200, description: 'One status or a comma list' })),
  ...PageQuery(20, 100),
});
export type AgentTaskListQuery = Static<typeof AgentTaskListQuery>;

export const AgentTaskPage = Page(Type.Ref(AgentTask));
