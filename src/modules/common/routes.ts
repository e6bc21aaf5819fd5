/** A route shape five modules repeat, declared once. */
import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses, IdParams } from './schemas.js';

/**
 * `<method> <url>` on one item by `:id`: `act` does the work, the answer is 204, and a missing
 * item is the 404 `act` throws (delete a todo, mark a notification read...).
 */
export function itemActionRoute(
  app: App,
  method: 'DELETE' | 'POST',
  url: string,
  doc: { tags: string[]; summary: string },
  act: (id: string) => Promise<unknown>,
): void {
  app.route({
    method,
    url,
    schema: { ...doc, params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 404) } },
    handler: async (req, reply) => {
      await act(req.params.id);
      return reply.code(204).send(null);
    },
  });
}
