/**
 * What a change message says about an item's time or text beyond the params
 * (offline/item-change.ts), and the wall-clock arithmetic that applies it.
 */
import { DateTime } from 'luxon';
import { readItemChange, type Shift } from '../offline/item-change.js';
import { defined, type Context } from './context.js';

export interface ChangeOptions {
  /** The message named a time of day but no day ("push the standup to 11"): keep the item's day. */
  keepDay?: boolean;
  /** "delay the team lunch by an hour": applied when no new time was given. */
  shift?: Shift;
  /** "extend the planning meeting to 2 hours": the new length of a timed event. */
  lengthMinutes?: number;
  /** "add bread to my grocery note": the new text goes after the memo's, not instead of it. */
  appends?: boolean;
}

/** What the words say about the item's time that the params cannot. `when`: the new time the params give. */
export function changeOptions(ctx: Context, when: string | undefined, message: string): ChangeOptions {
  const change = readItemChange(message, ctx.understandCtx());
  return {
    keepDay: when !== undefined && change.namesNoDay,
    appends: change.appends,
    ...defined({ shift: change.shift, lengthMinutes: change.lengthMinutes }),
  };
}

/** A memo's text with `addition` after it: on the same line for a short list ("milk, eggs"). */
export function appendText(content: string, addition: string): string {
  const lines = content.replace(/\s+$/, '').split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (!content.trim()) return addition;
  if (/,\s*\S/.test(last) && !addition.includes('\n') && addition.split(/\s+/).length <= 6)
    return `${content.replace(/\s+$/, '')}, ${addition}`;
  return `${content.replace(/\s+$/, '')}\n${addition}`;
}

/** An instant moved by a shift on the owner's wall clock: UTC ISO, or a bare local date. */
export function shifted(iso: string, shift: Shift, zone: string, bare = false): string {
  const moved = DateTime.fromISO(iso, { zone }).plus(shift);
  return bare ? moved.toISODate()! : moved.toUTC().toISO()!;
}

const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2})?)$/;

/**
 * Local date-times the classifier dated by itself (`start`, then `end`), moved by the same number
 * of days so that `start` falls on the local day of `itemIso`. Bare dates and absolute instants
 * stay as they are.
 */
export function onItemDay(
  itemIso: string | null | undefined,
  zone: string,
  start: string | undefined,
  end?: string,
): [string | undefined, string | undefined] {
  const m = start ? LOCAL_DATE_TIME.exec(start) : null;
  if (!m || !itemIso) return [start, end];
  const day = DateTime.fromISO(itemIso, { zone }).startOf('day');
  const days = Math.round(day.diff(DateTime.fromISO(m[1]!, { zone }), 'days').days);
  const shift = (value: string | undefined) => {
    const v = value ? LOCAL_DATE_TIME.exec(value) : null;
    if (!v) return value;
    return `${DateTime.fromISO(v[1]!, { zone }).plus({ days }).toISODate()}${v[2]}`;
  };
  return [shift(start), shift(end)];
}

/** Same local length on the wall clock: "move the 2-3pm meeting to 4pm" ends at 5pm, across DST too. */
export function endKeepingLength(
  item: { start_time: string; end_time: string },
  newStart: string,
  zone: string,
): string | undefined {
  const floating = (iso: string) => DateTime.fromISO(iso, { zone }).setZone('UTC', { keepLocalTime: true });
  const start = floating(newStart);
  if (!start.isValid) return undefined;
  const length = floating(item.end_time).diff(floating(item.start_time));
  return start.plus(length).setZone(zone, { keepLocalTime: true }).toUTC().toISO()!;
}
