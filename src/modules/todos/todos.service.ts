/**
 * Todos: the rules behind `/api/todos` and the chat intents that touch todos. Bare-date due
 * dates are due at the end of their local day (`due_has_time: false`).
 */
import type { Transaction } from 'kysely';
import type { DB, TodoRow, TodoUpdate } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { isForeignKeyViolation } from '../../db/constraints.js';
import { csvEnum } from '../../lib/csv-enum.js';
import { notFound, orNotFound, unprocessable, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { endOfLocalDay, parseTimeInput, startOfLocalDay } from '../../lib/time.js';
import type { AttachmentsService } from '../attachments/attachments.service.js';
import type { EventSink } from '../../realtime/events.js';
import {
  itemFields,
  newItemColumns,
  normaliseTags,
  publishChange,
  type WriteContext,
} from '../common/items.js';
import type { TodoFilter, TodoOrder, TodosRepository } from './todos.repository.js';
import {
  PRIORITIES,
  TODO_SORTS,
  TODO_STATUSES,
  type Todo,
  type TodoBulk,
  type TodoBulkResult,
  type TodoCreate,
  type TodoListQuery,
  type TodoPatch,
} from './todos.schemas.js';

export const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, medium: 2, low: 3 };

export interface TodosServiceDeps {
  repo: TodosRepository;
  clock: Clock;
  timezone: () => string;
  publish: EventSink;
  /** A todo's files go with it. */
  attachments: Pick<AttachmentsService, 'collectOrphans'>;
}

export type TodosService = ReturnType<typeof createTodosService>;

export function toTodo(row: TodoRow): Todo {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status as Todo['status'],
    priority: row.priority as Todo['priority'],
    due_date: row.due_date,
    due_has_time: row.due_has_time === 1,
    completed_at: row.completed_at,
    ...itemFields(row),
    parent_id: row.parent_id,
    sort_order: row.sort_order,
  };
}

