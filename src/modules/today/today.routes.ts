import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import { EventOccurrence } from '../events/events.schemas.js';
import { Todo } from '../todos/todos.schemas.js';
import { Today, TodayQuery } from './today.schemas.js';
import type { TodayService } from './today.service.js';

export async function todayRoutes(app: App, opts: { today: TodayService }): Promise<void> {
  app.addSchema(Todo);
  app.addSchema(EventOccurrence);
  app.get(
    '/api/today',
    {
      schema: {
        tags: ['today'],
        summary: "The owner's day: tasks due, overdue, events, inbox",
        querystring: TodayQuery,
        response: { 200: Today, ...errorResponses(400, 401) },
      },
    },
    async (req) => opts.today.get(req.query.tz, req.query.limit),
  );
}
