import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../common/schemas.js';
import { EventOccurrence } from '../events/events.schemas.js';
import { Todo } from '../todos/todos.schemas.js';

export const GREETINGS = ['Good morning', 'Good afternoon', 'Good evening'] as const;
export type Greeting = (typeof GREETINGS)[number];

/** Entries per list unless `limit` says otherwise (API.md "Today"). */
export const DEFAULT_LIMIT = 50;
/** The most a caller may ask for per list, and what the briefing reads. */
export const MAX_LIMIT = 500;

export const TodayQuery = Type.Object({
  tz: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'IANA zone for this call (default: the configured timezone)',
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_LIMIT,
      default: DEFAULT_LIMIT,
      description: 'Most entries per list; the *_total fields count them all',
    }),
  ),
});
export type TodayQuery = Static<typeof TodayQuery>;

/** `Todo` and `EventOccurrence` are registered by the routes plugin. */
export const Today = Type.Object(
  {
    today_tasks: Type.Array(Type.Ref(Todo), {
      description: 'Due later today (not yet overdue), then in-progress todos without a due date',
    }),
    overdue_tasks: Type.Array(Type.Ref(Todo), {
      description: 'Open todos whose due date has passed, oldest first',
    }),
    today_events: Type.Array(Type.Ref(EventOccurrence), {
      description:
        'Occurrences overlapping the local day (recurring ones expanded, all-day ones included), by start',
    }),
    today_tasks_total: Type.Integer({ description: 'How many todos today_tasks would hold without limit' }),
    overdue_total: Type.Integer({ description: 'How many todos are overdue' }),
    today_events_total: Type.Integer({ description: 'How many occurrences overlap the local day' }),
    inbox_count: Type.Integer({ description: 'Pending todos without a due date' }),
    greeting: StringEnum(GREETINGS),
    date: Type.String({ description: 'The local date, YYYY-MM-DD' }),
    timezone: Type.String({ description: 'The zone used' }),
  },
  { $id: 'Today' },
);
