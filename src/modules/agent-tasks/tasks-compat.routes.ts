import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { AppError } from '../../lib/errors.js';
import { errorResponses, IdParams } from '../common/schemas.js';
import type { AgentTasksService } from './agent-tasks.service.js';
import { AppTask, AppTaskCancelled, AppTaskListQuery, AppTaskPage, toAppTask } from './tasks-compat.js';

/** `/api/tasks`: the agent tasks in the shape the ClawChat apps read (COMPAT.md). */
export async function tasksCompatRoutes(app: App, opts: { agentTasks: AgentTasksService }): Promise<void> {
  const { agentTasks } = opts;
  app.addSchema(AppTask);

  app.get(
    '/api/tasks',
    {
      schema: {
        tags: ['agent-tasks'],
        summary: 'Agent tasks as the ClawChat apps list them, newest first',
        querystring: AppTaskListQuery,
        response: { 200: AppTaskPage, ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const page = await agentTasks.list(req.query);
      return { ...page, items: page.items.map(toAppTask) };
    },
  );

  app.get(
    '/api/tasks/:id',
    {
      schema: {
        tags: ['agent-tasks'],
        summary: 'An agent task as the ClawChat apps read it',
        params: IdParams,
        response: { 200: Type.Ref(AppTask), ...errorResponses(401, 404) },
      },
    },
    async (req) => toAppTask(await agentTasks.get(req.params.id)),
  );

  app.post(
    '/api/tasks/:id/cancel',
    {
      schema: {
        tags: ['agent-tasks'],
        summary: 'Cancel a task; a finished one answers its status instead of an error',
        params: IdParams,
        response: { 200: AppTaskCancelled, ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      try {
        const task = await agentTasks.cancel(req.params.id);
        return { status: task.status, task_id: task.id };
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'CONFLICT') throw err;
        const current = await agentTasks.get(req.params.id);
        return { status: current.status, task_id: current.id, message: 'Task already finished' };
      }
    },
  );
}
