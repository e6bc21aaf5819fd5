/**
 * The export document, version 1 (docs/EXPORT.md): which tables travel, in which order (a
 * row's references come before it), their columns as stored, and each row's schema for import.
 * Sessions, push tokens and tickets, the PIN hash, the calendar feed key and internal
 * bookkeeping (idempotency keys, notification keys, job state, activity) never leave.
 */
import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

export const FORMAT = 'clawchat-export';
export const VERSION = 1;

/** The settings an export carries: the owner's choices, never credentials. */
export const EXPORTED_SETTINGS = [
  'owner.timezone',
  'owner.briefing_time',
  'app.preferences',
  'app.preferences_updated_at',
] as const;

// TypeBox checks literals, not JSON Schema's `enum` keyword on a string.
const OneOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Ref = Type.Union([Id, Type.Null()]);
// Instants are stored as RFC 3339 UTC with milliseconds so that they sort as text.
const Instant = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' });
const MaybeInstant = Type.Union([Instant, Type.Null()]);
const Text = Type.String();
const MaybeText = Type.Union([Text, Type.Null()]);
const Int = Type.Integer();
const MaybeInt = Type.Union([Int, Type.Null()]);
const Flag = Type.Union([Type.Literal(0), Type.Literal(1)]);
/** Tags are stored as JSON text holding an array of strings. */
const Tags = Type.String({ pattern: '^\\[.*\\]$' });

export interface TableSpec {
  name: ExportTable;
  /** The column rows are ordered and paged by (unique). */
  key: string;
  row: TObject;
}

const spec = <T extends Record<string, TSchema>>(name: ExportTable, key: string, columns: T): TableSpec => ({
  name,
  key,
  row: Type.Object(columns, { additionalProperties: false }),
});

export type ExportTable =
  | 'settings'
  | 'conversations'
  | 'messages'
  | 'todos'
  | 'events'
  | 'memos'
  | 'task_relationships'
  | 'attachments'
  | 'agent_tasks'
  | 'notifications';

/** In dependency order: importing them in this order satisfies every foreign key. */
export const TABLES: readonly TableSpec[] = [
  spec('settings', 'key', { key: OneOf([...EXPORTED_SETTINGS]), value: Text }),
  spec('conversations', 'id', {
    id: Id,
    title: Text,
    is_archived: Flag,
    created_at: Instant,
    updated_at: Instant,
  }),
  spec('messages', 'id', {
    id: Id,
    conversation_id: Id,
    role: OneOf(['user', 'assistant', 'system']),
    content: Text,
    message_type: Text,
    status: Text,
    intent: MaybeText,
    metadata: MaybeText,
    created_at: Instant,
  }),
  spec('todos', 'id', {
    id: Id,
    title: Text,
    description: MaybeText,
    status: OneOf(['pending', 'in_progress', 'completed', 'cancelled']),
    priority: OneOf(['low', 'medium', 'high', 'urgent']),
    priority_rank: Int,
    due_date: MaybeInstant,
    due_has_time: Flag,
    completed_at: MaybeInstant,
    tags: Tags,
    conversation_id: Ref,
    message_id: Ref,
    created_at: Instant,
    updated_at: Instant,
    parent_id: Ref,
    sort_order: Int,
  }),
  spec('events', 'id', {
    id: Id,
    title: Text,
    description: MaybeText,
    start_time: Instant,
    end_time: MaybeInstant,
    location: MaybeText,
    is_all_day: Flag,
    reminder_minutes: MaybeInt,
    recurrence_rule: MaybeText,
    // The series' own changes (COMPAT.md): its last day and the dates removed from it.
    recurrence_end: Type.Union([Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), Type.Null()]),
    recurrence_exceptions: Type.String({ pattern: '^\\[.*\\]$' }),
    timezone: Type.String({ minLength: 1 }),
    tags: Tags,
    conversation_id: Ref,
    message_id: Ref,
    created_at: Instant,
    updated_at: Instant,
  }),
  spec('memos', 'id', {
    id: Id,
    title: Text,
    content: Text,
    tags: Tags,
    conversation_id: Ref,
    message_id: Ref,
    created_at: Instant,
    updated_at: Instant,
  }),
  spec('task_relationships', 'id', {
    id: Id,
    source_todo_id: Id,
    target_todo_id: Id,
    relationship_type: Text,
    created_at: Instant,
  }),
  spec('attachments', 'id', {
    // The id names the file on disk (storage.ts), hence the strict shape.
    id: Type.String({ pattern: '^att_[0-9a-z]+$', maxLength: 200 }),
    filename: Text,
    content_type: Text,
    size_bytes: Type.Integer({ minimum: 0 }),
    memo_id: Ref,
    todo_id: Ref,
    created_at: Instant,
  }),
  spec('agent_tasks', 'id', {
    id: Id,
    task_type: Text,
    instruction: Text,
    status: Text,
    result: MaybeText,
    error: MaybeText,
    conversation_id: Ref,
    message_id: Ref,
    attempts: Int,
    locked_until: MaybeInstant,
    locked_by: MaybeText,
    created_at: Instant,
    started_at: MaybeInstant,
    completed_at: MaybeInstant,
  }),
  spec('notifications', 'id', {
    id: Id,
    kind: Text,
    title: Text,
    body: Text,
    conversation_id: Ref,
    item_id: MaybeText,
    dedupe_key: Text,
    created_at: Instant,
    read_at: MaybeInstant,
    sent_at: MaybeInstant,
    push_attempts: Int,
    next_attempt_at: MaybeInstant,
  }),
];

export const columnsOf = (t: TableSpec): string[] => Object.keys(t.row.properties);

const checks = new Map<string, TypeCheck<TObject>>();
/** The compiled row check of a table (compiled once, on first use). */
export function rowCheck(t: TableSpec): TypeCheck<TObject> {
  let check = checks.get(t.name);
  if (!check) {
    check = TypeCompiler.Compile(t.row);
    checks.set(t.name, check);
  }
  return check;
}

/** Columns PostgreSQL hands back as strings (bigint) that the document carries as numbers. */
export const BIGINT_COLUMNS = new Set(['size_bytes']);
