import type { Kysely } from 'kysely';
import type { DB, TaskRelationshipRow } from '../../db/schema.js';

export type TaskRelationshipsRepository = ReturnType<typeof createTaskRelationshipsRepository>;

export function createTaskRelationshipsRepository(db: Kysely<DB>) {
  return {
    /** Inserts the link unless the same (source, target, type) exists; answers whether it did. */
    async insert(row: TaskRelationshipRow): Promise<boolean> {
      const res = await db
        .insertInto('task_relationships')
        .values(row)
        .onConflict((oc) => oc.columns(['source_todo_id', 'target_todo_id', 'relationship_type']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async find(id: string): Promise<TaskRelationshipRow | undefined> {
      return db.selectFrom('task_relationships').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** The links from or to a todo, oldest first (each side has its index). */
    async ofTodo(todoId: string): Promise<TaskRelationshipRow[]> {
      return db
        .selectFrom('task_relationships')
        .selectAll()
        .where((eb) => eb.or([eb('source_todo_id', '=', todoId), eb('target_todo_id', '=', todoId)]))
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    async delete(id: string): Promise<TaskRelationshipRow | undefined> {
      return db.deleteFrom('task_relationships').where('id', '=', id).returningAll().executeTakeFirst();
    },
    /** Which of these todos exist. */
    async existingTodos(ids: string[]): Promise<Set<string>> {
      const rows = await db.selectFrom('todos').select('id').where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },
  };
}
