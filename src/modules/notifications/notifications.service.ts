/**
 * Notifications through an outbox (BEHAVIOUR.md "Scheduler"):
 * - decide: one transaction inserts the notification row and every (item, occurrence) key it
 *   covers; a key already decided means nothing is written, so each is decided exactly once;
 * - deliver: a separate, serialised sender publishes the `notification` frame to every socket
 *   and pushes to every registered Expo token, then marks the row sent. Failed pushes are
 *   retried with backoff, only to the devices that did not get a ticket, so delivery is
 *   at-least-once per device. No network I/O ever happens inside a transaction, and nobody
 *   waits for the sender (`kick()` returns at once for callers that do not await it).
 * - receipts: tickets are checked later; `DeviceNotRegistered` (ticket or receipt) removes the token.
 */
import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB, NotificationRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { orNotFound, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { EventSink, ServerEvents } from '../../realtime/events.js';
import { appReminderFrame, remindedEventId } from './app-reminders.js';
import type { NotificationsRepository } from './notifications.repository.js';
import type {
  Notification,
  NotificationKind,
  NotificationListQuery,
  RegisterTokenBody,
} from './notifications.schemas.js';
import { isExpoPushToken, type PushClient, type PushMessage } from './push.js';
import type { Logger } from '../../lib/logger.js';

export interface NotificationDraft {
  kind: NotificationKind;
  title: string;
  body: string;
  conversation_id?: string | null;
  item_id?: string | null;
  /** The decision's own key, e.g. `reminder:<event id>:<occurrence start>`. */
  dedupe_key: string;
  /** Further (item, occurrence) keys this one notification covers (an overdue summary). */
  covers?: string[];
}

export interface NotificationsServiceDeps {
  db: Kysely<DB>;
  repo: NotificationsRepository;
  clock: Clock;
  publish: EventSink;
  push: PushClient;
  log?: Logger;
  /** Retry schedule of failed pushes (tests shorten nothing: they move the clock). */
  retry?: { baseMs: number; maxMs: number; maxAttempts: number };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;

const DEFAULT_RETRY = { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 8 };
const BATCH = 100;
/** How long a sender owns the rows it took; past it (a crashed sender) they are due again. */
const DELIVERY_LEASE_MS = 2 * 60_000;
/** Expo keeps receipts about a day; older unread tickets are given up. */
const RECEIPT_TTL_MS = 24 * 3_600_000;
/** Expo suggests reading receipts after about 15 minutes. */
export const RECEIPT_DELAY_MS = 15 * 60_000;

export function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind as NotificationKind,
    title: row.title,
    body: row.body,
    conversation_id: row.conversation_id,
    item_id: row.item_id,
    created_at: row.created_at,
    read_at: row.read_at,
  };
}

/** What a tap opens: the conversation (briefing, agent task), the item, or today's list (summary). */
export function actionOf(row: Pick<NotificationRow, 'kind' | 'conversation_id' | 'item_id'>): string | null {
  if (row.conversation_id) return 'open_conversation';
  if (row.item_id) return 'open_item';
  if (row.kind === 'overdue') return 'open_today';
  return null;
}

export function notificationFrame(row: NotificationRow): ServerEvents['notification'] {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    kind: row.kind as NotificationKind,
    conversation_id: row.conversation_id,
    action: actionOf(row),
    item_id: row.item_id,
  };
}

/** Transient Expo ticket errors worth another try; the others will not get better. */
const RETRYABLE_TICKET_ERRORS = new Set(['MessageRateExceeded', 'ExpoError', 'ProviderError']);

