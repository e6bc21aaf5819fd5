import { Type, type Static } from '@sinclair/typebox';
import { IdInput, Nullable, Page, PageQuery, Tags, TimeInput, Timestamp } from '../common/schemas.js';

const eventFields = {
  id: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  start_time: Timestamp,
  end_time: Nullable(Timestamp),
  location: Nullable(Type.String()),
  is_all_day: Type.Boolean(),
  reminder_minutes: Nullable(Type.Integer()),
  recurrence_rule: Nullable(Type.String()),
  recurrence_end: Nullable(
    Type.String({ format: 'date', description: "Last local day (owner's zone) occurrences may start" }),
  ),
  recurrence_exceptions: Type.Array(Type.String({ format: 'date' }), {
    description: 'Occurrence dates (YYYY-MM-DD) removed from the series',
  }),
  tags: Type.Array(Type.String()),
  conversation_id: Nullable(Type.String()),
  message_id: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const Event = Type.Object(eventFields, {
  $id: 'Event',
  description:
    'All-day events start at the local midnight of their day and end at the exclusive local midnight after their last day',
});
export type Event = Static<typeof Event>;

/** A list item: one occurrence of an event (a one-off event is its own single occurrence). */
export const EventOccurrence = Type.Object(
  {
    ...eventFields,
    occurrence_start: Timestamp,
    is_recurring: Type.Boolean(),
    is_occurrence: Type.Boolean({ description: 'An expanded occurrence of a series (both window bounds)' }),
    occurrence_date: Nullable(
      Type.String({ format: 'date', description: 'The local date naming this occurrence in its series' }),
    ),
    recurring_event_id: Nullable(Type.String({ description: 'The series (= id) of an expanded occurrence' })),
  },
  {
    $id: 'EventOccurrence',
    description:
      '`start_time`/`end_time` are those of this occurrence; `occurrence_start` equals `start_time`',
  },
);
export type EventOccurrence = Static<typeof EventOccurrence>;

const Title = Type.String({ minLength: 1, maxLength: 500 });
const Description = Type.String({ maxLength: 10_000 });
const Location = Type.String({ maxLength: 500 });
const ReminderMinutes = Type.Integer({
  minimum: 0,
  maximum: 40_320,
  description: 'Minutes before the start (max 4 weeks)',
});
const RecurrenceRule = Type.String({
  maxLength: 500,
  description: 'RFC 5545 RRULE, with or without the `RRULE:` prefix, e.g. `FREQ=WEEKLY;BYDAY=MO,WE`',
});
const RecurrenceEnd = Type.String({
  format: 'date',
  description: "YYYY-MM-DD: the last local day (owner's zone) occurrences may start",
});
const RecurrenceExceptions = Type.Array(Type.String({ format: 'date' }), {
  maxItems: 1000,
  description: 'Occurrence dates (YYYY-MM-DD) removed from the series',
});
/** The shared TimeInput with an endpoint-specific description. */
const timeInput = (description: string) =>
  Type.String({ minLength: TimeInput.minLength, maxLength: TimeInput.maxLength, description });
const EndTime = timeInput('RFC 3339, local date-time or YYYY-MM-DD (a bare date is the last day, inclusive)');

export const EventCreate = Type.Object({
  title: Title,
  start_time: timeInput('RFC 3339, local date-time, or YYYY-MM-DD for an all-day event'),
  end_time: Type.Optional(Nullable(EndTime)),
  description: Type.Optional(Nullable(Description)),
  location: Type.Optional(Nullable(Location)),
  is_all_day: Type.Optional(Type.Boolean()),
  reminder_minutes: Type.Optional(Nullable(ReminderMinutes)),
  recurrence_rule: Type.Optional(Nullable(RecurrenceRule)),
  recurrence_end: Type.Optional(Nullable(RecurrenceEnd)),
  recurrence_exceptions: Type.Optional(RecurrenceExceptions),
  tags: Type.Optional(Tags),
});
export type EventCreate = Static<typeof EventCreate>;

/** `title`, `start_time`, `is_all_day` and `tags` cannot be null; the rest can be cleared with null. */
export const EventPatch = Type.Partial(EventCreate);
export type EventPatch = Static<typeof EventPatch>;

/** One occurrence's own content: what an override (RECURRENCE-ID) may change. */
export const OccurrencePatch = Type.Object({
  title: Type.Optional(Title),
  start_time: Type.Optional(timeInput('RFC 3339 or local date-time; the end moves along unless given')),
  end_time: Type.Optional(Nullable(EndTime)),
  description: Type.Optional(Nullable(Description)),
  location: Type.Optional(Nullable(Location)),
});
export type OccurrencePatch = Static<typeof OccurrencePatch>;

export const OccurrenceParams = Type.Object({
  id: IdInput(),
  date: Type.String({ maxLength: 40, description: 'The occurrence date, YYYY-MM-DD' }),
});

export const OccurrencePatchQuery = Type.Object({
  mode: Type.Optional(
    Type.String({ maxLength: 40, description: '`this_only` (the default and the only one)' }),
  ),
});

export const OccurrenceDeleteQuery = Type.Object({
  mode: Type.Optional(
    Type.String({ maxLength: 40, description: '`this_only` (default), `this_and_future` or `all`' }),
  ),
});

export const EventListQuery = Type.Object({
  start_after: Type.Optional(
    timeInput('Window start (inclusive); a bare date is the start of that local day'),
  ),
  start_before: Type.Optional(timeInput('Window end (exclusive); a bare date is the end of that local day')),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  q: Type.Optional(Type.String({ maxLength: 500 })),
  ...PageQuery(50, 200),
});
export type EventListQuery = Static<typeof EventListQuery>;

export const EventPage = Page(Type.Ref(EventOccurrence));

export const FeedKey = Type.Object({
  key: Type.String({ description: 'The feed secret; shown once, only its hash is stored' }),
  url: Type.String({ description: 'Subscription URL of the calendar feed' }),
});
export type FeedKey = Static<typeof FeedKey>;

export const FeedQuery = Type.Object({
  key: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Feed secret from POST /api/calendar/feed-key',
    }),
  ),
});

/** iCalendar text (RFC 5545). */
export const Ics = Type.String({ description: 'text/calendar; charset=utf-8' });
