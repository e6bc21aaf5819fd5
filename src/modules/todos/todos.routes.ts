import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses, IdParams } from '../common/schemas.js';
import { itemActionRoute } from '../common/routes.js';
import {
  Todo,
  TodoBulk,
  TodoBulkResult,
  TodoCreate,
  TodoListQuery,
  TodoPage,
  TodoPatch,
} from './todos.schemas.js';
import type { TodosService } from './todos.service.js';

export async function todosRoutes(app: App, opts: { todos: TodosService }): Promise<void> {
  const { todos } = opts;
  app.addSchema(Todo);

  app.get(
    '/api/todos',
    {
      schema: {
        tags: ['todos'],
        summary: 'List todos',
        querystring: TodoListQuery,
        response: { 200: TodoPage, ...errorResponses(400, 401) },
      },
    },
    async (req) => todos.list(req.query),
  );

  app.post(
    '/api/todos',
    {
      schema: {
        tags: ['todos'],
        summary: 'Create a todo',
        body: TodoCreate,
        response: { 201: Type.Ref(Todo), ...errorResponses(400, 401, 404) },
      },
    },
    async (req, reply) => reply.code(201).send(await todos.create(req.body)),
  );

  // A static path: the router tries it before `/api/todos/:id`, whatever the order here.
  app.patch(
    '/api/todos/bulk',
    {
      schema: {
        tags: ['todos'],
        summary: 'Change or delete many todos in one transaction',
        body: TodoBulk,
        response: { 200: TodoBulkResult, ...errorResponses(400, 401) },
      },
    },
    async (req) => todos.bulk(req.body),
  );

  app.get(
    '/api/todos/:id',
    {
      schema: {
        tags: ['todos'],
        summary: 'Get a todo',
        params: IdParams,
        response: { 200: Type.Ref(Todo), ...errorResponses(401, 404) },
      },
    },
    async (req) => todos.get(req.params.id),
  );

  app.patch(
    '/api/todos/:id',
    {
      schema: {
        tags: ['todos'],
        summary: 'Change a todo',
        params: IdParams,
        body: TodoPatch,
        response: { 200: Type.Ref(Todo), ...errorResponses(400, 401, 404, 422) },
      },
    },
    async (req) => todos.update(req.params.id, req.body),
  );

  itemActionRoute(app, 'DELETE', '/api/todos/:id', { tags: ['todos'], summary: 'Delete a todo' }, (id) =>
    todos.remove(id),
  );
}
