/**
 * Refresh tokens the ClawChat apps can live with (COMPAT.md "Sessions that last"): a refresh
 * token stays usable until one of its successors is used. The session keeps that token's jti
 * beside the successor's; presenting anything older is reuse.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

export function refreshSuccessor(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('sessions').addColumn('parent_refresh_jti', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('sessions').dropColumn('parent_refresh_jti').execute();
    },
  };
}
