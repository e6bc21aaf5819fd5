import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses, IdParams } from '../common/schemas.js';
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

  app.delete(
    '/api/task-relationships/:id',
    {
      schema: {
        tags: ['todos'],
        summary: 'Remove a link',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (req, reply) => {
      await relationships.remove(req.params.id);
      return reply.code(204).send(null);
    },
  );
}
