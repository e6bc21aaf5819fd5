import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses, IdParams } from '../common/schemas.js';
import { AgentTask, AgentTaskCreate, AgentTaskListQuery, AgentTaskPage } from './agent-tasks.schemas.js';
import type { AgentTasksService } from './agent-tasks.service.js';

export async function agentTasksRoutes(app: App, opts: { agentTasks: AgentTasksService }): Promise<void> {
  const { agentTasks } = opts;
  app.addSchema(AgentTask);

  app.get(
    '/api/agent-tasks',
    {
      schema: {
        tags: ['agent-tasks'],
        summary: 'List agent tasks, newest first',
        querystring: AgentTaskListQuery,
        response: { 200: AgentTaskPage, ...errorResponses(400, 401) },
      },
    },
    async (req) => agentTasks.list(req.query),
  );

  app.post(
    '/api/agent-tasks',
    {
      schema: {
        tags: ['agent-tasks'],
        summary: 'Queue a background task for the AI',
        description:
          'Answers 202 with the queued task. The result is posted as an assistant message in `conversation_id` ' +
          '(or the "Agent tasks" conversation) and announced by a notification.',
        body: AgentTaskCreate,
        response: { 202: Type.Ref(AgentTask), ...errorResponses(400, 401, 404) },
      },
    },
    async (req, reply) => reply.code(202).send(await agentTasks.create(req.body)),
  );

  app.get(
    '/api/agent-tasks/:id',
    {
      schema: {
        tags: ['agent-tasks'],
        summary: 'Get an agent task',
        params: IdParams,
        response: { 200: Type.Ref(AgentTask), ...errorResponses(401, 404) },
      },
    },
    async (req) => agentTasks.get(req.params.id),
  );

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
