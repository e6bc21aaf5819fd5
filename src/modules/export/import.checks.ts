/**
 * What an imported row must satisfy beyond its shape (export.format.ts): the rules the API
 * applies when it writes the same row. A rule is checked with the events API's own validator,
 * a zone as the settings API checks it, a file's type and size as an upload is; dates must be
 * real dates. A row the API could never have written does not get in by the back door.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { DateTime } from 'luxon';
import { isValidHhMm, isValidTimezone } from '../../config.js';
import { cleanFilename, MIME } from '../attachments/attachments.service.js';
import { Tags } from '../common/schemas.js';
import { validateSeries } from '../events/recurrence.validate.js';
import { Preferences } from '../settings/preferences.js';
import { PRIORITY_RANK } from '../todos/todos.service.js';
import { DATE_PATTERN, INSTANT_PATTERN, type ExportTable, type TableSpec } from './export.format.js';

type Row = Record<string, unknown>;

export interface RowProblem {
  field: string;
  message: string;
}

export interface CheckLimits {
  /** MAX_UPLOAD_SIZE_MB in bytes: an imported file may be no larger than an uploaded one. */
  maxUploadBytes: number;
}

/** Events' reminder bound (events.schemas.ts): four weeks. */
const MAX_REMINDER_MINUTES = 40_320;
/** The events API's bound on a rule's text (events.schemas.ts). */
const MAX_RULE_LENGTH = 500;
const tagsCheck = TypeCompiler.Compile(Tags);
const preferencesCheck = TypeCompiler.Compile(Preferences);

const problem = (field: string, message: string): RowProblem => ({ field, message });

/** A zone both Intl and Luxon understand (the same test GET /api/today applies to `tz`). */
const usableZone = (zone: string) => isValidTimezone(zone) && DateTime.now().setZone(zone).isValid;

/** `2026-02-30T…` has the right shape and no day: the instant must read back as written. */
function realInstant(value: string): boolean {
  const d = new Date(value);
  return !Number.isNaN(d.getTime()) && d.toISOString() === value;
}

const realDate = (value: string) => realInstant(`${value}T00:00:00.000Z`);

