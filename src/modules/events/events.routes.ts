import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../lib/app-type.js';
import { unauthorized, unprocessable } from '../../lib/errors.js';
import { bearerToken } from '../../plugins/authenticate.js';
import type { AuthService } from '../auth/auth.service.js';
import { errorResponses, IdParams } from '../common/schemas.js';
import { resourceRoutes } from '../common/routes.js';
import {
  Event,
  EventCreate,
  EventListQuery,
  EventOccurrence,
  EventPage,
  EventPatch,
  FeedKey,
  FeedQuery,
  Ics,
  OccurrenceDeleteQuery,
  OccurrencePatchQuery,
  OccurrenceParams,
  OccurrencePatch,
} from './events.schemas.js';
import type { EventsService } from './events.service.js';

const ICS_TYPE = 'text/calendar; charset=utf-8';

/** iCalendar bodies are text, not JSON: documented under their own media type. */
const icsResponse = { description: 'iCalendar (RFC 5545)', content: { 'text/calendar': { schema: Ics } } };

function sendIcs(reply: FastifyReply, body: string): FastifyReply {
  return reply.type(ICS_TYPE).header('cache-control', 'no-store').send(body);
}

/** The subscription URL, absolute when the request says where it came in. */
function feedUrl(req: FastifyRequest, key: string): string {
  const path = `/api/calendar.ics?key=${encodeURIComponent(key)}`;
  return req.host ? `${req.protocol}://${req.host}${path}` : path;
}

/** Registered in the authenticated scope. */
export async function eventsRoutes(app: App, opts: { events: EventsService }): Promise<void> {
  const { events } = opts;
  // Declared through resourceRoutes: GET, POST /api/events; GET, PATCH, DELETE /api/events/:id
  const event = resourceRoutes(app, 'events', '/api/events', Event);
  app.addSchema(EventOccurrence);

  event.list(
    {
      summary: 'List event occurrences',
      description:
        'With both `start_after` and `start_before` (at most 366 days apart), recurring events are expanded: one item per occurrence overlapping the window. With one bound or none, each series appears once, filtered on its first occurrence.',
      querystring: EventListQuery,
      response: EventPage,
    },
    (query) => events.list(query),
  );

  event.create({ summary: 'Create an event', body: EventCreate, errors: [400, 401, 422] }, (body) =>
    events.create(body),
  );
  event.get({ summary: 'Get an event (the series)' }, (id) => events.get(id));
  event.update(
    {
      summary: 'Change an event',
      description: "Moving `start_time` without giving `end_time` keeps the event's length.",
      body: EventPatch,
      errors: [400, 401, 404, 422],
    },
    (id, body) => events.update(id, body),
  );
  event.remove({ summary: 'Delete an event (the whole series)' }, (id) => events.remove(id));

  app.delete(
    '/api/events/:id/occurrences/:date',
    {
      schema: {
        tags: ['events'],
        summary: 'Delete one occurrence, this and the following ones, or the whole series',
        description:
          '`mode`: `this_only` (default) adds the date to `recurrence_exceptions`; `this_and_future` sets `recurrence_end` to the day before (on the first occurrence it deletes the series); `all` deletes the series and its overrides.',
        params: OccurrenceParams,
        querystring: OccurrenceDeleteQuery,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404, 422) },
      },
    },
    async (req, reply) => {
      await events.removeOccurrence(req.params.id, req.params.date, req.query.mode ?? 'this_only');
      return reply.code(204).send(null);
    },
  );

  app.patch(
    '/api/events/:id/occurrences/:date',
    {
      schema: {
        tags: ['events'],
        summary: 'Change one occurrence only (an override, RFC 5545 RECURRENCE-ID)',
        description:
          "Moving `start_time` without `end_time` keeps the occurrence's length. The answer is the changed occurrence.",
        params: OccurrenceParams,
        querystring: OccurrencePatchQuery,
        body: OccurrencePatch,
        response: { 200: Type.Ref(EventOccurrence), ...errorResponses(400, 401, 404, 422) },
      },
    },
    async (req) => {
      // Splitting a series ("this and the following") is not done here yet: say so rather than
      // change one occurrence when the client asked for more.
      if (req.query.mode !== undefined && req.query.mode !== 'this_only')
        throw unprocessable(
          'mode',
          'Only this occurrence can be changed here (mode=this_only). To change the following ones, end the series at this date (DELETE with mode=this_and_future) and create a new one, or change the whole series.',
        );
      return events.changeOccurrence(req.params.id, req.params.date, req.body);
    },
  );

  app.get(
    '/api/events/:id/ics',
    {
      schema: {
        tags: ['events'],
        summary: 'One event as iCalendar',
        params: IdParams,
        response: { 200: icsResponse, ...errorResponses(401, 404) },
      },
    },
    async (req, reply) => sendIcs(reply, await events.eventIcs(req.params.id)),
  );

  app.post(
    '/api/calendar/feed-key',
    {
      schema: {
        tags: ['events'],
        summary: 'Create or replace the calendar feed secret',
        description: 'The previous secret stops working. Subscribe a calendar app to the returned URL.',
        response: { 200: FeedKey, ...errorResponses(401) },
      },
    },
    async (req) => {
      const key = await events.createFeedKey();
      return { key, url: feedUrl(req, key) };
    },
  );
}

/** Registered in the public scope: calendar apps cannot send headers, so `?key=` also works. */
export async function calendarFeedRoutes(
  app: App,
  opts: { events: EventsService; auth: AuthService },
): Promise<void> {
  const { events, auth } = opts;

  app.get(
    '/api/calendar.ics',
    {
      schema: {
        tags: ['events'],
        summary: 'All events as an iCalendar feed',
        description: 'Authenticate with `Authorization: Bearer <access token>` or `?key=<feed secret>`.',
        security: [{ bearer: [] }, {}],
        querystring: FeedQuery,
        response: { 200: icsResponse, ...errorResponses(400, 401) },
      },
    },
    async (req, reply) => {
      const token = bearerToken(req.headers.authorization);
      if (token !== null) await auth.authenticate(token);
      else if (req.query.key === undefined || !(await events.isFeedKey(req.query.key)))
        throw unauthorized('A bearer token or a valid feed key is required');
      return sendIcs(reply, await events.calendarIcs());
    },
  );
}
