/**
 * The migration history, in order. Names are fixed once released; add new ones at the end.
 * Each migration receives the dialect so dialect-specific steps (search) sit beside the
 * portable ones.
 */
import type { Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { initialSchema } from './0001_initial.js';
import { searchIndex } from './0002_search.js';
import { notificationKeys } from './0003_notification_keys.js';
import { postgresSearch } from './0004_postgres_search.js';
import { eventReads } from './0005_event_reads.js';
import { searchSpeed } from './0006_search_speed.js';
import { openTodos } from './0007_open_todos.js';
import { quietStreaming } from './0008_quiet_streaming.js';
import { attachments } from './0009_attachments.js';
import { activityLog } from './0010_activity.js';
import { todoTree } from './0011_todo_tree.js';
import { refreshSuccessor } from './0012_refresh_successor.js';
import { eventOverrides } from './0013_event_overrides.js';
import { rowCounts } from './0014_row_counts.js';

export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initialSchema(dialect),
    '0002_search': searchIndex(dialect),
    '0003_notification_keys': notificationKeys(dialect),
    '0004_postgres_search': postgresSearch(dialect),
    '0005_event_reads': eventReads(dialect),
    '0006_search_speed': searchSpeed(dialect),
    '0007_open_todos': openTodos(dialect),
    '0008_quiet_streaming': quietStreaming(dialect),
    '0009_attachments': attachments(dialect),
    '0010_activity': activityLog(dialect),
    '0011_todo_tree': todoTree(dialect),
    '0012_refresh_successor': refreshSuccessor(dialect),
    '0013_event_overrides': eventOverrides(dialect),
    '0014_row_counts': rowCounts(dialect),
  };
}
