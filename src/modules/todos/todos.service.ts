/**
 * Todos: the rules behind `/api/todos` and the chat intents that touch todos. Bare-date due
 * dates are due at the end of their local day (`due_has_time: false`).
 */
import type { TodoRow, TodoUpdate } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { notFound, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { endOfLocalDay, parseTimeInput, startOfLocalDay } from '../../lib/time.js';
import type { EventSink } from '../../realtime/events.js';
import { normaliseTags, parseTags, type WriteContext } from '../common/items.js';
import type { TodoFilter, TodoOrder, TodosRepository } from './todos.repository.js';
import {
  PRIORITIES,
  TODO_SORTS,
  TODO_STATUSES,
  type Todo,
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
    tags: parseTags(row.tags),
    conversation_id: row.conversation_id,
    message_id: row.message_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function csvEnum(field: string, raw: string | undefined, allowed: readonly string[]): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const v of values)
    if (!allowed.includes(v))
      throw validationError(field, `${field} must be one of ${allowed.join(', ')}`, v);
  return values.length ? values : undefined;
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

  async function get(id: string): Promise<Todo> {
    const row = await repo.find(id);
    if (!row) throw notFound('Todo', id);
    return toTodo(row);
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
        tags: JSON.stringify(normaliseTags(input.tags)),
        conversation_id: ctx.conversationId ?? null,
        message_id: ctx.messageId ?? null,
        created_at: now,
        updated_at: now,
      };
      await repo.insert(row);
      (ctx.publish ?? deps.publish)('module_data_changed', {
        module: 'todos',
        action: 'created',
        id: row.id,
      });
      return toTodo(row);
    },

    async update(id: string, patch: TodoPatch, ctx: WriteContext = {}): Promise<Todo> {
      const current = await repo.find(id);
      if (!current) throw notFound('Todo', id);
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
      if (Object.keys(set).length === 0) return toTodo(current);
      set.updated_at = now;
      await repo.update(id, set);
      (ctx.publish ?? deps.publish)('module_data_changed', { module: 'todos', action: 'updated', id });
      return toTodo({ ...current, ...set });
    },

    async remove(id: string, ctx: WriteContext = {}): Promise<Todo> {
      const current = await repo.find(id);
      if (!current || !(await repo.delete(id))) throw notFound('Todo', id);
      (ctx.publish ?? deps.publish)('module_data_changed', { module: 'todos', action: 'deleted', id });
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
      };
      const { rows, total } = await repo.list(filter, readSort(query.sort), page, limit);
      return { items: rows.map(toTodo), total, page, limit };
    },

    /** For the orchestrator and today: unpaged reads with a cap. */
    async find(filter: TodoFilter, order: TodoOrder, max = 200): Promise<Todo[]> {
      return (await repo.all(filter, order, max)).map(toTodo);
    },
    count: (filter: TodoFilter) => repo.count(filter),
  };
}

function readSort(sort: string | undefined): TodoOrder {
  const raw = sort ?? 'created_at';
  const desc = raw.startsWith('-');
  const key = (desc ? raw.slice(1) : raw) as (typeof TODO_SORTS)[number];
  // Priority sorts by rank: `priority` puts urgent first, `-priority` low first.
  const column = key === 'priority' ? 'priority_rank' : key;
  return { column, direction: desc ? 'desc' : 'asc' };
}

function readTitle(title: string): string {
  const trimmed = title.trim();
  if (!trimmed) throw validationError('title', 'title must not be blank');
  return trimmed;
}