export function createTodosService(deps: TodosServiceDeps) {
  const { repo, clock } = deps;

  function readDue(value: string, field = 'due_date'): { due_date: string; due_has_time: number } {
    const parsed = parseTimeInput(value, deps.timezone());
    if (!parsed)
      throw validationError(field, `${field} must be an RFC 3339 date-time or a YYYY-MM-DD date`, value);
    return parsed.dateOnly
      ? { due_date: endOfLocalDay(parsed.date, deps.timezone()).toISOString(), due_has_time: 0 }
      : { due_date: parsed.date.toISOString(), due_has_time: 1 };
  }

  /** A list bound: a bare date as `_after` is the start of that local day, as `_before` its end. */
  function readBound(value: string, field: 'due_after' | 'due_before'): string {
    const parsed = parseTimeInput(value, deps.timezone());
    if (!parsed)
      throw validationError(field, `${field} must be an RFC 3339 date-time or a YYYY-MM-DD date`, value);
    if (!parsed.dateOnly) return parsed.date.toISOString();
    const tz = deps.timezone();
    return (
      field === 'due_after' ? startOfLocalDay(parsed.date, tz) : endOfLocalDay(parsed.date, tz)
    ).toISOString();
  }

  /** `parent` must exist, and must not be `id` itself or below it (that would close a loop). */
  async function checkParent(parent: string, id: string | null, trx?: Transaction<DB>): Promise<void> {
    if (!(await repo.find(parent, trx))) throw notFound('Parent todo', parent);
    if (id !== null && (await repo.isSelfOrAncestor(id, parent, trx)))
      throw unprocessable('parent_id', 'parent_id would make the todo a subtask of itself');
  }

  /** A write that links to a parent a concurrent delete removed answers 404, not 500. */
  async function linking<T>(parent: string | null | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (parent && isForeignKeyViolation(err)) throw notFound('Parent todo', parent);
      throw err;
    }
  }

  async function get(id: string): Promise<Todo> {
    return toTodo(orNotFound(await repo.find(id), 'Todo', id));
  }

  return {
    get,

    async create(input: TodoCreate, ctx: WriteContext = {}): Promise<Todo> {
      const now = clock.now().toISOString();
      const status = input.status ?? 'pending';
      const priority = input.priority ?? 'medium';
      const due = input.due_date ? readDue(input.due_date) : { due_date: null, due_has_time: 0 };
      const row = {
        id: newId('todo'),
        title: readTitle(input.title),
        description: input.description ?? null,
        status,
        priority,
        priority_rank: PRIORITY_RANK[priority]!,
        ...due,
        completed_at: status === 'completed' ? now : null,
        ...newItemColumns(input.tags, ctx, now),
        parent_id: input.parent_id ?? null,
        sort_order: input.sort_order ?? 0,
      };
      if (row.parent_id !== null) await checkParent(row.parent_id, null);
      await linking(row.parent_id, () => repo.insert(row));
      publishChange(ctx, deps.publish, { module: 'todos', action: 'created', id: row.id });
      return toTodo(row);
    },

    async update(id: string, patch: TodoPatch, ctx: WriteContext = {}): Promise<Todo> {
      const current = orNotFound(await repo.find(id), 'Todo', id);
      const now = clock.now().toISOString();
      const set: TodoUpdate = {};
      if (patch.title !== undefined) set.title = readTitle(patch.title);
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.priority !== undefined) {
        set.priority = patch.priority;
        set.priority_rank = PRIORITY_RANK[patch.priority]!;
      }
      if (patch.tags !== undefined) set.tags = JSON.stringify(normaliseTags(patch.tags));
      if (patch.due_date !== undefined)
        Object.assign(
          set,
          patch.due_date === null ? { due_date: null, due_has_time: 0 } : readDue(patch.due_date),
        );
      if (patch.status !== undefined && patch.status !== current.status) {
        set.status = patch.status;
        // completed_at is set once, when the todo becomes completed; any other status clears it.
        set.completed_at = patch.status === 'completed' ? (current.completed_at ?? now) : null;
      }
      if (patch.sort_order !== undefined && patch.sort_order !== current.sort_order)
        set.sort_order = patch.sort_order;
      const parent = patch.parent_id;
      if (parent !== undefined && parent !== current.parent_id) set.parent_id = parent;
      if (Object.keys(set).length === 0) return toTodo(current);
      set.updated_at = now;
      if (set.parent_id)
        // A move: checked and written under the tree lock, so no concurrent move closes a loop.
        await linking(set.parent_id, () =>
          repo.transaction(async (trx) => {
            await repo.lockTree(trx);
            await checkParent(parent!, id, trx);
            await repo.update(id, set, trx);
          }),
        );
      else await repo.update(id, set);
      publishChange(ctx, deps.publish, { module: 'todos', action: 'updated', id });
      return toTodo({ ...current, ...set });
    },

    async remove(id: string, ctx: WriteContext = {}): Promise<Todo> {
      const current = await repo.find(id);
      // The todo and every subtask below it, the todo first.
      const deleted = current ? await repo.deleteTrees([id]) : [];
      if (!current || !deleted.length) throw notFound('Todo', id);
      for (const gone of deleted)
        publishChange(ctx, deps.publish, { module: 'todos', action: 'deleted', id: gone });
      // Their attachments' rows lost their owner: remove them and their files.
      await deps.attachments.collectOrphans();
      return toTodo(current);
    },

    async list(query: TodoListQuery): Promise<{ items: Todo[]; total: number; page: number; limit: number }> {
      const page = query.page ?? 1;
      const limit = query.limit ?? 20;
      const filter: TodoFilter = {
        statuses: csvEnum('status', query.status, TODO_STATUSES),
        priorities: csvEnum('priority', query.priority, PRIORITIES),
        dueAfter: query.due_after === undefined ? undefined : readBound(query.due_after, 'due_after'),
        dueBefore: query.due_before === undefined ? undefined : readBound(query.due_before, 'due_before'),
        tag: query.tag,
        q: query.q?.trim() ? query.q : undefined,
        parentId: query.parent_id,
        rootOnly: query.root_only === true,
      };
      const { rows, total } = await repo.list(filter, readOrder(query), page, limit);
      return { items: rows.map(toTodo), total, page, limit };
    },

    /**
     * One change to many todos, or their deletion, in one transaction; unknown ids are reported,
     * not fatal. Each todo changed or deleted (subtasks included) is published as a single
     * change would be, once committed.
     */
    async bulk(input: TodoBulk, ctx: WriteContext = {}): Promise<TodoBulkResult> {
      const ids = [...new Set(input.ids)];
      const now = clock.now().toISOString();
      const set: TodoUpdate = {};
      if (input.status !== undefined) set.status = input.status;
      if (input.priority !== undefined)
        Object.assign(set, { priority: input.priority, priority_rank: PRIORITY_RANK[input.priority]! });
      if (input.tags !== undefined) set.tags = JSON.stringify(normaliseTags(input.tags));
      const { found, deleted } = await repo.transaction(async (trx) => {
        const known = await repo.existing(ids, trx);
        const found = ids.filter((id) => known.has(id));
        if (input.delete) return { found, deleted: await repo.deleteTrees(found, trx) };
        if (Object.keys(set).length && found.length)
          await repo.updateMany(found, { ...set, updated_at: now }, now, trx);
        return { found, deleted: [] };
      });
      // A deletion counts the todos this request removed (a concurrent one may have taken some).
      const removed = new Set(deleted);
      const hit = new Set(input.delete ? found.filter((id) => removed.has(id)) : found);
      const publish = ctx.publish ?? deps.publish;
      const changed = !input.delete && Object.keys(set).length > 0;
      if (changed)
        for (const id of found) publish('module_data_changed', { module: 'todos', action: 'updated', id });
      for (const id of deleted) publish('module_data_changed', { module: 'todos', action: 'deleted', id });
      if (deleted.length) await deps.attachments.collectOrphans();
      return {
        updated: changed ? found.length : 0,
        deleted: input.delete ? hit.size : 0,
        errors: ids.filter((id) => !hit.has(id)).map((id) => `Todo ${id} not found`),
      };
    },

    /** For the orchestrator and today: unpaged reads with a cap. */
    async find(filter: TodoFilter, order: TodoOrder, max = 200): Promise<Todo[]> {
      return (await repo.all(filter, order, max)).map(toTodo);
    },
    count: (filter: TodoFilter) => repo.count(filter),
  };
}

/**
 * `sort` (API.md), or the apps' `order_by` / `order_dir` (COMPAT.md), which win when given:
 * `order_by` names the column (else `sort`'s), `order_dir` the direction (desc unless given,
 * as the apps' first server did).
 */
function readOrder(query: Pick<TodoListQuery, 'sort' | 'order_by' | 'order_dir'>): TodoOrder {
  const raw = query.sort ?? 'created_at';
  const desc = raw.startsWith('-');
  const sortKey = (desc ? raw.slice(1) : raw) as (typeof TODO_SORTS)[number];
  const apps = query.order_by !== undefined || query.order_dir !== undefined;
  const key = query.order_by ?? sortKey;
  const direction = apps ? (query.order_dir ?? 'desc') : desc ? 'desc' : 'asc';
  // Priority sorts by rank: ascending puts urgent first, descending low first.
  return { column: key === 'priority' ? 'priority_rank' : key, direction };
}

function readTitle(title: string): string {
  const trimmed = title.trim();
  if (!trimmed) throw validationError('title', 'title must not be blank');
  return trimmed;
}
