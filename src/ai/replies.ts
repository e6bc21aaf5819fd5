/**
 * The assistant's short confirmations and readable lists: dates in the owner's zone, relative
 * where that reads better ("today at 3:00 PM", "tomorrow", "Fri, Mar 6").
 */
import { DateTime } from 'luxon';

export const LIST_MAX = 10;

export interface ReplyClock {
  now: Date;
  timezone: string;
}

function dayWord(at: DateTime, c: ReplyClock): string {
  const today = DateTime.fromJSDate(c.now, { zone: c.timezone }).startOf('day');
  const day = at.startOf('day');
  const diff = Math.round(day.diff(today, 'days').days);
  if (diff === 0) return 'today';
  if (diff === 1) return 'tomorrow';
  if (diff === -1) return 'yesterday';
  const sameYear = day.year === today.year;
  return at.toFormat(sameYear ? 'ccc, LLL d' : 'ccc, LLL d, yyyy');
}

const clockTime = (at: DateTime) => at.toFormat('h:mm a');

/** "today", "tomorrow at 3:00 PM", "Fri, Mar 6". */
export function formatWhen(iso: string, withTime: boolean, c: ReplyClock): string {
  const at = DateTime.fromISO(iso, { zone: c.timezone });
  if (!at.isValid) return iso;
  return withTime ? `${dayWord(at, c)} at ${clockTime(at)}` : dayWord(at, c);
}

export function describeTodo(
  t: { title: string; due_date: string | null; due_has_time: boolean; priority: string; status: string },
  c: ReplyClock,
): string {
  const notes: string[] = [];
  if (t.due_date) notes.push(`due ${formatWhen(t.due_date, t.due_has_time, c)}`);
  if (t.priority === 'high' || t.priority === 'urgent') notes.push(`${t.priority} priority`);
  if (t.status === 'completed') notes.push('done');
  return notes.length ? `"${t.title}" (${notes.join(', ')})` : `"${t.title}"`;
}

export function describeEvent(
  e: {
    title: string;
    start_time: string;
    end_time: string | null;
    is_all_day: boolean;
    location: string | null;
  },
  c: ReplyClock,
): string {
  let when: string;
  if (e.is_all_day) when = `${formatWhen(e.start_time, false, c)} (all day)`;
  else {
    when = formatWhen(e.start_time, true, c);
    if (e.end_time) {
      const start = DateTime.fromISO(e.start_time, { zone: c.timezone });
      const end = DateTime.fromISO(e.end_time, { zone: c.timezone });
      when += start.hasSame(end, 'day') ? `–${clockTime(end)}` : ` until ${formatWhen(e.end_time, true, c)}`;
    }
  }
  return `"${e.title}" ${when}${e.location ? ` at ${e.location}` : ''}`;
}

export function describeMemo(m: { title: string }): string {
  return `"${m.title}"`;
}

/** A numbered list of at most LIST_MAX lines, then "and N more". */
export function readableList(lines: string[], total: number): string {
  const shown = lines.slice(0, LIST_MAX);
  const out = shown.map((line, i) => `${i + 1}. ${line}`);
  if (total > shown.length) out.push(`…and ${total - shown.length} more.`);
  return out.join('\n');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
