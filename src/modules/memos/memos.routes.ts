import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses, IdParams } from '../common/schemas.js';
import { itemActionRoute } from '../common/routes.js';
import { Memo, MemoCreate, MemoListQuery, MemoPage, MemoPatch } from './memos.schemas.js';
import type { MemosService } from './memos.service.js';

export async function memosRoutes(app: App, opts: { memos: MemosService }): Promise<void> {
  const { memos } = opts;
  app.addSchema(Memo);

  app.get(
    '/api/memos',
    {
      schema: {
        tags: ['memos'],
        summary: 'List memos, newest change first',
        querystring: MemoListQuery,
        response: { 200: MemoPage, ...errorResponses(400, 401) },
      },
    },
    async (req) => memos.list(req.query),
  );
  app.post(
    '/api/memos',
    {
      schema: {
        tags: ['memos'],
        summary: 'Create a memo',
        body: MemoCreate,
        response: { 201: Type.Ref(Memo), ...errorResponses(400, 401) },
      },
    },
    async (req, reply) => reply.code(201).send(await memos.create(req.body)),
  );
  app.get(
    '/api/memos/:id',
    {
      schema: {
        tags: ['memos'],
        summary: 'Get a memo',
        params: IdParams,
        response: { 200: Type.Ref(Memo), ...errorResponses(401, 404) },
      },
    },
    async (req) => memos.get(req.params.id),
  );
  app.patch(
    '/api/memos/:id',
    {
      schema: {
        tags: ['memos'],
        summary: 'Change a memo',
        params: IdParams,
        body: MemoPatch,
        response: { 200: Type.Ref(Memo), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => memos.update(req.params.id, req.body),
  );
  itemActionRoute(app, 'DELETE', '/api/memos/:id', { tags: ['memos'], summary: 'Delete a memo' }, (id) =>
    memos.remove(id),
  );
}
