/** `idempotency_keys`: the first answer to a request that carried a client key. */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';

type Db = Kysely<DB> | Transaction<DB>;

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;

export function createIdempotencyRepository(db: Kysely<DB>) {
  return {
    async find(key: string, trx: Db = db) {
      return trx.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
    },
    async put(
      row: { key: string; body_hash: string; response: string; created_at: string },
      trx: Db = db,
    ): Promise<void> {
      await trx.insertInto('idempotency_keys').values(row).execute();
    },
    async delete(key: string, trx: Db = db): Promise<void> {
      await trx.deleteFrom('idempotency_keys').where('key', '=', key).execute();
    },
    async prune(olderThan: string, trx: Db = db): Promise<void> {
      await trx.deleteFrom('idempotency_keys').where('created_at', '<', olderThan).execute();
    },
  };
}
