import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export type AuthRepository = ReturnType<typeof createAuthRepository>;

export function createAuthRepository(db: Kysely<DB>) {
  return {
    async getSetting(key: string): Promise<string | null> {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value ?? null;
    },
    async putSetting(key: string, value: string): Promise<void> {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
    async deleteSetting(key: string): Promise<void> {
      await db.deleteFrom('settings').where('key', '=', key).execute();
    },

    async createSession(id: string, refreshJti: string, now: string): Promise<void> {
      await db
        .insertInto('sessions')
        .values({
          id,
          refresh_jti: refreshJti,
          created_at: now,
          refreshed_at: now,
          revoked_at: null,
          revoked_reason: null,
        })
        .execute();
    },
    async findSession(id: string) {
      return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Which of `ids` name sessions that exist and are not revoked (one query for many sockets). */
    async liveSessionIds(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom('sessions')
        .select('id')
        .where('id', 'in', ids)
        .where('revoked_at', 'is', null)
        .execute();
      return new Set(rows.map((r) => r.id));
    },
    /** Swaps the refresh jti only if it is still the expected one: two racing refreshes cannot both win. */
    /** The successor `expectedJti` was issued is used: it becomes the parent of `nextJti`. */
    async rotateRefresh(id: string, expectedJti: string, nextJti: string, now: string): Promise<boolean> {
      const res = await db
        .updateTable('sessions')
        .set({ parent_refresh_jti: expectedJti, refresh_jti: nextJti, refreshed_at: now })
        .where('id', '=', id)
        .where('refresh_jti', '=', expectedJti)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /**
     * The parent came again while its successor is unused: answer that successor once more. The
     * successor read and the check are one statement's condition, so a rotation landing in
     * between makes this fail (and the caller treat the token as reuse), never hand out a newer one.
     */
    async reissueSuccessor(id: string, parentJti: string, now: string): Promise<string | null> {
      const row = await db
        .selectFrom('sessions')
        .select('refresh_jti')
        .where('id', '=', id)
        .where('parent_refresh_jti', '=', parentJti)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (!row) return null;
      const res = await db
        .updateTable('sessions')
        .set({ refreshed_at: now })
        .where('id', '=', id)
        .where('parent_refresh_jti', '=', parentJti)
        .where('refresh_jti', '=', row.refresh_jti)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1 ? row.refresh_jti : null;
    },
    async revokeSession(id: string, reason: string, now: string): Promise<void> {
      await db
        .updateTable('sessions')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeAllSessions(reason: string, now: string): Promise<void> {
      await db
        .updateTable('sessions')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('revoked_at', 'is', null)
        .execute();
    },

    async recordLoginFailure(address: string, at: string): Promise<void> {
      await db.insertInto('login_failures').values({ address, failed_at: at }).execute();
    },
    /** Failures since `since` for one address, and from everyone; the oldest of each, to compute Retry-After. */
    async countLoginFailures(address: string, since: string) {
      const [mine, all] = await Promise.all([
        db
          .selectFrom('login_failures')
          .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('failed_at').as('oldest')])
          .where('address', '=', address)
          .where('failed_at', '>=', since)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('login_failures')
          .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('failed_at').as('oldest')])
          .where('failed_at', '>=', since)
          .executeTakeFirstOrThrow(),
      ]);
      return {
        address: { count: Number(mine.n), oldest: mine.oldest as string | null },
        global: { count: Number(all.n), oldest: all.oldest as string | null },
      };
    },
    async clearLoginFailures(address: string): Promise<void> {
      await db.deleteFrom('login_failures').where('address', '=', address).execute();
    },
    async pruneLoginFailures(before: string): Promise<void> {
      await db.deleteFrom('login_failures').where('failed_at', '<', before).execute();
    },
  };
}
