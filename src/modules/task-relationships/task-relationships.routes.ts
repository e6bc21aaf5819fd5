import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import { itemActionRoute } from '../common/routes.js';
import {
  TaskRelationship,
  TaskRelationshipCreate,
  TaskRelationshipQuery,
} from './task-relationships.schemas.js';
import type { TaskRelationshipsService } from './task-relationships.service.js';

export async function taskRelationshipsRoutes(
  app: App,
  opts: { relationships: TaskRelationshipsService },
): Promise<void> {
  const { relationships } = opts;
  app.addSchema(TaskRelationship);

  app.get(
    '/api/task-relationships',
    {
      schema: {
        tags: ['todos'],
        summary: "A todo's links, as source or target, oldest first",
        querystring: TaskRelationshipQuery,
        response: { 200: Type.Array(Type.Ref(TaskRelationship)), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => relationships.list(req.query.todo_id),
  );

  app.post(
    '/api/task-relationships',
    {
      schema: {
        tags: ['todos'],
        summary: 'Link two todos',
        body: TaskRelationshipCreate,
        response: { 201: Type.Ref(TaskRelationship), ...errorResponses(400, 401, 404, 409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await relationships.create(req.body)),
  );

  itemActionRoute(
    app,
    'DELETE',
    '/api/task-relationships/:id',
    { tags: ['todos'], summary: 'Remove a link' },
    (id) => relationships.remove(id),
  );
}
