import type { App } from '../../lib/app-type.js';
import { resourceRoutes } from '../common/routes.js';
import { Memo, MemoCreate, MemoListQuery, MemoPage, MemoPatch } from './memos.schemas.js';
import type { MemosService } from './memos.service.js';

export async function memosRoutes(app: App, opts: { memos: MemosService }): Promise<void> {
  const { memos } = opts;
  // Declared through resourceRoutes: GET, POST /api/memos; GET, PATCH, DELETE /api/memos/:id
  const memo = resourceRoutes(app, 'memos', '/api/memos', Memo);

  memo.list(
    {
      summary: 'List memos, newest change first',
      querystring: MemoListQuery,
      response: MemoPage,
    },
    (query) => memos.list(query),
  );
  memo.create({ summary: 'Create a memo', body: MemoCreate, errors: [400, 401] }, (body) =>
    memos.create(body),
  );
  memo.get({ summary: 'Get a memo' }, (id) => memos.get(id));
  memo.update({ summary: 'Change a memo', body: MemoPatch, errors: [400, 401, 404] }, (id, body) =>
    memos.update(id, body),
  );
  memo.remove({ summary: 'Delete a memo' }, (id) => memos.remove(id));
}
