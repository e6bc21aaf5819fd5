/**
 * The agent tasks as the ClawChat apps read them at `/api/tasks` (COMPAT.md): the same tasks
 * with the first server's extra fields. This server runs no sub-agents and its worker reports
 * no intermediate progress, so progress follows the status.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, PageQuery } from '../common/schemas.js';
import { agentTaskFields, agentTaskPlaceFields, type AgentTask } from './agent-tasks.schemas.js';

export const AppTask = Type.Object(
  {
    ...agentTaskFields,
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    progress_message: Type.String(),
    parent_task_id: Nullable(Type.String()),
    agent_type: Type.String(),
    sub_task_count: Type.Integer(),
    completed_sub_tasks: Type.Integer(),
    ...agentTaskPlaceFields,
  },
  { $id: 'AppTask' },
);
export type AppTask = Static<typeof AppTask>;

export const AppTaskListQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 200, description: 'One status or a comma list' })),
  // The first server's bounds for this list.
  ...PageQuery(50, 200),
});

export const AppTaskPage = Page(Type.Ref(AppTask));

export const AppTaskCancelled = Type.Object({
  status: Type.String(),
  task_id: Type.String(),
  message: Type.Optional(Type.String()),
});

const PROGRESS: Record<AgentTask['status'], [number, string]> = {
  queued: [0, 'Queued'],
  running: [10, 'Working on it'],
  completed: [100, 'Done'],
  failed: [100, 'Failed'],
  cancelled: [100, 'Cancelled'],
};

/** Progress as the apps draw it: 0 queued, 10 while running, 100 once finished either way. */
export function progressOf(status: AgentTask['status']): { progress: number; message: string } {
  const [progress, message] = PROGRESS[status];
  return { progress, message };
}

export function toAppTask(task: AgentTask): AppTask {
  const { progress, message } = progressOf(task.status);
  return {
    ...task,
    progress,
    progress_message: task.status === 'failed' && task.error ? `Failed: ${task.error}` : message,
    parent_task_id: null,
    agent_type: 'general',
    sub_task_count: 0,
    completed_sub_tasks: 0,
  };
}
