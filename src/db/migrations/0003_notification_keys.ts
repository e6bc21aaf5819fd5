/**
 * Decision keys of the notification outbox (BEHAVIOUR.md "Scheduler"). A notification usually
 * covers one item occurrence (`reminder:<event>:<start>`), but an overdue summary after
 * downtime covers several: each covered key is recorded here, in the transaction that commits
 * the notification, so every (item, occurrence) is decided exactly once. No cascade: pruning
 * old notifications must not make their items eligible again.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { createIndex } from './frozen/schema.js';

export function notificationKeys(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('notification_keys')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('notification_id', 'text', (c) => c.references('notifications.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await createIndex(db, 'push_tickets_unchecked', 'push_tickets', ['checked_at', 'created_at']);
      await createIndex(db, 'push_tickets_notification', 'push_tickets', ['notification_id']);
      await createIndex(db, 'notifications_read', 'notifications', ['read_at', 'created_at']);
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('notifications_read').ifExists().execute();
      await db.schema.dropIndex('push_tickets_notification').ifExists().execute();
      await db.schema.dropIndex('push_tickets_unchecked').ifExists().execute();
      await db.schema.dropTable('notification_keys').ifExists().execute();
    },
  };
}
