import { type TSchema, Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { INTENTS } from '../../ai/intents.js';
import { errorResponses } from '../common/schemas.js';
import type { UnderstandService } from './understand.service.js';

const Instant = (description: string) => Type.String({ format: 'date-time', description });

const Params = Type.Object(
  {
    title: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    content: Type.Optional(Type.String()),
    due_date: Type.Optional(Instant("RFC 3339 UTC; a day alone is its last moment in the owner's zone")),
    due_has_time: Type.Optional(Type.Boolean({ description: 'false when only a day was given' })),
    priority: Type.Optional(Type.String({ enum: ['low', 'medium', 'high', 'urgent'] })),
    tags: Type.Optional(Type.Array(Type.String())),
    status: Type.Optional(Type.String()),
    start_time: Type.Optional(Instant('RFC 3339 UTC')),
    end_time: Type.Optional(Instant('RFC 3339 UTC')),
    location: Type.Optional(Type.String()),
    is_all_day: Type.Optional(Type.Boolean()),
    reminder_minutes: Type.Optional(Type.Integer()),
    recurrence_rule: Type.Optional(Type.String()),
    target: Type.Optional(Type.String({ description: 'Words naming an existing item' })),
    new_title: Type.Optional(Type.String()),
    query: Type.Optional(Type.String()),
    date_from: Type.Optional(Instant('RFC 3339 UTC')),
    date_to: Type.Optional(Instant('RFC 3339 UTC')),
    task_type: Type.Optional(Type.String()),
    instruction: Type.Optional(Type.String()),
  },
  { description: 'The fields the understander extracted (only those it found)' },
);

const IntentName = Type.String({ enum: [...INTENTS] as string[] });

const UnderstandResponse: TSchema = Type.Object({
  intent: IntentName,
  confidence: Type.Optional(
    Type.Number({ minimum: 0, maximum: 1, description: 'How sure the intent model is' }),
  ),
  ambiguous: Type.Optional(Type.Boolean({ description: 'Two readings were too close to call' })),
  alternatives: Type.Optional(
    Type.Array(Type.Object({ intent: IntentName, confidence: Type.Number(), params: Params })),
  ),
  params: Params,
});

const UnderstandBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 2000, description: 'What the owner typed' }) },
  { additionalProperties: false },
);

export async function understandRoutes(app: App, opts: { understand: UnderstandService }): Promise<void> {
  app.post(
    '/api/understand',
    {
      schema: {
        tags: ['understand'],
        summary: 'What the offline understander makes of a text, without acting on it',
        description:
          'The quick-add preview: "pay rent friday !high #home" -> create_todo with its title, due date, ' +
          "priority and tags. Dates are RFC 3339 UTC, read in the owner's timezone. Nothing is created.",
        body: UnderstandBody,
        response: { 200: UnderstandResponse, ...errorResponses(400, 401) },
      },
    },
    async (req) => opts.understand.preview(req.body.text),
  );
}
