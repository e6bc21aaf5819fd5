/**
 * Push receipts: Expo answers a send with tickets; whether the device really got the message
 * is in the receipt, readable some minutes later. A `DeviceNotRegistered` receipt removes the
 * token (BEHAVIOUR.md "Scheduler").
 */
import type { NotificationsService } from '../modules/notifications/notifications.service.js';

export async function runPushReceipts(
  deps: { notifications: Pick<NotificationsService, 'checkReceipts'> },
  _now: Date,
): Promise<{ checked: number; removedTokens: number }> {
  return deps.notifications.checkReceipts();
}
