import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import { resourceRoutes } from '../common/routes.js';
import {
  Notification,
  NotificationListQuery,
  NotificationPage,
  Registered,
  RegisterTokenBody,
  UnregisterTokenBody,
} from './notifications.schemas.js';
import type { NotificationsService } from './notifications.service.js';

export async function notificationsRoutes(
  app: App,
  opts: { notifications: NotificationsService },
): Promise<void> {
  const { notifications } = opts;
  // Declared through resourceRoutes: GET /api/notifications; POST /api/notifications/:id/read
  const notification = resourceRoutes(app, 'notifications', '/api/notifications', Notification);

  app.post(
    '/api/notifications/register-token',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Register an Expo push token (idempotent)',
        body: RegisterTokenBody,
        response: { 200: Registered, ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      await notifications.registerToken(req.body);
      return { status: 'registered' as const };
    },
  );

  app.delete(
    '/api/notifications/register-token',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Unregister an Expo push token',
        body: UnregisterTokenBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401) },
      },
    },
    async (req, reply) => {
      await notifications.unregisterToken(req.body.token);
      return reply.code(204).send(null);
    },
  );

  notification.list(
    {
      summary: 'Recent notifications, newest first',
      querystring: NotificationListQuery,
      response: NotificationPage,
    },
    (query) => notifications.list(query),
  );

  notification.action('read', { summary: 'Mark a notification read' }, (id) => notifications.markRead(id));
}
