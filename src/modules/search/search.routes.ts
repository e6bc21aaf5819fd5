import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import { SearchHit, SearchPage, SearchQuery } from './search.schemas.js';
import type { SearchService } from './search.service.js';

export async function searchRoutes(app: App, opts: { search: SearchService }): Promise<void> {
  app.addSchema(SearchHit);
  app.get(
    '/api/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Search todos, events, memos and messages, ranked together',
        querystring: SearchQuery,
        response: { 200: SearchPage, ...errorResponses(400, 401) },
      },
    },
    async (req) => opts.search.search(req.query),
  );
}
