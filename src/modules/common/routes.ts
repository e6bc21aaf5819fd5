/** The route shapes the item modules (todos, events, memos, agent tasks...) repeat, declared once. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses, IdParams } from './schemas.js';

/** A route's words in the OpenAPI document; its tag is the resource's. */
export interface RouteDoc {
  summary: string;
  description?: string;
}

/** A route that reads a body: its schema and the error statuses it documents. */
interface BodyRouteDoc<Body extends TSchema> extends RouteDoc {
  body: Body;
  errors: number[];
}

/**
 * The routes of one resource: its items (`item`, a schema with `$id`, registered here for the
 * `$ref`s) at `path`, documented under `tag`. Each method is one shape; a route of another shape
 * stays a plain `app.<method>(...)` beside them. Handlers get what Fastify validated: the body
 * matches its schema and `id` is an IdInput.
 */
export function resourceRoutes<Item extends TSchema>(app: App, tag: string, path: string, item: Item) {
  app.addSchema(item);
  // Widened to TSchema: Fastify cannot resolve a generic schema's reply type. The methods'
  // signatures tie each handler's answer to Static<Item> instead.
  const one: TSchema = Type.Ref(item);
  const documented = ({ summary, description }: RouteDoc) => ({
    tags: [tag],
    summary,
    ...(description === undefined ? {} : { description }),
  });

  /** `<method> <url>` on one item: the answer is 204, and a missing item is the 404 `act` throws. */
  function noContent(
    method: 'DELETE' | 'POST',
    url: string,
    doc: RouteDoc,
    act: (id: string) => Promise<unknown>,
  ) {
    app.route({
      method,
      url,
      schema: {
        ...documented(doc),
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
      handler: async (req, reply) => {
        await act(req.params.id);
        return reply.code(204).send(null);
      },
    });
  }

  return {
    /**
     * `GET <path>`: the items the query asks for, as `response` (a page, or a plain list). The
     * query is checked (400) and a token needed (401); a list of one owner's items adds its 404.
     */
    list<Query extends TSchema, Response extends TSchema>(
      doc: RouteDoc & { querystring: Query; response: Response; errors?: number[] },
      list: (query: Static<Query>) => Promise<Static<Response>>,
    ): void {
      const { querystring, errors = [400, 401] } = doc;
      const response: TSchema = doc.response; // as `one` above: the signature types the answer
      app.route({
        method: 'GET',
        url: path,
        schema: {
          ...documented(doc),
          querystring,
          response: { 200: response, ...errorResponses(...errors) },
        },
        handler: async (req) => list(req.query as Static<Query>),
      });
    },

    /** `POST <path>`: the answer is `status` (201, or 202 for work that goes on) with the new item. */
    create<Body extends TSchema>(
      doc: BodyRouteDoc<Body> & { status?: 201 | 202 },
      create: (body: Static<Body>) => Promise<Static<Item>>,
    ): void {
      const status = doc.status ?? 201;
      app.route({
        method: 'POST',
        url: path,
        schema: {
          ...documented(doc),
          body: doc.body,
          response: { [status]: one, ...errorResponses(...doc.errors) },
        },
        handler: async (req, reply) => reply.code(status).send(await create(req.body as Static<Body>)),
      });
    },

    /** `GET <path>/:id`: the item, or the 404 `get` throws. */
    get(doc: RouteDoc, get: (id: string) => Promise<Static<Item>>): void {
      app.route({
        method: 'GET',
        url: `${path}/:id`,
        schema: { ...documented(doc), params: IdParams, response: { 200: one, ...errorResponses(401, 404) } },
        handler: async (req) => get(req.params.id),
      });
    },

    /** `PATCH <path>/:id`: the changed item. */
    update<Body extends TSchema>(
      doc: BodyRouteDoc<Body>,
      update: (id: string, body: Static<Body>) => Promise<Static<Item>>,
    ): void {
      app.route({
        method: 'PATCH',
        url: `${path}/:id`,
        schema: {
          ...documented(doc),
          params: IdParams,
          body: doc.body,
          response: { 200: one, ...errorResponses(...doc.errors) },
        },
        handler: async (req) => update(req.params.id, req.body as Static<Body>),
      });
    },

    /** `DELETE <path>/:id`: 204. */
    remove(doc: RouteDoc, remove: (id: string) => Promise<unknown>): void {
      noContent('DELETE', `${path}/:id`, doc, remove);
    },

    /** `POST <path>/:id/<name>`, an action without a body or an answer (mark a notification read). */
    action(name: string, doc: RouteDoc, act: (id: string) => Promise<unknown>): void {
      noContent('POST', `${path}/:id/${name}`, doc, act);
    },
  };
}
