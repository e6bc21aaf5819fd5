import { type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { autoIncrementKey, createIndex } from './frozen/schema.js';

/** Every table of schema.ts, in types both SQLite and PostgreSQL accept. */
export function initialSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('refresh_jti', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('refreshed_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_reason', 'text')
        .execute();

      await db.schema
        .createTable('login_failures')
        .addColumn('id', ...autoIncrementKey(dialect))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('failed_at', 'text', (c) => c.notNull())
        .execute();
      await createIndex(db, 'login_failures_at', 'login_failures', ['failed_at']);
      await createIndex(db, 'login_failures_address', 'login_failures', ['address', 'failed_at']);

      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('is_archived', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await createIndex(db, 'conversations_updated', 'conversations', ['is_archived', 'updated_at', 'id']);

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) =>
          c.notNull().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('message_type', 'text', (c) => c.notNull().defaultTo('text'))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('complete'))
        .addColumn('intent', 'text')
        .addColumn('metadata', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await createIndex(db, 'messages_conversation', 'messages', ['conversation_id', 'created_at', 'id']);
      await createIndex(db, 'messages_status', 'messages', ['status']);

      // Items created from chat keep existing when their conversation is deleted.
      const itemLinks = <T extends { addColumn: any }>(t: T): T =>
        t
          .addColumn('conversation_id', 'text', (c: any) =>
            c.references('conversations.id').onDelete('set null'),
          )
          .addColumn('message_id', 'text', (c: any) => c.references('messages.id').onDelete('set null'));

      await itemLinks(
        db.schema
          .createTable('todos')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('priority', 'text', (c) => c.notNull())
          .addColumn('priority_rank', 'integer', (c) => c.notNull())
          .addColumn('due_date', 'text')
          .addColumn('due_has_time', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('completed_at', 'text')
          .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]')),
      )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await createIndex(db, 'todos_created', 'todos', ['created_at', 'id']);
      await createIndex(db, 'todos_status_due', 'todos', ['status', 'due_date']);
      await createIndex(db, 'todos_due', 'todos', ['due_date', 'id']);

      await itemLinks(
        db.schema
          .createTable('events')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('start_time', 'text', (c) => c.notNull())
          .addColumn('end_time', 'text')
          .addColumn('location', 'text')
          .addColumn('is_all_day', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('reminder_minutes', 'integer')
          .addColumn('recurrence_rule', 'text')
          .addColumn('timezone', 'text', (c) => c.notNull())
          .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]')),
      )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await createIndex(db, 'events_start', 'events', ['start_time', 'id']);
      await createIndex(db, 'events_recurring', 'events', ['recurrence_rule']);

      await itemLinks(
        db.schema
          .createTable('memos')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('content', 'text', (c) => c.notNull())
          .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]')),
      )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await createIndex(db, 'memos_updated', 'memos', ['updated_at', 'id']);

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('body_hash', 'text', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.references('conversations.id').onDelete('set null'))
        .addColumn('item_id', 'text')
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('read_at', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('push_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .execute();
      await createIndex(db, 'notifications_created', 'notifications', ['created_at', 'id']);
      await createIndex(db, 'notifications_unsent', 'notifications', ['sent_at']);

      await db.schema
        .createTable('push_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token', 'text', (c) => c.notNull().unique())
        .addColumn('device_id', 'text')
        .addColumn('platform', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('push_tickets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ticket_id', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('checked_at', 'text')
        .execute();

      await db.schema
        .createTable('agent_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_type', 'text', (c) => c.notNull())
        .addColumn('instruction', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('conversation_id', 'text', (c) => c.references('conversations.id').onDelete('set null'))
        .addColumn('message_id', 'text', (c) => c.references('messages.id').onDelete('set null'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('locked_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('completed_at', 'text')
        .execute();
      await createIndex(db, 'agent_tasks_status', 'agent_tasks', ['status', 'created_at']);

      await db.schema
        .createTable('job_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('last_run_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of [
        'job_state',
        'agent_tasks',
        'push_tickets',
        'push_tokens',
        'notifications',
        'idempotency_keys',
        'memos',
        'events',
        'todos',
        'messages',
        'conversations',
        'login_failures',
        'sessions',
        'settings',
      ])
        await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