function jsonOf(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const dated = new Map<ExportTable, { instants: string[]; dates: string[] }>();

/** The columns of a table holding instants or local dates, found from the row's schema. */
function datedColumns(t: TableSpec): { instants: string[]; dates: string[] } {
  const known = dated.get(t.name);
  if (known) return known;
  const instants: string[] = [];
  const dates: string[] = [];
  for (const [name, schema] of Object.entries(t.row.properties)) {
    const variants = (schema.anyOf as { pattern?: string }[] | undefined) ?? [schema];
    if (variants.some((v) => v.pattern === INSTANT_PATTERN)) instants.push(name);
    if (variants.some((v) => v.pattern === DATE_PATTERN)) dates.push(name);
  }
  dated.set(t.name, { instants, dates });
  return { instants, dates };
}

function checkTags(row: Row): RowProblem | null {
  if (typeof row.tags !== 'string') return null;
  const parsed = jsonOf(row.tags);
  if (!parsed.ok || !tagsCheck.Check(parsed.value))
    return problem('tags', 'must be a JSON array of at most 50 tags of 1 to 50 characters');
  return null;
}

function checkEnd(row: Row): RowProblem | null {
  if (typeof row.end_time === 'string' && row.end_time < (row.start_time as string))
    return problem('end_time', 'must not be before start_time');
  return null;
}

function checkReminder(row: Row): RowProblem | null {
  const m = row.reminder_minutes;
  if (typeof m === 'number' && (m < 0 || m > MAX_REMINDER_MINUTES))
    return problem('reminder_minutes', `must be between 0 and ${MAX_REMINDER_MINUTES}`);
  return null;
}

/** Settings: each key's value as PATCH/PUT /api/settings would accept it. */
function checkSetting(row: Row): RowProblem | null {
  const value = row.value as string;
  switch (row.key) {
    case 'owner.timezone':
      return usableZone(value)
        ? null
        : problem('value', 'owner.timezone must be an IANA zone such as Asia/Seoul');
    case 'owner.briefing_time':
      return isValidHhMm(value) ? null : problem('value', 'owner.briefing_time must be HH:MM (24h)');
    case 'app.preferences': {
      const parsed = jsonOf(value);
      const ok =
        parsed.ok &&
        typeof parsed.value === 'object' &&
        parsed.value !== null &&
        !Array.isArray(parsed.value) &&
        preferencesCheck.Check(parsed.value);
      return ok ? null : problem('value', 'app.preferences must be a JSON object of known preferences');
    }
    case 'app.preferences_updated_at':
      return realInstant(value) ? null : problem('value', 'app.preferences_updated_at must be an instant');
    default:
      return null;
  }
}

/** An event as POST /api/events stores it: a real zone, a rule the events API accepts. */
function checkEvent(row: Row): RowProblem | null {
  const zone = row.timezone as string;
  if (!usableZone(zone)) return problem('timezone', 'must be an IANA zone such as Asia/Seoul');
  const bad = checkEnd(row) ?? checkReminder(row) ?? checkTags(row);
  if (bad) return bad;
  const removed = jsonOf(row.recurrence_exceptions as string);
  const dates =
    removed.ok &&
    Array.isArray(removed.value) &&
    removed.value.every((d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) && realDate(d));
  if (!dates) return problem('recurrence_exceptions', 'must be a JSON array of dates (YYYY-MM-DD)');
  if (row.recurrence_rule === null) return null;
  if ((row.recurrence_rule as string).length > MAX_RULE_LENGTH)
    return problem('recurrence_rule', `must be at most ${MAX_RULE_LENGTH} characters`);
  try {
    // The canonical text is what the API would have stored for this rule.
    row.recurrence_rule = validateSeries({
      rule: row.recurrence_rule as string,
      start: new Date(row.start_time as string),
      end: row.end_time === null ? null : new Date(row.end_time as string),
      isAllDay: row.is_all_day === 1,
      timezone: zone,
    });
  } catch (err) {
    return problem('recurrence_rule', (err as Error).message);
  }
  return null;
}

/** A file as an upload would have stored it: a clean name, a MIME type, 1 byte to the limit. */
function checkAttachment(row: Row, limits: CheckLimits): RowProblem | null {
  const name = row.filename as string;
  if (name === '' || cleanFilename(name) !== name)
    return problem('filename', 'must be a file name without a path or control characters');
  if (!MIME.test(row.content_type as string))
    return problem('content_type', 'must be a MIME type such as image/png (lower case)');
  const size = row.size_bytes as number;
  if (size < 1 || size > limits.maxUploadBytes)
    return problem('size_bytes', `must be between 1 and ${limits.maxUploadBytes} (MAX_UPLOAD_SIZE_MB)`);
  // Neither is a file whose owner was deleted (the server sweeps it); both is never written.
  if (row.memo_id !== null && row.todo_id !== null)
    return problem('todo_id', 'an attachment belongs to a memo or a todo, not both');
  return null;
}

function checkTable(name: ExportTable, row: Row, limits: CheckLimits): RowProblem | null {
  switch (name) {
    case 'settings':
      return checkSetting(row);
    case 'todos':
      if (row.parent_id === row.id) return problem('parent_id', 'a todo cannot be its own parent');
      if (row.priority_rank !== PRIORITY_RANK[row.priority as string])
        return problem(
          'priority_rank',
          `must be ${PRIORITY_RANK[row.priority as string]} for ${String(row.priority)}`,
        );
      return checkTags(row);
    case 'events':
      return checkEvent(row);
    case 'event_overrides':
      return checkEnd(row) ?? checkReminder(row);
    case 'memos':
      return checkTags(row);
    case 'task_relationships':
      return row.source_todo_id === row.target_todo_id
        ? problem('target_todo_id', 'a todo cannot be related to itself')
        : null;
    case 'attachments':
      return checkAttachment(row, limits);
    case 'messages':
      if (row.metadata !== null && !jsonOf(row.metadata as string).ok)
        return problem('metadata', 'must be JSON text or null');
      return null;
    case 'conversations':
    case 'agent_tasks':
    case 'notifications':
    case 'notification_keys':
      // Their shape (enums, instants) says all the API would check.
      return null;
  }
}

/** The first rule the row breaks, or null; dates first, then the table's own rules. */
export function rowProblem(t: TableSpec, row: Row, limits: CheckLimits): RowProblem | null {
  const { instants, dates } = datedColumns(t);
  for (const c of instants)
    if (typeof row[c] === 'string' && !realInstant(row[c]))
      return problem(c, 'is not a real instant (YYYY-MM-DDTHH:MM:SS.sssZ)');
  for (const c of dates)
    if (typeof row[c] === 'string' && !realDate(row[c])) return problem(c, 'is not a real date (YYYY-MM-DD)');
  return checkTable(t.name, row, limits);
}
