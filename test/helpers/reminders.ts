/** Reminders decided directly through the notifications service, as the reminder job decides them. */
import type { NotificationDraft } from '../../src/modules/notifications/notifications.service.js';

/** The draft of a reminder: `dedupe_key` makes a second decision of it a no-op. */
export const reminder = (title: string, body: string, dedupe_key: string): NotificationDraft => ({
  kind: 'reminder',
  title,
  body,
  dedupe_key,
});
