/**
 * Dates from an LLM are never trusted as given (BEHAVIOUR.md, "Understanding a message"):
 * every date parameter is brought to the local wall-clock form of `IntentParams`, a relative or
 * malformed one is re-resolved deterministically with chrono-node in the owner's zone, and a
 * date that looks like a timezone slip yields to the offline understander's reading.
 * chrono-node reads the wall-clock parts; Luxon does the zone arithmetic.
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import type { Classification, IntentParams, UnderstandContext } from './intents.js';

export const DATE_PARAMS = ['due_date', 'start_time', 'end_time', 'date_from', 'date_to'] as const;
export type DateParam = (typeof DATE_PARAMS)[number];

const BARE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;
const WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/;
const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";
/** Longer strings are not a date, whatever they say. */
const MAX_DATE_TEXT = 100;

/**
 * The local form of a date parameter, or null when it cannot be read:
 * - `YYYY-MM-DD` and `YYYY-MM-DDTHH:mm(:ss)` (a real calendar date and time) are kept
 *   (seconds added, fractions dropped);
 * - a moment with `Z` or an offset is converted to the owner's wall-clock time;
 * - anything else ("tomorrow 3pm", "next friday", "2026/3/5 15h") is read by chrono-node at
 *   `ctx.now` in `ctx.timezone`: with a stated time it becomes a local date-time, without one
 *   a bare date.
 * `forwardDate` reads an ambiguous day as the next one ("friday" = the coming Friday).
 */
export function normalizeLocalDate(
  value: string,
  ctx: UnderstandContext,
  opts: { forwardDate?: boolean } = {},
): string | null {
  const text = value.trim();
  if (text.length === 0 || text.length > MAX_DATE_TEXT) return null;

  const bare = BARE_DATE.exec(text);
  if (bare) {
    const d = DateTime.fromObject({ year: +bare[1]!, month: +bare[2]!, day: +bare[3]! }, { zone: 'UTC' });
    return d.isValid ? text : null;
  }
  const local = LOCAL_DATE_TIME.exec(text);
  if (local) {
    const d = DateTime.fromObject(
      {
        year: +local[1]!,
        month: +local[2]!,
        day: +local[3]!,
        hour: +local[4]!,
        minute: +local[5]!,
        second: +(local[6] ?? 0),
      },
      { zone: 'UTC' },
    );
    return d.isValid ? d.toFormat(LOCAL_FORMAT) : null;
  }
  if (WITH_OFFSET.test(text)) {
    const d = DateTime.fromISO(text.replace(' ', 'T').replace(/\s+/g, ''), { setZone: true });
    return d.isValid ? d.setZone(ctx.timezone).toFormat(LOCAL_FORMAT) : null;
  }
  return resolveRelativeDate(text, ctx, opts);
}

/** Reads a free-text date ("tomorrow at 3pm") in the owner's zone; null when chrono finds none. */
export function resolveRelativeDate(
  text: string,
  ctx: UnderstandContext,
  opts: { forwardDate?: boolean } = {},
): string | null {
  const zoneNow = DateTime.fromJSDate(ctx.now, { zone: ctx.timezone });
  if (!zoneNow.isValid) return null;
  const [result] = chrono.parse(
    text,
    { instant: ctx.now, timezone: zoneNow.offset },
    { forwardDate: opts.forwardDate ?? true },
  );
  if (!result) return null;
  const start = result.start;
  // "in 3 hours" is a duration from now: take the instant, so a DST change in between is right.
  if (result.tags().has('result/relativeDateAndTime')) {
    return DateTime.fromJSDate(start.date(), { zone: ctx.timezone }).toFormat(LOCAL_FORMAT);
  }
  const year = start.get('year');
  const month = start.get('month');
  const day = start.get('day');
  if (year === null || month === null || day === null) return null;
  const date = DateTime.fromObject({ year, month, day }, { zone: 'UTC' });
  if (!date.isValid) return null;
  if (!start.isCertain('hour')) return date.toISODate();
  const moment = date.set({
    hour: start.get('hour') ?? 0,
    minute: start.get('minute') ?? 0,
    second: start.get('second') ?? 0,
  });
  return moment.isValid ? moment.toFormat(LOCAL_FORMAT) : null;
}

/**
 * Cross-check against the offline understander run on the same text. For each date parameter
 * the offline reading found:
 * - the LLM gave none, and both chose the same intent: take the offline value;
 * - the LLM's value differs by exactly one day, the zone's UTC offset, or one day plus or minus
 *   that offset (the footprints of a model that computed in UTC): take the offline value.
 * A bare date is only compared with a bare date. Any other difference is a different reading ("move it to Friday" from the conversation), and
 * the LLM's value stays.
 */
export function preferOfflineDates(
  llm: Classification,
  offline: Classification | null,
  ctx: UnderstandContext,
): Classification {
  if (!offline) return llm;
  const params: IntentParams = { ...llm.params };
  for (const field of DATE_PARAMS) {
    const theirs = offline.params[field];
    if (theirs === undefined) continue;
    const ours = params[field];
    if (ours === undefined) {
      if (offline.intent === llm.intent) params[field] = theirs;
    } else if (ours !== theirs && looksLikeZoneSlip(ours, theirs, ctx.timezone)) {
      params[field] = theirs;
    }
  }
  return { intent: llm.intent, params };
}

function looksLikeZoneSlip(llmValue: string, offlineValue: string, zone: string): boolean {
  // Only like with like: a bare date against a moment is a different reading, not a slip.
  if (BARE_DATE.test(llmValue) !== BARE_DATE.test(offlineValue)) return false;
  const a = DateTime.fromISO(llmValue, { zone: 'UTC' });
  const b = DateTime.fromISO(offlineValue, { zone: 'UTC' });
  if (!a.isValid || !b.isValid) return false;
  const diff = Math.abs(a.diff(b, 'minutes').minutes);
  const offset = Math.abs(DateTime.fromISO(offlineValue, { zone }).offset);
  const day = 24 * 60;
  const slips = new Set([day, offset, day + offset, Math.abs(day - offset)]);
  slips.delete(0);
  return slips.has(diff);
}
