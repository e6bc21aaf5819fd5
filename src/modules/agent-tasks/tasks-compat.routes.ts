import type { App } from '../../lib/app-type.js';
import { AppError } from '../../lib/errors.js';
import { resourceRoutes } from '../common/routes.js';
import { errorResponses, IdParams } from '../common/schemas.js';
import type { AgentTasksService } from './agent-tasks.service.js';
import { AppTask, AppTaskCancelled, AppTaskListQuery, AppTaskPage, toAppTask } from './tasks-compat.js';

/** `/api/tasks`: the agent tasks in the shape the ClawChat apps read (COMPAT.md). */
export async function tasksCompatRoutes(app: App, opts: { agentTasks: AgentTasksService }): Promise<void> {
  const { agentTasks } = opts;
  // Declared through resourceRoutes: GET /api/tasks; GET /api/tasks/:id
  const task = resourceRoutes(app, 'agent-tasks', '/api/tasks', AppTask);

  task.list(
    {
      summary: 'Agent tasks as the ClawChat apps list them, newest first',
      querystring: AppTaskListQuery,
      response: AppTaskPage,
    },
    async (query) => {
      const page = await agentTasks.list(query);
      return { ...page, items: page.items.map(toAppTask) };
    },
  );

  task.get({ summary: 'An agent task as the ClawChat apps read it' }, async (id) =>
    toAppTask(await agentTasks.get(id)),
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