export function createNotificationsService(deps: NotificationsServiceDeps) {
  const { db, repo, clock, push } = deps;
  const retry = deps.retry ?? DEFAULT_RETRY;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  function backoffMs(attempts: number): number {
    return Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempts - 1));
  }

  /** One batch: publish, push, record. Returns how many notifications it handled. */
  async function deliverBatch(): Promise<number> {
    const now = clock.now();
    const nowIso = now.toISOString();
    // Claimed under a lease: another instance's sender never delivers the same rows at once.
    const rows = await repo.claimDue(
      nowIso,
      new Date(now.getTime() + DELIVERY_LEASE_MS).toISOString(),
      BATCH,
    );
    if (rows.length === 0) return 0;
    const tokens = await repo.tokens();
    const done = await repo.ticketTokens(rows.map((r) => r.id));
    const recurring = await repo.recurringEventZones(
      rows.map(remindedEventId).filter((id): id is string => id !== null),
    );

    const outgoing: Array<{ row: NotificationRow; message: PushMessage }> = [];
    for (const row of rows) {
      // Sockets get the frame on the first attempt only; retries are about push.
      if (row.push_attempts === 0) {
        deps.publish('notification', notificationFrame(row));
        const reminder = appReminderFrame(row, now, recurring);
        if (reminder) deps.publish('reminder', reminder);
      }
      const frame = notificationFrame(row);
      for (const to of tokens) {
        if (done.get(row.id)?.has(to)) continue;
        outgoing.push({
          row,
          message: {
            to,
            title: row.title,
            body: row.body,
            data: {
              notification_id: row.id,
              kind: frame.kind,
              conversation_id: frame.conversation_id,
              item_id: frame.item_id,
              action: frame.action,
            },
          },
        });
      }
    }

    const results = outgoing.length > 0 ? await push.send(outgoing.map((o) => o.message)) : [];
    const failed = new Map<string, number>();
    const deadTokens = new Set<string>();
    for (const [i, result] of results.entries()) {
      const { row } = outgoing[i]!;
      const created_at = clock.now().toISOString();
      if (result.error) {
        failed.set(row.id, (failed.get(row.id) ?? 0) + 1);
        deps.log?.warn({ err: result.error, notification_id: row.id }, 'push send failed; will retry');
      } else if (result.ticket.status === 'ok') {
        await repo.insertTicket({
          id: crypto.randomUUID(),
          ticket_id: result.ticket.id,
          token: result.to,
          notification_id: row.id,
          created_at,
          checked_at: null,
        });
      } else {
        const code = result.ticket.details?.error ?? 'Unknown';
        if (code === 'DeviceNotRegistered') deadTokens.add(result.to);
        else if (RETRYABLE_TICKET_ERRORS.has(code)) failed.set(row.id, (failed.get(row.id) ?? 0) + 1);
        else {
          // Refused for good for this device: recorded as done, so retries skip it.
          deps.log?.warn({ code, message: result.ticket.message, notification_id: row.id }, 'push refused');
          await repo.insertTicket({
            id: crypto.randomUUID(),
            ticket_id: `error:${code}`,
            token: result.to,
            notification_id: row.id,
            created_at,
            checked_at: created_at,
          });
        }
      }
    }
    for (const token of deadTokens) await repo.deleteToken(token);

    for (const row of rows) {
      const attempts = row.push_attempts + 1;
      const retryIt = (failed.get(row.id) ?? 0) > 0 && attempts < retry.maxAttempts;
      if ((failed.get(row.id) ?? 0) > 0 && !retryIt)
        deps.log?.error({ notification_id: row.id, attempts }, 'push failed too often; giving up');
      await repo.recordAttempt(row.id, {
        push_attempts: attempts,
        next_attempt_at: retryIt ? new Date(now.getTime() + backoffMs(attempts)).toISOString() : null,
        sent_at: retryIt ? null : nowIso,
      });
    }
    return rows.length;
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      try {
        while (!closed && (await deliverBatch()) === BATCH);
      } catch (err) {
        deps.log?.error({ err }, 'notification delivery failed');
      }
    } while (again && !closed);
  }

  /** Starts delivering what is due (or queues one more pass); resolves when that pass is done. */
  function kick(): Promise<void> {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = drain().finally(() => {
      running = null;
    });
    return running;
  }

  async function decideIn(
    draft: NotificationDraft,
    trx: Transaction<DB> | Kysely<DB>,
  ): Promise<NotificationRow | null> {
    const keys = [draft.dedupe_key, ...(draft.covers ?? []).filter((k) => k !== draft.dedupe_key)];
    if ((await repo.decidedKeys(keys, trx)).size > 0) return null;
    const row: NotificationRow = {
      id: newId('ntf'),
      kind: draft.kind,
      title: draft.title,
      body: draft.body,
      conversation_id: draft.conversation_id ?? null,
      item_id: draft.item_id ?? null,
      dedupe_key: draft.dedupe_key,
      created_at: clock.now().toISOString(),
      read_at: null,
      sent_at: null,
      push_attempts: 0,
      next_attempt_at: null,
    };
    await repo.insertDecision(row, keys, trx);
    return row;
  }

  return {
    /**
     * Decides a notification: null when its key (or any key it covers) was decided before.
     * Inside the caller's transaction `trx` (call `kick()` after the commit), or in its own
     * transaction, then delivery starts in the background.
     */
    async decide(draft: NotificationDraft, trx?: Transaction<DB>): Promise<NotificationRow | null> {
      if (trx) return decideIn(draft, trx);
      const row = await db.transaction().execute((t) => decideIn(draft, t));
      if (row) void kick();
      return row;
    },
    /** The keys among `keys` already decided (jobs filter their candidates with it). */
    decidedKeys: (keys: string[]) => repo.decidedKeys(keys),
    kick,
    /** Resolves when the sender has nothing in flight (tests, shutdown). */
    idle: (): Promise<void> => running ?? Promise.resolve(),

    /** Reads receipts of tickets older than `minAgeMs`; DeviceNotRegistered removes the token. */
    async checkReceipts(minAgeMs = RECEIPT_DELAY_MS): Promise<{ checked: number; removedTokens: number }> {
      const now = clock.now();
      const tickets = await repo.uncheckedTickets(new Date(now.getTime() - minAgeMs).toISOString(), 1000);
      if (tickets.length === 0) return { checked: 0, removedTokens: 0 };
      let receipts;
      try {
        receipts = await push.receipts(tickets.map((t) => t.ticket_id));
      } catch (err) {
        deps.log?.warn({ err }, 'push receipts unavailable; will try again');
        return { checked: 0, removedTokens: 0 };
      }
      const checked: string[] = [];
      let removedTokens = 0;
      for (const ticket of tickets) {
        const receipt = receipts[ticket.ticket_id];
        if (!receipt) {
          // Not ready yet, or forgotten by Expo after a day.
          if (now.getTime() - Date.parse(ticket.created_at) > RECEIPT_TTL_MS) checked.push(ticket.id);
          continue;
        }
        checked.push(ticket.id);
        if (receipt.status === 'error') {
          if (receipt.details?.error === 'DeviceNotRegistered') {
            if (await repo.deleteToken(ticket.token)) removedTokens++;
          } else deps.log?.warn({ receipt, notification_id: ticket.notification_id }, 'push receipt error');
        }
      }
      await repo.markTicketsChecked(checked, now.toISOString());
      return { checked: checked.length, removedTokens };
    },

    async registerToken(body: RegisterTokenBody): Promise<void> {
      const token = body.token.trim();
      if (!isExpoPushToken(token))
        throw validationError(
          'token',
          'token must be an Expo push token (ExponentPushToken[...])',
          body.token,
        );
      const now = clock.now().toISOString();
      const device_id = body.device_id?.trim() || null;
      const platform = body.platform?.trim().toLowerCase() || null;
      await db.transaction().execute(async (trx) => {
        await repo.insertToken(
          { id: newId('dev'), token, device_id, platform, created_at: now, updated_at: now },
          trx,
        );
        // A device that registers a new token no longer answers to its old one.
        if (device_id) await repo.deleteDeviceTokens(device_id, token, trx);
      });
    },
    async unregisterToken(token: string): Promise<void> {
      await repo.deleteToken(token.trim());
    },
    /** Registered tokens (tests, diagnostics). */
    tokens: () => repo.tokens(),

    async list(
      query: NotificationListQuery,
    ): Promise<{ items: Notification[]; total: number; page: number; limit: number }> {
      const page = query.page ?? 1;
      const limit = query.limit ?? 20;
      const { rows, total } = await repo.list({ unread: query.unread }, page, limit);
      return { items: rows.map(toNotification), total, page, limit };
    },
    async get(id: string): Promise<Notification> {
      return toNotification(orNotFound(await repo.find(id), 'Notification', id));
    },
    async markRead(id: string): Promise<void> {
      const row = orNotFound(await repo.find(id), 'Notification', id);
      if (row.read_at === null) await repo.markRead(id, clock.now().toISOString());
    },

    /** Stops taking new work and waits for the delivery in flight. */
    async close(): Promise<void> {
      closed = true;
      await running;
      await push.close();
    },
  };
}
