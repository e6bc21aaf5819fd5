import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import { resourceRoutes } from '../common/routes.js';
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
  // Declared through resourceRoutes: GET, POST /api/todos; GET, PATCH, DELETE /api/todos/:id
  const todo = resourceRoutes(app, 'todos', '/api/todos', Todo);

  todo.list({ summary: 'List todos', querystring: TodoListQuery, response: TodoPage }, (query) =>
    todos.list(query),
  );

  todo.create({ summary: 'Create a todo', body: TodoCreate, errors: [400, 401, 404] }, (body) =>
    todos.create(body),
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

  todo.get({ summary: 'Get a todo' }, (id) => todos.get(id));
  todo.update({ summary: 'Change a todo', body: TodoPatch, errors: [400, 401, 404, 422] }, (id, body) =>
    todos.update(id, body),
  );
  todo.remove({ summary: 'Delete a todo' }, (id) => todos.remove(id));
}
