/**
 * What a change says about an existing item that the classification cannot carry, read by the
 * orchestrator once it has the item (the understander, like the LLM, never sees it):
 * - "push the standup to 11": a time with no day, so the item keeps its day;
 * - "delay the team lunch by an hour", "move the call 30 minutes earlier": a shift;
 * - "extend the planning meeting to 2 hours": a new length;
 * - "add bread to my grocery note": text to add to a memo, not to replace it with.
 */
import type { UnderstandContext } from '../intents.js';
import { extractTemporal } from './time/dates.js';
import { NUMBER_SOURCE, parseQuantity } from './time/numbers.js';
import { normalise } from './lexicon/text.js';

export interface Shift {
  minutes?: number;
  days?: number;
}

export interface ItemChange {
  /** The message names no day, so a new time of day keeps the item's day. */
  namesNoDay: boolean;
  /** Move the item by this much (negative: earlier). */
  shift?: Shift;
  /** The item's new length, in minutes. */
  lengthMinutes?: number;
  /** The new memo text is to be added to what the memo says. */
  appends: boolean;
}

const UNIT = String.raw`minutes?|mins?|hours?|hrs?|h|days?|weeks?|wks?`;
const SHIFT_BY = new RegExp(
  String.raw`\bby\s+(?:another\s+|about\s+|around\s+)?(${NUMBER_SOURCE})\s*-?\s*(${UNIT})\b`,
  'i',
);
const SHIFT_WORD = new RegExp(
  String.raw`\b(${NUMBER_SOURCE})\s*-?\s*(${UNIT})\s+(earlier|sooner|later|back|forward|ahead|out)\b`,
  'i',
);
const SHIFT_AFTER = new RegExp(
  String.raw`\b(back|forward|ahead|out|up)\s+(?:by\s+)?(${NUMBER_SOURCE})\s*-?\s*(${UNIT})\b`,
  'i',
);
const SHIFT_VERB =
  /^(?:(?:can\s+you\s+|please\s+)?(?:delay|push|postpone|move|shift|bump|bring|pull|put\s+off|defer|reschedule|make))\b/i;
const EARLIER = /\b(?:earlier|sooner|forward|ahead|up|bring|pull|advance)\b/i;
const LENGTH = new RegExp(
  String.raw`^(?:(?:can\s+you\s+|please\s+)?(?:extend|shorten|lengthen|cut|make|change|set))\b.*?\b(?:to\s+|into\s+)?(${NUMBER_SOURCE})\s*-?\s*(minutes?|mins?|hours?|hrs?)(?:\s+long)?(?:\s+(?:instead|now))?$`,
  'i',
);
const SAYS_LENGTH = /\b(?:extend|shorten|lengthen|long|length|last)\b/i;

function minutesOf(amount: string, unit: string): number | undefined {
  const n = parseQuantity(amount);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (/^m/i.test(unit)) return Math.round(n);
  if (/^h/i.test(unit)) return Math.round(n * 60);
  return undefined;
}

function shiftOf(amount: string, unit: string, sign: number): Shift | undefined {
  const n = parseQuantity(amount);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (/^d/i.test(unit)) return { days: sign * Math.round(n) };
  if (/^w/i.test(unit)) return { days: sign * Math.round(n * 7) };
  const minutes = minutesOf(amount, unit);
  return minutes === undefined ? undefined : { minutes: sign * minutes };
}

const APPENDS =
  /^(?:(?:please\s+|also\s+)*(?:add|append|include|put|tack|stick)\b(?!\s+(?:a|the)\s+(?:note|memo)\b)|in\s+(?:my|the)\s+.+?\s+(?:note|memo)\s*,\s*(?:also\s+)?(?:add|append|include|put)\b)/i;

export function readItemChange(text: string, ctx: UnderstandContext): ItemChange {
  const s = normalise(text);
  const appends = APPENDS.test(s);
  const t = extractTemporal(s, ctx);
  const namesNoDay =
    !t.date &&
    !t.today &&
    !t.instant &&
    !t.period &&
    !t.recurrence &&
    t.dayOfMonth === undefined &&
    !t.allDay;
  const change: ItemChange = { namesNoDay, appends };
  const length = SAYS_LENGTH.test(s) || /^(?:make|set|change)\b.*\blong\b/i.test(s) ? LENGTH.exec(s) : null;
  if (length) {
    change.lengthMinutes = minutesOf(length[1] ?? '', length[2] ?? '');
    return change;
  }
  if (!SHIFT_VERB.test(s)) return change;
  const word = SHIFT_WORD.exec(s);
  if (word) {
    const sign = /^(?:earlier|sooner|forward|ahead)$/i.test(word[3] ?? '') ? -1 : 1;
    change.shift = shiftOf(word[1] ?? '', word[2] ?? '', sign);
    return change;
  }
  const after = SHIFT_AFTER.exec(s);
  if (after) {
    const sign = /^(?:forward|ahead|up)$/i.test(after[1] ?? '') ? -1 : 1;
    change.shift = shiftOf(after[2] ?? '', after[3] ?? '', sign);
    return change;
  }
  const by = SHIFT_BY.exec(s);
  if (by) change.shift = shiftOf(by[1] ?? '', by[2] ?? '', EARLIER.test(s.slice(0, by.index)) ? -1 : 1);
  return change;
}
