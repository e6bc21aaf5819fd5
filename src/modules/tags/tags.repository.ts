import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { DB } from '../../db/schema.js';

/** The tables whose `tags` column (a JSON array as text) the tag list reads. */
const TAGGED = ['todos', 'events', 'memos'] as const;

export type TagsRepository = ReturnType<typeof createTagsRepository>;

/**
 * Every distinct tag, computed by the database: the JSON arrays are unnested there and only
 * the distinct values travel. Rows without tags (`[]`, most of them) are skipped before any
 * JSON is parsed; a value that is not an array of strings contributes nothing, never an error.
 */
export function createTagsRepository(db: Kysely<DB>, dialect: Dialect) {
  const perTable = (table: (typeof TAGGED)[number]) =>
    dialect === 'sqlite'
      ? sql`select j.value as tag from ${sql.table(table)} x, json_each(x.tags) j
            where x.tags <> '[]' and json_valid(x.tags) and json_type(x.tags) = 'array' and j.type = 'text'`
      : // `tags` is text: a value that is not JSON would make the cast fail, so only arrays are cast.
        sql`select e #>> '{}' as tag from ${sql.table(table)} x,
              jsonb_array_elements(x.tags::jsonb) e
            where x.tags <> '[]' and x.tags like '[%' and jsonb_typeof(e) = 'string'`;

  return {
    async distinct(): Promise<string[]> {
      const { rows } = await sql<{ tag: string }>`${sql.join(TAGGED.map(perTable), sql` union `)}`.execute(
        db,
      );
      return rows.map((r) => r.tag);
    },
  };
}
