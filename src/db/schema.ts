/**
 * Table types shared by both dialects. Portable column choices, so one set of queries serves
 * SQLite and PostgreSQL alike:
 * - instants are TEXT in RFC 3339 UTC with milliseconds (`2026-02-22T15:00:00.000Z`): they
 *   sort and compare correctly as strings;
 * - booleans are INTEGER 0/1;
 * - `tags` and `metadata` are JSON text.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface SettingsTable {
  key: string;
  value: string;
}

export interface SessionsTable {
  id: string;
  /** The jti of the newest refresh token issued (the successor). */
  refresh_jti: string;
  /**
   * The token that successor was issued for: still usable (answering the same successor) until
   * the successor is used (COMPAT.md, migration 0012). Anything older is reuse.
   */
  parent_refresh_jti: string | null;
  created_at: string;
  refreshed_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
  /** The login request's User-Agent (migration 0010), so the owner's console can name the device. */
  user_agent: string | null;
}

export interface LoginFailuresTable {
  id: Generated<number>;
  address: string;
  failed_at: string;
}

export interface TodosTable {
  id: string;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  priority_rank: number;
  due_date: string | null;
  due_has_time: number;
  completed_at: string | null;
  tags: string;
  conversation_id: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
  /** The parent todo (subtasks, any depth, no cycles); deleting it deletes this one (migration 0011). */
  parent_id: string | null;
  /** Manual order the apps set; 0 unless given. */
  sort_order: Generated<number>;
}

/** A typed link between two todos, removed with either of them (migration 0011). */
export interface TaskRelationshipsTable {
  id: string;
  source_todo_id: string;
  target_todo_id: string;
  relationship_type: string;
  created_at: string;
}

/** How many todos, events and memos carry each tag; kept by triggers (migration 0011). */
export interface TagCountsTable {
  tag: string;
  n: number;
}

export interface EventsTable {
  id: string;
  title: string;
  description: string | null;
  start_time: string;
  end_time: string | null;
  location: string | null;
  is_all_day: number;
  reminder_minutes: number | null;
  recurrence_rule: string | null;
  /** The zone the series repeats in (its wall clock), fixed when written. */
  timezone: string;
  /** end - start in ms (0 without an end), kept by the database (migration 0005): never written. */
  span_ms: Generated<number>;
  /** The last local day (YYYY-MM-DD, the series' zone) occurrences may start, or null. */
  recurrence_end: string | null;
  /** JSON array of removed occurrence dates (YYYY-MM-DD). */
  recurrence_exceptions: Generated<string>;
  tags: string;
  conversation_id: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
}

/** One changed occurrence of a series (migration 0013), by the local date it had. */
export interface EventOverridesTable {
  event_id: string;
  occurrence_date: string;
  title: string;
  description: string | null;
  location: string | null;
  start_time: string;
  end_time: string | null;
  reminder_minutes: number | null;
  created_at: string;
  updated_at: string;
}

export interface MemosTable {
  id: string;
  title: string;
  content: string;
  tags: string;
  conversation_id: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConversationsTable {
  id: string;
  title: string;
  is_archived: number;
  created_at: string;
  updated_at: string;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  role: string;
  content: string;
  message_type: string;
  status: string;
  intent: string | null;
  metadata: string | null;
  created_at: string;
}

export interface IdempotencyKeysTable {
  key: string;
  body_hash: string;
  response: string;
  created_at: string;
}

export interface NotificationsTable {
  id: string;
  kind: string;
  title: string;
  body: string;
  conversation_id: string | null;
  item_id: string | null;
  /** Unique per item and occurrence: the decision to notify is taken once. */
  dedupe_key: string;
  created_at: string;
  read_at: string | null;
  /** Set once delivered to sockets and handed to the push service. */
  sent_at: string | null;
  push_attempts: number;
  next_attempt_at: string | null;
}

export interface PushTokensTable {
  id: string;
  token: string;
  device_id: string | null;
  platform: string | null;
  created_at: string;
  updated_at: string;
}

export interface PushTicketsTable {
  id: string;
  ticket_id: string;
  token: string;
  notification_id: string | null;
  created_at: string;
  checked_at: string | null;
}

export interface AgentTasksTable {
  id: string;
  task_type: string;
  instruction: string;
  status: string;
  result: string | null;
  error: string | null;
  conversation_id: string | null;
  message_id: string | null;
  attempts: number;
  locked_until: string | null;
  locked_by: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** Every (item, occurrence) key a notification decided (a summary covers several). */
export interface NotificationKeysTable {
  key: string;
  notification_id: string | null;
  created_at: string;
}

export interface JobStateTable {
  name: string;
  last_run_at: string;
}

/** One row (id 1), bumped by triggers on each write to a recurring series (migration 0005). */
export interface SeriesGenerationTable {
  id: number;
  /** A bigint: PostgreSQL hands it back as a string. */
  n: number | string;
}

/** A file on a memo or a todo (exactly one owner); the bytes live on disk, named by id. */
export interface AttachmentsTable {
  id: string;
  filename: string;
  content_type: string;
  /** A bigint: PostgreSQL hands it back as a string. */
  size_bytes: number | string;
  memo_id: string | null;
  todo_id: string | null;
  created_at: string;
}

/** Notable events for the owner's console (migration 0010), pruned to the newest ~1,000. */
export interface ActivityTable {
  id: Generated<number>;
  kind: string;
  message: string;
  /** JSON object text, or null. */
  detail: string | null;
  created_at: string;
}

/** Rows per table, kept by triggers (migration 0014). */
export interface RowCountsTable {
  name: string;
  n: number | string;
}

export interface DB {
  settings: SettingsTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  todos: TodosTable;
  events: EventsTable;
  event_overrides: EventOverridesTable;
  memos: MemosTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  idempotency_keys: IdempotencyKeysTable;
  notifications: NotificationsTable;
  push_tokens: PushTokensTable;
  push_tickets: PushTicketsTable;
  agent_tasks: AgentTasksTable;
  job_state: JobStateTable;
  notification_keys: NotificationKeysTable;
  series_generation: SeriesGenerationTable;
  attachments: AttachmentsTable;
  activity: ActivityTable;
  task_relationships: TaskRelationshipsTable;
  tag_counts: TagCountsTable;
  row_counts: RowCountsTable;
}

export type TodoRow = Selectable<TodosTable>;
export type NewTodoRow = Insertable<TodosTable>;
export type TodoUpdate = Updateable<TodosTable>;
export type TaskRelationshipRow = Selectable<TaskRelationshipsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type EventUpdate = Updateable<EventsTable>;
export type EventOverrideRow = Selectable<EventOverridesTable>;
export type MemoRow = Selectable<MemosTable>;
export type NewMemoRow = Insertable<MemosTable>;
export type MemoUpdate = Updateable<MemosTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type AgentTaskRow = Selectable<AgentTasksTable>;

export type AttachmentRow = Selectable<AttachmentsTable>;
