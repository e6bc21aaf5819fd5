/**
 * All SQL of the owner's console. Storage figures differ by database: SQLite reads its page
 * counts and the `dbstat` table, PostgreSQL its size functions; the rest is portable.
 */
import fs from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';

export type ActivityRepository = ReturnType<typeof createActivityRepository>;

export function createActivityRepository(db: Kysely<DB>) {
  return {
    async insert(row: {
      kind: string;
      message: string;
      detail: string | null;
      created_at: string;
    }): Promise<void> {
      await db.insertInto('activity').values(row).execute();
    },
    /** Keeps the newest `keep` rows. */
    async prune(keep: number): Promise<void> {
      const edge = await db
        .selectFrom('activity')
        .select('id')
        .orderBy('id', 'desc')
        .offset(keep)
        .limit(1)
        .executeTakeFirst();
      if (edge) await db.deleteFrom('activity').where('id', '<=', edge.id).execute();
    },
    async latest(limit: number) {
      return db
        .selectFrom('activity')
        .select(['id', 'kind', 'message', 'detail', 'created_at'])
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
    },
    async revokedReason(sessionId: string): Promise<string | null> {
      const row = await db
        .selectFrom('sessions')
        .select('revoked_reason')
        .where('id', '=', sessionId)
        .executeTakeFirst();
      return row?.revoked_reason ?? null;
    },
  };
}

/** The item tables the overview counts, by the name the console shows. */
const ITEM_TABLES = {
  todos: 'todos',
  events: 'events',
  memos: 'memos',
  conversations: 'conversations',
  messages: 'messages',
  agent_tasks: 'agent_tasks',
} as const;

export type ItemCounts = Record<keyof typeof ITEM_TABLES, number>;

export interface TableStat {
  table: string;
  rows: number;
  /** Table and its indexes; null where the database cannot tell (SQLite without dbstat). */
  bytes: number | null;
}

export type PurgeTarget = 'conversations' | 'messages' | 'todos';

/** FTS5 keeps a virtual table's data in shadow tables named `<table>_<suffix>`. */
const FTS5_SHADOW = /^(.+)_(data|idx|content|docsize|config)$/;

export type AdminRepository = ReturnType<typeof createAdminRepository>;

