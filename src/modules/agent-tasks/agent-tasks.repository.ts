/**
 * All SQL on `agent_tasks`, plus the two lookups the result posting needs (the "Agent tasks"
 * conversation by title, a conversation's recent messages for the prompt).
 *
 * The queue is claimed with one conditional UPDATE (`claimNext`): the row to take is chosen by a
 * subquery and the same claimability test is repeated on the row being updated, so of two
 * claimers racing for one task only one changes it. On SQLite a statement is atomic; on
 * PostgreSQL the subquery takes the row `FOR UPDATE SKIP LOCKED`, so of several instances
 * claiming at once each takes a different task instead of queueing behind the same row (the
 * re-check stays, for a row whose lease changed between the pick and the lock).
 */
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { AgentTaskRow, ConversationRow, DB, MessageRow } from '../../db/schema.js';
import type { Dialect } from '../../db/database.js';
import { createConversationPostsRepository } from '../common/conversation-posts.repository.js';
import { pageOf } from '../common/items.js';

type Db = Kysely<DB> | Transaction<DB>;

export type AgentTaskPatch = Partial<
  Pick<AgentTaskRow, 'status' | 'result' | 'error' | 'conversation_id' | 'message_id' | 'completed_at'>
>;

export interface ClaimOptions {
  instanceId: string;
  now: string;
  leaseUntil: string;
  maxAttempts: number;
  /** Tasks this instance is running already (never claimed twice by their own worker). */
  exclude: string[];
}

/** Who may settle a task: the lease holder, or anyone once its leases ran out too often. */
export type SettleGuard = { lockedBy: string } | { exhaustedAt: string; maxAttempts: number };

export type AgentTasksRepository = ReturnType<typeof createAgentTasksRepository>;

/** A task is free: queued, or running under a lease that expired (or was released at start-up). */
function claimable(eb: ExpressionBuilder<DB, 'agent_tasks'>, now: string) {
  return eb.or([
    eb('status', '=', 'queued'),
    eb.and([
      eb('status', '=', 'running'),
      eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]),
    ]),
  ]);
}

