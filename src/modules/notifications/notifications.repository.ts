/** All SQL on the notification outbox, its decision keys, push tokens and push tickets. */
import type { ExpressionBuilder, Insertable, Kysely, Transaction } from 'kysely';
import type { DB, NotificationRow, NotificationsTable, PushTokensTable } from '../../db/schema.js';
import { pageOf } from '../common/items.js';

type Db = Kysely<DB> | Transaction<DB>;

export type NewNotificationRow = Insertable<NotificationsTable>;

export interface NotificationFilter {
  /** true: unread only; false: read only. */
  unread?: boolean;
}

export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>;

// Keeps IN lists far below every driver's bound-parameter limit.
const IN_CHUNK = 500;

function chunks<T>(items: T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Not delivered yet, and no (re)try planned after `now`. */
const isDue = (eb: ExpressionBuilder<DB, 'notifications'>, now: string) =>
  eb.and([
    eb('sent_at', 'is', null),
    eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]),
  ]);

/** The first `limit` due notifications, oldest first. */
const dueFirst = (trx: Db, now: string, limit: number) =>
  trx
    .selectFrom('notifications')
    .where((eb) => isDue(eb, now))
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit);

export function createNotificationsRepository(db: Kysely<DB>) {
  function filtered(conn: Db, f: NotificationFilter) {
    let q = conn.selectFrom('notifications');
    if (f.unread === true) q = q.where('read_at', 'is', null);
    if (f.unread === false) q = q.where('read_at', 'is not', null);
    return q;
  }

  return {
    /** The keys among `keys` that some notification already decided. */
    async decidedKeys(keys: string[], trx: Db = db): Promise<Set<string>> {
      const found = new Set<string>();
      for (const part of chunks([...new Set(keys)])) {
        const rows = await trx
          .selectFrom('notification_keys')
          .select('key')
          .where('key', 'in', part)
          .execute();
        for (const r of rows) found.add(r.key);
      }
      return found;
    },
    /** Inserts the notification and every key it decides (the caller's transaction makes it one decision). */
    async insertDecision(row: NewNotificationRow, keys: string[], trx: Db = db): Promise<void> {
      await trx.insertInto('notifications').values(row).execute();
      for (const part of chunks(keys))
        await trx
          .insertInto('notification_keys')
          .values(part.map((key) => ({ key, notification_id: row.id, created_at: row.created_at })))
          .execute();
    },
    async find(id: string, trx: Db = db): Promise<NotificationRow | undefined> {
      return trx.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async findByKey(dedupeKey: string, trx: Db = db): Promise<NotificationRow | undefined> {
      return trx
        .selectFrom('notifications')
        .selectAll()
        .where('dedupe_key', '=', dedupeKey)
        .executeTakeFirst();
    },
    /** Newest first, ties broken by id. */
    async list(f: NotificationFilter, page: number, limit: number, trx: Db = db) {
      return pageOf(
        () => filtered(trx, f),
        (q) => q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc'),
        page,
        limit,
      );
    },
    async markRead(id: string, at: string, trx: Db = db): Promise<void> {
      await trx
        .updateTable('notifications')
        .set({ read_at: at })
        .where('id', '=', id)
        .where('read_at', 'is', null)
        .execute();
    },

    /** Undelivered notifications whose (re)try is due, oldest first. */
    async pending(now: string, limit: number, trx: Db = db): Promise<NotificationRow[]> {
      return dueFirst(trx, now, limit).selectAll().execute();
    },
    /**
     * Takes the due rows for one delivery: their next attempt moves to `leaseUntil`, so a sender
     * on another instance passes them over, and a sender that dies mid-delivery is retried once
     * the lease ends. A row two senders race for goes to one of them (a conditional UPDATE; on
     * PostgreSQL the loser re-checks the committed row and skips it).
     */
    async claimDue(now: string, leaseUntil: string, limit: number, trx: Db = db): Promise<NotificationRow[]> {
      const due = await dueFirst(trx, now, limit).select('id').execute();
      if (due.length === 0) return [];
      const claimed = await trx
        .updateTable('notifications')
        .set({ next_attempt_at: leaseUntil })
        .where(
          'id',
          'in',
          due.map((r) => r.id),
        )
        .where((eb) => isDue(eb, now))
        .returningAll()
        .execute();
      return claimed.sort((a, b) =>
        a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1,
      );
    },
    async recordAttempt(
      id: string,
      patch: { push_attempts: number; next_attempt_at: string | null; sent_at: string | null },
      trx: Db = db,
    ): Promise<void> {
      await trx.updateTable('notifications').set(patch).where('id', '=', id).execute();
    },

    /** The recurring events among these ids, with the zone their occurrences are dated in. */
    async recurringEventZones(ids: string[], trx: Db = db): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await trx
        .selectFrom('events')
        .select(['id', 'timezone'])
        .where('id', 'in', ids)
        .where('recurrence_rule', 'is not', null)
        .execute();
      return new Map(rows.map((r) => [r.id, r.timezone]));
    },
    async tokens(trx: Db = db): Promise<string[]> {
      const rows = await trx
        .selectFrom('push_tokens')
        .select('token')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => r.token);
    },
    async findToken(token: string, trx: Db = db) {
      return trx.selectFrom('push_tokens').selectAll().where('token', '=', token).executeTakeFirst();
    },
    async insertToken(row: PushTokensTable, trx: Db = db): Promise<void> {
      await trx
        .insertInto('push_tokens')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('token')
            .doUpdateSet({ device_id: row.device_id, platform: row.platform, updated_at: row.updated_at }),
        )
        .execute();
    },
    async updateToken(
      token: string,
      patch: { device_id: string | null; platform: string | null; updated_at: string },
      trx: Db = db,
    ) {
      await trx.updateTable('push_tokens').set(patch).where('token', '=', token).execute();
    },
    /** Other tokens of the same device: replaced when the device registers a new one. */
    async deleteDeviceTokens(deviceId: string, exceptToken: string, trx: Db = db): Promise<number> {
      const res = await trx
        .deleteFrom('push_tokens')
        .where('device_id', '=', deviceId)
        .where('token', '<>', exceptToken)
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },
    async deleteToken(token: string, trx: Db = db): Promise<boolean> {
      const res = await trx.deleteFrom('push_tokens').where('token', '=', token).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },

    async insertTicket(
      row: {
        id: string;
        ticket_id: string;
        token: string;
        notification_id: string;
        created_at: string;
        checked_at: string | null;
      },
      trx: Db = db,
    ): Promise<void> {
      await trx.insertInto('push_tickets').values(row).execute();
    },
    /** For each notification, the tokens Expo already accepted (or refused for good). */
    async ticketTokens(notificationIds: string[], trx: Db = db): Promise<Map<string, Set<string>>> {
      const out = new Map<string, Set<string>>();
      for (const part of chunks(notificationIds)) {
        const rows = await trx
          .selectFrom('push_tickets')
          .select(['notification_id', 'token'])
          .where('notification_id', 'in', part)
          .execute();
        for (const r of rows) {
          const set = out.get(r.notification_id!) ?? new Set<string>();
          set.add(r.token);
          out.set(r.notification_id!, set);
        }
      }
      return out;
    },
    /** Tickets whose receipt has not been read, sent before `before`. */
    async uncheckedTickets(before: string, limit: number, trx: Db = db) {
      return trx
        .selectFrom('push_tickets')
        .selectAll()
        .where('checked_at', 'is', null)
        .where('created_at', '<=', before)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
    },
    async markTicketsChecked(ids: string[], at: string, trx: Db = db): Promise<void> {
      for (const part of chunks(ids))
        await trx.updateTable('push_tickets').set({ checked_at: at }).where('id', 'in', part).execute();
    },
  };
}
