import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { resourceRoutes } from '../common/routes.js';
import {
  TaskRelationship,
  TaskRelationshipCreate,
  TaskRelationshipQuery,
} from './task-relationships.schemas.js';
import type { TaskRelationshipsService } from './task-relationships.service.js';

export async function taskRelationshipsRoutes(
  app: App,
  opts: { taskRelationships: TaskRelationshipsService },
): Promise<void> {
  const { taskRelationships: relationships } = opts;
  // Declared through resourceRoutes: GET, POST /api/task-relationships; DELETE /api/task-relationships/:id
  const link = resourceRoutes(app, 'todos', '/api/task-relationships', TaskRelationship);

  link.list(
    {
      summary: "A todo's links, as source or target, oldest first",
      querystring: TaskRelationshipQuery,
      response: Type.Array(Type.Ref(TaskRelationship)),
      errors: [400, 401, 404],
    },
    (query) => relationships.list(query.todo_id),
  );

  link.create(
    { summary: 'Link two todos', body: TaskRelationshipCreate, errors: [400, 401, 404, 409, 422] },
    (body) => relationships.create(body),
  );
  link.remove({ summary: 'Remove a link' }, (id) => relationships.remove(id));
}