export function createAgentTasksRepository(db: Kysely<DB>, dialect: Dialect = 'sqlite') {
  function filtered(conn: Db, statuses: string[] | undefined) {
    let q = conn.selectFrom('agent_tasks');
    if (statuses?.length) q = q.where('status', 'in', statuses);
    return q;
  }

  return {
    async insert(row: AgentTaskRow, trx: Db = db): Promise<void> {
      await trx.insertInto('agent_tasks').values(row).execute();
    },
    async find(id: string, trx: Db = db): Promise<AgentTaskRow | undefined> {
      return trx.selectFrom('agent_tasks').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Newest first, ties broken by id. */
    async list(statuses: string[] | undefined, page: number, limit: number, trx: Db = db) {
      return pageOf(
        () => filtered(trx, statuses),
        (q) => q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc'),
        page,
        limit,
      );
    },

    /** Takes the oldest free task under a lease, in one conditional UPDATE; undefined when none is free. */
    async claimNext(o: ClaimOptions, trx: Db = db): Promise<AgentTaskRow | undefined> {
      const free = (eb: ExpressionBuilder<DB, 'agent_tasks'>) =>
        eb.and([
          claimable(eb, o.now),
          eb('attempts', '<', o.maxAttempts),
          ...(o.exclude.length > 0 ? [eb('id', 'not in', o.exclude)] : []),
        ]);
      const oldestFree = (eb: ExpressionBuilder<DB, 'agent_tasks'>) => {
        const pick = eb
          .selectFrom('agent_tasks')
          .select('id')
          .where(free)
          .orderBy('created_at')
          .orderBy('id')
          .limit(1);
        // PostgreSQL: rows another claimer holds are passed over, not waited for.
        return dialect === 'postgres' ? pick.forUpdate().skipLocked() : pick;
      };
      return trx
        .updateTable('agent_tasks')
        .set({
          status: 'running',
          locked_by: o.instanceId,
          locked_until: o.leaseUntil,
          attempts: sql<number>`attempts + 1`,
          // A task taken over after a crash keeps the moment it first started.
          started_at: sql<string>`coalesce(started_at, ${o.now})`,
        })
        .where((eb) => eb.and([eb('id', '=', oldestFree(eb)), free(eb)]))
        .returningAll()
        .executeTakeFirst();
    },

    /** Extends the lease; false when the task is no longer this instance's (cancelled, taken over). */
    async renew(id: string, instanceId: string, leaseUntil: string, trx: Db = db): Promise<boolean> {
      const res = await trx
        .updateTable('agent_tasks')
        .set({ locked_until: leaseUntil })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', instanceId)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /** Free tasks that used up their attempts (their last worker died): to be failed. */
    async exhausted(
      now: string,
      maxAttempts: number,
      exclude: string[],
      trx: Db = db,
    ): Promise<AgentTaskRow[]> {
      let q = trx
        .selectFrom('agent_tasks')
        .selectAll()
        .where((eb) => claimable(eb, now))
        .where('attempts', '>=', maxAttempts);
      if (exclude.length > 0) q = q.where('id', 'not in', exclude);
      return q.orderBy('created_at').orderBy('id').limit(50).execute();
    },

    /** Moves a task to its outcome if `guard` still holds; false when someone else settled it first. */
    async settle(id: string, patch: AgentTaskPatch, guard: SettleGuard, trx: Db = db): Promise<boolean> {
      let q = trx
        .updateTable('agent_tasks')
        .set({ ...patch, locked_until: null })
        .where('id', '=', id);
      if ('lockedBy' in guard) q = q.where('status', '=', 'running').where('locked_by', '=', guard.lockedBy);
      else q = q.where((eb) => claimable(eb, guard.exhaustedAt)).where('attempts', '>=', guard.maxAttempts);
      const res = await q.executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /** Cancels a task that has not finished; undefined when it had (or does not exist). */
    async cancel(id: string, now: string, trx: Db = db): Promise<AgentTaskRow | undefined> {
      return trx
        .updateTable('agent_tasks')
        .set({ status: 'cancelled', completed_at: now, locked_until: null })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'running'])
        .returningAll()
        .executeTakeFirst();
    },

    /**
     * Gives a running task back to the queue (graceful shutdown); the interrupted attempt does
     * not count against the task.
     */
    async release(id: string, instanceId: string, trx: Db = db): Promise<AgentTaskRow | undefined> {
      return trx
        .updateTable('agent_tasks')
        .set({
          status: 'queued',
          locked_by: null,
          locked_until: null,
          attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end`,
        })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', instanceId)
        .returningAll()
        .executeTakeFirst();
    },

    /**
     * Ends the leases of every task another process was running (start-up of a single instance:
     * that process is gone). Returns how many there were.
     */
    async releaseOrphans(instanceId: string, trx: Db = db): Promise<number> {
      const res = await trx
        .updateTable('agent_tasks')
        .set({ locked_until: null })
        .where('status', '=', 'running')
        .where((eb) => eb.or([eb('locked_by', 'is', null), eb('locked_by', '<>', instanceId)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },

    // ---- where results go (kept here so agent tasks do not depend on the chat service) ---------

    async findConversation(id: string, trx: Db = db): Promise<ConversationRow | undefined> {
      return trx.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /**
     * Serialises, until the transaction ends, the transactions that find-or-create the
     * conversation titled `title`. SQLite writes one transaction at a time already; PostgreSQL
     * takes a transaction-scoped advisory lock on the title.
     */
    async lockTitle(title: string, trx: Transaction<DB>): Promise<void> {
      if (dialect === 'postgres')
        await sql`select pg_advisory_xact_lock(hashtext(${`conversation-title:${title}`}))`.execute(trx);
    },
    ...createConversationPostsRepository(db),
    /** New activity: bumps `updated_at` and brings an archived conversation back. */
    async touchConversation(id: string, updatedAt: string, trx: Db = db): Promise<void> {
      await trx
        .updateTable('conversations')
        .set({ updated_at: updatedAt, is_archived: 0 })
        .where('id', '=', id)
        .execute();
    },
    /** The newest `limit` finished text messages of a conversation before `before`, oldest first. */
    async contextMessages(
      conversationId: string,
      before: string,
      limit: number,
      trx: Db = db,
    ): Promise<MessageRow[]> {
      const rows = await trx
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('created_at', '<=', before)
        .where('role', 'in', ['user', 'assistant'])
        .where('message_type', '=', 'text')
        .where('content', '<>', '')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.reverse();
    },
  };
}
