import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { resourceRoutes } from '../common/routes.js';
import { errorResponses, IdParams } from '../common/schemas.js';
import { AgentTask, AgentTaskCreate, AgentTaskListQuery, AgentTaskPage } from './agent-tasks.schemas.js';
import type { AgentTasksService } from './agent-tasks.service.js';

export async function agentTasksRoutes(app: App, opts: { agentTasks: AgentTasksService }): Promise<void> {
  const { agentTasks } = opts;
  // Declared through resourceRoutes: GET, POST /api/agent-tasks; GET /api/agent-tasks/:id
  const task = resourceRoutes(app, 'agent-tasks', '/api/agent-tasks', AgentTask);

  task.list(
    {
      summary: 'List agent tasks, newest first',
      querystring: AgentTaskListQuery,
      response: AgentTaskPage,
    },
    (query) => agentTasks.list(query),
  );

  task.create(
    {
      summary: 'Queue a background task for the AI',
      description:
        'Answers 202 with the queued task. The result is posted as an assistant message in `conversation_id` ' +
        '(or the "Agent tasks" conversation) and announced by a notification.',
      body: AgentTaskCreate,
      status: 202,
      errors: [400, 401, 404],
    },
    (body) => agentTasks.create(body),
  );
  task.get({ summary: 'Get an agent task' }, (id) => agentTasks.get(id));

  app.post(
    '/api/agent-tasks/:id/cancel',
    {
      schema: {
        tags: ['agent-tasks'],
        summary: 'Cancel a queued or running task',
        description: 'Stops the running LLM call. A task that already finished is a 409.',
        params: IdParams,
        response: { 200: Type.Ref(AgentTask), ...errorResponses(401, 404, 409) },
      },
    },
    async (req) => agentTasks.cancel(req.params.id),
  );
}
