/**
 * The outbox sweep: delivers notifications still unsent — push retries whose backoff elapsed,
 * and anything decided just before a crash or restart. Decisions kick the sender themselves;
 * this tick only makes sure nothing waits forever.
 */
import type { NotificationsService } from '../modules/notifications/notifications.service.js';

export async function runOutbox(
  deps: { notifications: Pick<NotificationsService, 'kick'> },
  _now: Date,
): Promise<void> {
  await deps.notifications.kick();
}
