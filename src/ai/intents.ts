/**
 * The 17 intents a chat message is classified into, and the parameters that travel with them.
 * The LLM classifier and the offline understander both produce a `Classification`; the
 * orchestrator consumes it. See BEHAVIOUR.md, "Understanding a message".
 */
import type { TaskType } from '../modules/agent-tasks/agent-tasks.schemas.js';
import type { PriorityName, TodoStatusName } from '../modules/todos/todos.schemas.js';

export const INTENTS = [
  'general_chat',
  'create_todo',
  'query_todos',
  'update_todo',
  'delete_todo',
  'complete_todo',
  'create_event',
  'query_events',
  'update_event',
  'delete_event',
  'create_memo',
  'query_memos',
  'update_memo',
  'delete_memo',
  'search',
  'delegate_task',
  'daily_briefing',
] as const;

export type Intent = (typeof INTENTS)[number];

// The modules own their enums; the classifier's parameters use them as they are.
export { TASK_TYPES } from '../modules/agent-tasks/agent-tasks.schemas.js';
export { PRIORITIES, TODO_STATUSES } from '../modules/todos/todos.schemas.js';

/**
 * Dates and times are *local wall-clock* strings in the owner's timezone, never with an offset:
 * `YYYY-MM-DD` for a bare date (a due day, an all-day event) or `YYYY-MM-DDTHH:mm:ss` for a
 * moment. The services read them in the owner's zone (BEHAVIOUR.md, "Time").
 */
export interface IntentParams {
  title?: string;
  description?: string;
  content?: string;
  due_date?: string;
  priority?: PriorityName;
  tags?: string[];
  status?: TodoStatusName;
  start_time?: string;
  end_time?: string;
  location?: string;
  is_all_day?: boolean;
  reminder_minutes?: number;
  recurrence_rule?: string;
  /** Words identifying an existing item: "the dentist appointment", "my last todo". */
  target?: string;
  new_title?: string;
  query?: string;
  date_from?: string;
  date_to?: string;
  task_type?: TaskType;
  instruction?: string;
}

export interface Classification {
  intent: Intent;
  params: IntentParams;
  /**
   * Offline only: how sure the intent model is of `intent` (0..1). Absent when the rules
   * decided alone, and from the LLM.
   */
  confidence?: number;
  /**
   * Offline only: true when the understander could not tell two intents apart. `intent` is its
   * best guess and `alternatives` holds the other reading (with its own params), so the
   * orchestrator can ask with a `choice` card instead of guessing.
   */
  ambiguous?: boolean;
  alternatives?: Alternative[];
}

/** Another reading of an ambiguous message, ready to act on if the owner picks it. */
export interface Alternative {
  intent: Intent;
  params: IntentParams;
  confidence: number;
}

/** What every understander needs to read relative dates: "now" and the owner's zone. */
export interface UnderstandContext {
  now: Date;
  timezone: string;
}

export function isIntent(value: unknown): value is Intent {
  return typeof value === 'string' && (INTENTS as readonly string[]).includes(value);
}
