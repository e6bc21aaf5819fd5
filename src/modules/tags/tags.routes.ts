import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import type { TagsService } from './tags.service.js';

const TagList = Type.Object({
  tags: Type.Array(Type.String(), { description: 'Every tag of todos, events and memos, sorted, each once' }),
});

export async function tagsRoutes(app: App, opts: { tags: TagsService }): Promise<void> {
  app.get(
    '/api/tags',
    {
      schema: {
        tags: ['tags'],
        summary: 'Every tag in use',
        response: { 200: TagList, ...errorResponses(401) },
      },
    },
    async () => opts.tags.list(),
  );
}
