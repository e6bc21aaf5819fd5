/**
 * The export document, version 2 (docs/EXPORT.md): which tables travel, in which order (a
 * row's references come before it), their columns as stored, and each row's shape for import
 * (import.checks.ts adds what a shape cannot say: valid rules, zones, dates, types). Sessions,
 * push tokens and tickets, the PIN hash, the calendar feed key and internal bookkeeping
 * (idempotency keys, job state, activity, tag counts) never leave.
 */
import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { TASK_STATUSES, TASK_TYPES } from '../agent-tasks/agent-tasks.schemas.js';
import { MESSAGE_STATUSES, MESSAGE_TYPES } from '../chat/chat.schemas.js';
import { NOTIFICATION_KINDS } from '../notifications/notifications.schemas.js';
import { RELATIONSHIP_TYPES } from '../task-relationships/task-relationships.schemas.js';
import { PRIORITIES, TODO_STATUSES } from '../todos/todos.schemas.js';

export const FORMAT = 'clawchat-export';
/** Version 2 added the occurrence changes (event_overrides) and the notification keys. */
export const VERSION = 2;
/** Versions an import reads: a version-1 document simply has no rows of the newer tables. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

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
export const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';
export const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const Instant = Type.String({ pattern: INSTANT_PATTERN });
const LocalDate = Type.String({ pattern: DATE_PATTERN });
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
  /** The columns rows are ordered and paged by (together unique: the primary key). */
  key: readonly string[];
  row: TObject;
}

const spec = <T extends Record<string, TSchema>>(
  name: ExportTable,
  key: string | string[],
  columns: T,
): TableSpec => ({
  name,
  key: typeof key === 'string' ? [key] : key,
  row: Type.Object(columns, { additionalProperties: false }),
});

export type ExportTable =
  | 'settings'
  | 'conversations'
  | 'messages'
  | 'todos'
  | 'events'
  | 'event_overrides'
  | 'memos'
  | 'task_relationships'
  | 'attachments'
  | 'agent_tasks'
  | 'notifications'
  | 'notification_keys';

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
    message_type: OneOf(MESSAGE_TYPES),
    status: OneOf(MESSAGE_STATUSES),
    intent: MaybeText,
    metadata: MaybeText,
    created_at: Instant,
  }),
  spec('todos', 'id', {
    id: Id,
    title: Text,
    description: MaybeText,
    status: OneOf(TODO_STATUSES),
    priority: OneOf(PRIORITIES),
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
    recurrence_end: Type.Union([LocalDate, Type.Null()]),
    recurrence_exceptions: Type.String({ pattern: '^\\[.*\\]$' }),
    timezone: Type.String({ minLength: 1 }),
    tags: Tags,
    conversation_id: Ref,
    message_id: Ref,
    created_at: Instant,
    updated_at: Instant,
  }),
  // One changed occurrence of a series, by the local date it had (COMPAT.md occurrences).
  spec('event_overrides', ['event_id', 'occurrence_date'], {
    event_id: Id,
    occurrence_date: LocalDate,
    title: Text,
    description: MaybeText,
    location: MaybeText,
    start_time: Instant,
    end_time: MaybeInstant,
    reminder_minutes: MaybeInt,
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
    relationship_type: OneOf(RELATIONSHIP_TYPES),
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
    task_type: OneOf(TASK_TYPES),
    instruction: Text,
    status: OneOf(TASK_STATUSES),
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
    kind: OneOf(NOTIFICATION_KINDS),
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
  // Every (item, occurrence) a notification decided: without them a restored server would
  // remind again of what it already reminded.
  spec('notification_keys', 'key', {
    key: Type.String({ minLength: 1, maxLength: 500 }),
    notification_id: Ref,
    created_at: Instant,
  }),
];

/** The tables a document of `version` holds (version 1 had neither occurrence changes nor keys). */
export function tablesOf(version: number): readonly TableSpec[] {
  if (version >= 2) return TABLES;
  return TABLES.filter((t) => t.name !== 'event_overrides' && t.name !== 'notification_keys');
}

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
