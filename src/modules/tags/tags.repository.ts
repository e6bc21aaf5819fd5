import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export type TagsRepository = ReturnType<typeof createTagsRepository>;

export function createTagsRepository(db: Kysely<DB>) {
  return {
    /**
     * Every tag some todo, event or memo carries: the counts the database keeps by trigger
     * (migration 0011), so the answer costs the number of distinct tags, not of items.
     */
    async distinct(): Promise<string[]> {
      const rows = await db.selectFrom('tag_counts').select('tag').where('n', '>', 0).execute();
      return rows.map((r) => r.tag);
    },
  };
}
