/**
 * Decision keys of the notification outbox (BEHAVIOUR.md "Scheduler"). A notification usually
 * covers one item occurrence (`reminder:<event>:<start>`), but an overdue summary after
 * downtime covers several: each covered key is recorded here, in the transaction that commits
 * the notification, so every (item, occurrence) is decided exactly once. No cascade: pruning
 * old notifications must not make their items eligible again.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

export function notificationKeys(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('notification_keys')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('notification_id', 'text', (c) => c.references('notifications.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('push_tickets_unchecked')
        .on('push_tickets')
        .columns(['checked_at', 'created_at'])
        .execute();
      await db.schema
        .createIndex('push_tickets_notification')
        .on('push_tickets')
        .columns(['notification_id'])
        .execute();
      await db.schema
        .createIndex('notifications_read')
        .on('notifications')
        .columns(['read_at', 'created_at'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('notifications_read').ifExists().execute();
      await db.schema.dropIndex('push_tickets_notification').ifExists().execute();
      await db.schema.dropIndex('push_tickets_unchecked').ifExists().execute();
      await db.schema.dropTable('notification_keys').ifExists().execute();
    },
  };
}
