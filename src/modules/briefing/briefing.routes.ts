import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import type { BriefingService } from './briefing.service.js';

const TodayBriefing = Type.Object({
  briefing: Type.String({ description: 'Markdown' }),
  date: Type.String({ description: "The owner's local date, YYYY-MM-DD" }),
});

export async function briefingRoutes(app: App, opts: { briefing: BriefingService }): Promise<void> {
  app.get(
    '/api/today/briefing',
    {
      schema: {
        tags: ['today'],
        summary: "Today's briefing: the one sent this morning, or written now",
        response: { 200: TodayBriefing, ...errorResponses(401) },
      },
    },
    async () => opts.briefing.ofToday(),
  );
}
