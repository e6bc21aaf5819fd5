/** Text plumbing shared by the rules: normalising input, stripping politeness, cutting spans. */
import { fixCommandTypo } from './typos.js';

export interface Span {
  start: number;
  end: number;
}

// Shorthand and common misspellings, rewritten once so that every later rule sees one spelling.
const REWRITES: Array<[RegExp, string | ((...groups: string[]) => string)]> = [
  [/[\u2018\u2019\u02bc]/g, "'"],
  [/[\u201c\u201d]/g, '"'],
  [/[\u00a0\t]/g, ' '],
  [/\b(?:tmrw|tmrrw|tmr|tmw|tomorow|tommorow|tommorrow|tomorrrow|tomorro|2moro|2morrow)\b/gi, 'tomorrow'],
  [/\b(?:tonite|2nite|tonigth)\b/gi, 'tonight'],
  [/\b(?:tday|tdy)\b/gi, 'today'],
  [/\bweds\b/gi, 'wed'],
  [/\btues\b\.?/gi, 'tue'],
  [/\bw\/(?=\s)/gi, 'with'],
  [/\bappt\b/gi, 'appointment'],
  // Contractions typed without the apostrophe ("whats on today", "im done with the report").
  [/\b(what|where|when|who|how|that|there|here)s\b/gi, "$1's"],
  [/\bim\b/gi, "i'm"],
  [/\bive\b/gi, "i've"],
  [/\b(do|does|did|is|are|was|were|would|could|should|have|has|had)nt\b/gi, "$1n't"],
  [/\b(ca|wo)nt\b/gi, "$1n't"],
  [/\bmtg\b/gi, 'meeting'],
  [/\b(?:pls|plz|plse)\b/gi, 'please'],
  [/\b(?:thx|thnx|thanx)\b/gi, 'thanks'],
  [/\bu\b/g, 'you'],
  [/\bnoonish\b/gi, 'noon'],
  [/(^|\s)@\s*(?=\d)/g, '$1at '],
  // "at 1430" -> "at 14:30": chrono reads four bare digits as a year.
  [
    /\b(at|by|from|to|until|till)\s+([01]?\d|2[0-3])([0-5]\d)\b(?!\s*(?:am|pm))/gi,
    (_m: string, prep: string, h: string, m: string) => `${prep} ${h}:${m}`,
  ],
  // "between 2 and 4pm" is a range chrono does not know; "from 2 to 4pm" it does.
  [
    /\bbetween\s+(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)\s+and\s+(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)/gi,
    (_m: string, a: string, b: string) => `from ${a} to ${b}`,
  ],
  // "monday 10-12", "tomorrow 9:30-11": a range of hours after a day; chrono reads "from 10 to 12".
  [
    /\b((?:today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|thu|thur|thurs|fri|sat|sun)\s+)(\d{1,2}(?::\d{2})?)\s*[-\u2013]\s*(\d{1,2}(?::\d{2})?)(?![\d:/-])/gi,
    (_m: string, day: string, a: string, b: string) => `${day}from ${a} to ${b}`,
  ],
  [/\s+/g, ' '],
];

/** Canonical spelling of a message: straight quotes, one space, shorthand expanded. */
export function normalise(text: string): string {
  let s = text;
  for (const [re, to] of REWRITES) s = s.replace(re, to as string);
  s = s.trim();
  const wrapped = /^(["'`])(.*)\1$/.exec(s);
  return fixCommandTypo(wrapped?.[2] !== undefined ? wrapped[2].trim() : s);
}

const LEADING_POLITE = new RegExp(
  '^(?:' +
    [
      String.raw`(?:hey|hi|hello|yo|ok|okay|alright|so|um+|uh+|oh|well|good\s+(?:morning|afternoon|evening))(?:\s+(?:there|claw(?:chat)?|assistant|buddy))?\s*[,!.:;-]+\s*`,
      String.raw`(?:hey|ok|okay|alright|so|um+|uh+|oh)\s+(?=\w)`,
      String.raw`(?:please|kindly|just|also|quickly|quick)\b[\s,]*`,
      String.raw`(?:i\s+was\s+(?:thinking|wondering)(?:\s+if)?|i\s+wonder\s+if|quick\s+question|(?:just\s+)?a\s+heads\s+up|heads\s+up|by\s+the\s+way|btw|oh\s+and|and\s+also|nvm|never\s*mind|actually)\b[\s,:;-]*(?=\w)`,
      String.raw`(?:can|could|would|will)\s+you\s+(?:please\s+|kindly\s+|quickly\s+|just\s+)?(?=\w)`,
      String.raw`would\s+you\s+mind\s+`,
      String.raw`(?:i'd|i\s+would)\s+like\s+(?:you\s+)?to\s+`,
      String.raw`i\s+(?:want|need)\s+you\s+to\s+`,
      String.raw`(?:go\s+ahead\s+and|help\s+me)\s+`,
    ].join('|') +
    ')',
  'i',
);

const TRAILING_POLITE =
  /(?:[\s,]+(?:please|thanks(?:\s+a\s+lot)?|thank\s+you(?:\s+so\s+much)?|cheers|for\s+me|if\s+you\s+can|if\s+possible|if\s+you\s+could|ok\?*|okay\?*|thanks!*)|[\s.!?\u2026]+)$/i;

export interface Core {
  /** The request with greetings, politeness and end punctuation removed. */
  text: string;
  /** Whether the message was phrased as a question (ended with "?"). */
  question: boolean;
}

/** Strips what carries no request: "hey, can you please ... thanks!" -> "...". */
export function stripPoliteness(text: string): Core {
  const question = /\?\s*[!.]*\s*$/.test(text);
  let s = text;
  for (let guard = 0; guard < 8; guard += 1) {
    const before = s;
    const lead = LEADING_POLITE.exec(s);
    if (lead && lead[0].length < s.length) s = s.slice(lead[0].length);
    s = s.replace(TRAILING_POLITE, '').trim();
    if (s === before) break;
  }
  return { text: s.trim(), question };
}

/** Replaces each span with `filler` (kept the same length when filler is one char, so indexes survive). */
export function maskSpans(text: string, spans: readonly Span[], filler = ' '): string {
  let out = text;
  for (const { start, end } of [...spans].sort((a, b) => b.start - a.start)) {
    const middle = filler.length === 1 ? filler.repeat(end - start) : filler;
    out = out.slice(0, start) + middle + out.slice(end);
  }
  return out;
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Lower-case word tokens, letters and digits of any script. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['\u2019][\p{L}]+)?/gu) ?? [];
}

export function stripQuotes(s: string): string {
  return s.replace(/^\s*["'`]+|["'`]+\s*$/g, '').trim();
}