export function createAdminRepository(
  database: Pick<Database, 'db' | 'dialect' | 'sqlite'>,
  sqliteFile: string | null,
) {
  const { db, dialect } = database;

  async function count(table: string): Promise<number> {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
      db,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async function tableExists(table: string): Promise<boolean> {
    if (dialect === 'sqlite') {
      const { rows } = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table' and name = ${table}`.execute(db);
      return rows.length > 0;
    }
    const { rows } = await sql<{ oid: string | null }>`select to_regclass(${table})::text as oid`.execute(db);
    return rows[0]?.oid != null;
  }

  async function sqliteTableStats(): Promise<TableStat[]> {
    const { rows: tables } = await sql<{ name: string; sql: string | null }>`
      select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
      db,
    );
    const virtual = new Set(
      tables.filter((t) => /^\s*create\s+virtual/i.test(t.sql ?? '')).map((t) => t.name),
    );
    const ownerOf = (name: string) => {
      const m = FTS5_SHADOW.exec(name);
      return m && virtual.has(m[1]!) ? m[1]! : name;
    };
    let bytes: Map<string, number> | null = new Map();
    try {
      const { rows } = await sql<{ tbl: string; bytes: number }>`
        select m.tbl_name as tbl, sum(s.pgsize) as bytes
        from dbstat s join sqlite_master m on m.name = s.name group by m.tbl_name`.execute(db);
      for (const r of rows) bytes.set(ownerOf(r.tbl), (bytes.get(ownerOf(r.tbl)) ?? 0) + Number(r.bytes));
    } catch {
      // A SQLite built without SQLITE_ENABLE_DBSTAT_VTAB: counts only.
      bytes = null;
    }
    const out: TableStat[] = [];
    for (const t of tables) {
      if (ownerOf(t.name) !== t.name) continue;
      out.push({ table: t.name, rows: await count(t.name), bytes: bytes ? (bytes.get(t.name) ?? 0) : null });
    }
    return out;
  }

  async function postgresTableStats(): Promise<TableStat[]> {
    const { rows } = await sql<{ name: string; bytes: string }>`
      select c.relname as name, pg_total_relation_size(c.oid) as bytes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p') order by c.relname`.execute(db);
    const out: TableStat[] = [];
    for (const r of rows) out.push({ table: r.name, rows: await count(r.name), bytes: Number(r.bytes) });
    return out;
  }

  return {
    async itemCounts(): Promise<ItemCounts> {
      const entries = await Promise.all(
        Object.entries(ITEM_TABLES).map(async ([key, table]) => [key, await count(table)] as const),
      );
      return Object.fromEntries(entries) as ItemCounts;
    },

    /** The database's size on disk: SQLite pages plus the write-ahead log, or pg_database_size. */
    async databaseBytes(): Promise<number> {
      if (dialect === 'postgres') {
        const { rows } = await sql<{ n: string }>`select pg_database_size(current_database()) as n`.execute(
          db,
        );
        return Number(rows[0]?.n ?? 0);
      }
      const { rows } = await sql<{ page_count: number; page_size: number }>`
        select p.page_count, s.page_size from pragma_page_count() p, pragma_page_size() s`.execute(db);
      const main = Number(rows[0]?.page_count ?? 0) * Number(rows[0]?.page_size ?? 0);
      let wal = 0;
      try {
        if (sqliteFile) wal = fs.statSync(`${sqliteFile}-wal`).size;
      } catch {
        // No WAL file (checkpointed and removed).
      }
      return main + wal;
    },

    async jobRuns() {
      return db.selectFrom('job_state').select(['name', 'last_run_at']).orderBy('name').execute();
    },

    /** Sessions not revoked whose refresh token was issued after `since` (older ones have expired). */
    async liveSessions(since: string) {
      return db
        .selectFrom('sessions')
        .select(['id', 'user_agent', 'created_at', 'refreshed_at'])
        .where('revoked_at', 'is', null)
        .where('refreshed_at', '>=', since)
        .orderBy('refreshed_at', 'desc')
        .execute();
    },

    async findLiveSession(id: string, since: string) {
      return db
        .selectFrom('sessions')
        .select('id')
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .where('refreshed_at', '>=', since)
        .executeTakeFirst();
    },

    async setUserAgent(sessionId: string, userAgent: string): Promise<void> {
      await db.updateTable('sessions').set({ user_agent: userAgent }).where('id', '=', sessionId).execute();
    },

    tableStats: (): Promise<TableStat[]> =>
      dialect === 'sqlite' ? sqliteTableStats() : postgresTableStats(),

    /** Attachments' count and total size; null when this deployment has no `attachments` table. */
    async attachmentTotals(): Promise<{ count: number; bytes: number } | null> {
      if (!(await tableExists('attachments'))) return null;
      const { rows } = await sql<{ n: number | string; bytes: number | string | null }>`
        select count(*) as n, sum(size_bytes) as bytes from attachments`.execute(db);
      return { count: Number(rows[0]?.n ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
    },

    /**
     * Rebuilds the search index: SQLite's FTS5 tables re-derive their inverted index from their
     * stored text ('rebuild'); PostgreSQL rebuilds the GIN indexes of `search_docs`. Answers
     * how many documents the index holds.
     */
    async rebuildSearchIndex(): Promise<number> {
      if (dialect === 'sqlite') {
        await db.transaction().execute(async (trx) => {
          await sql`insert into search_fts(search_fts) values ('rebuild')`.execute(trx);
          await sql`insert into search_trigram(search_trigram) values ('rebuild')`.execute(trx);
        });
      } else {
        await sql`reindex table search_docs`.execute(db);
      }
      return count('search_docs');
    },

    /** Deletes archived conversations / messages / completed todos older than `cutoff`; answers how many. */
    async purge(target: PurgeTarget, cutoff: string): Promise<number> {
      const res =
        target === 'conversations'
          ? await db
              .deleteFrom('conversations')
              .where('is_archived', '=', 1)
              .where('updated_at', '<', cutoff)
              .executeTakeFirst()
          : target === 'messages'
            ? // A reply still streaming is being written: never pulled from under its turn.
              await db
                .deleteFrom('messages')
                .where('created_at', '<', cutoff)
                .where('status', '<>', 'streaming')
                .executeTakeFirst()
            : // A completed todo with subtasks stays: deleting it would take its open subtasks along.
              await db
                .deleteFrom('todos')
                .where('status', '=', 'completed')
                .where((eb) => eb(eb.fn.coalesce('completed_at', 'updated_at'), '<', cutoff))
                .where((eb) =>
                  eb.not(
                    eb.exists(
                      eb
                        .selectFrom('todos as child')
                        .select('child.id')
                        .whereRef('child.parent_id', '=', 'todos.id'),
                    ),
                  ),
                )
                .executeTakeFirst();
      return Number(res.numDeletedRows);
    },

    /** A consistent copy of the SQLite database (the online backup API) into `file`. */
    async backupSqlite(file: string): Promise<void> {
      if (!database.sqlite) throw new Error('Not a SQLite database');
      await database.sqlite.backup(file);
    },
  };
}
