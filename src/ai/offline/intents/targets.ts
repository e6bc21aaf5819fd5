/**
 * The words that name an existing item. A target keeps only words found in the item's title, so
 * that target-match.ts resolves it: articles, type words, list names and dates go.
 */
import type { Classification } from '../../intents.js';
import { tidy } from '../lexicon/cleanup.js';
import type { ItemKind } from './patterns.js';
import { targetWords } from '../target-match.js';
import { collapse, stripQuotes, words } from '../lexicon/text.js';
import { looksLikeEventTitle, startsWithTodoVerb } from '../lexicon/vocabulary.js';

export const intentFor = (action: 'update' | 'delete', kind: ItemKind): Classification['intent'] =>
  `${action}_${kind}` as Classification['intent'];

// Dates that only say *which* item ("cancel my dentist appointment on friday") are not title words.
const DATE_QUALIFIER =
  /\b(?:(?:on|at|for|from)\s+)?(?:today|tonight|tomorrow|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:this|next|last)\s+(?:week|month|(?:mon|tues|wednes|thurs|fri|satur|sun)day))(?:'s)?\b|\b(?:(?:on|at|for|from)\s+)?(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b|\b(?:(?:on|at|for|from)\s+)?\d{1,2}(?::\d{2})?\s*(?:am|pm)\b(?:'s)?|\b(?:at|for)\s+\d{1,2}(?::\d{2})?\b|\b(?:at\s+)?(?:noon|midnight)\b/gi;

const LIST_SUFFIX =
  /\s+(?:from|off|on|in|out\s+of|of)\s+(?:my|the)\s+(?:calendar|schedule|agenda|list|to-?do\s+list|to-?dos?|task\s+list|tasks|notes|memos|reminders)\b.*$/i;
const TYPE_LEAD =
  /^(?:(?:to-?do|task|item|reminder|event|entry)s?\s*:?\s+(?:(?:called|named|titled|to|for|about|that\s+says)\s+)?|(?:note|memo)s?\s*:?\s+(?:(?:about|on|for|regarding|re|titled|called|named|with|that\s+says|saying|containing|mentioning)\s+)?)/i;
const TYPE_TRAIL = /\s+(?:to-?do|task|item|reminder|event|entry|one|note|memo)s?$/i;
// "all (of) the tasks about the old house": the resolver finds them all and asks which.
const ARTICLE_LEAD = /^(?:all\s+(?:of\s+)?)?(?:the|my|a|an|that|this|our|those|these)\s+/i;

/** Words naming an existing item, without articles, type words, list names or date qualifiers. */
export function cleanTarget(raw: string): string {
  let s = stripQuotes(collapse(raw)).replace(LIST_SUFFIX, '');
  s = s.replace(DATE_QUALIFIER, ' ');
  for (let guard = 0; guard < 4; guard += 1) {
    const before = s;
    s = tidy(s).replace(ARTICLE_LEAD, '').replace(TYPE_LEAD, '').replace(TYPE_TRAIL, '');
    s = s.replace(/^(?:called|named|titled|about|regarding|re:?)\s+/i, '');
    s = stripQuotes(s);
    if (s === before) break;
  }
  return stemGerund(tidy(s));
}

/**
 * "finished calling the bank" names the todo "call the bank". Matching is by word prefix, so
 * cutting "-ing" (and a doubled consonant) only ever widens the match to the verb's other forms.
 */
function stemGerund(target: string): string {
  const m = /^(\p{L}{2,}?)ing(?=\s+\S)/iu.exec(target);
  if (!m?.[1] || GERUND_NOUNS.test(m[0])) return target;
  return m[1].replace(/([bdgmnprt])\1$/i, '$1') + target.slice(m[0].length);
}
const GERUND_NOUNS =
  /^(?:(?:every|some|any|no)thing|thing|morning|evening|meeting|building|wedding|ceiling|during|king|ring|spring|string|sing|bring|swing|wing|painting|clothing|ending|opening|setting|heading|briefing|offering|savings?|earring|booking|wording|listing|parking|housing|spelling|reading)$/i;

// "delete it", "mark the last one as done": the orchestrator resolves these from the conversation
// (or, for "everything", finds several and asks); no title words can name them.
const PRONOUN_TARGET =
  /^(?:it|that|this|that\s+one|this\s+one|everything|all(?:\s+of\s+them)?|(?:the|my)\s+(?:last|latest|previous|most\s+recent|first)\s+(?:one|todo|to-do|task|event|meeting|appointment|note|memo|item|reminder)|all\s+(?:of\s+)?(?:my|the)\s+(?:todos?|to-dos?|tasks?|events?|meetings?|notes?|memos?|reminders?))$/i;

export function pronounTarget(raw: string): string | undefined {
  const s = tidy(stripQuotes(collapse(raw)).replace(LIST_SUFFIX, '').replace(DATE_QUALIFIER, ' '));
  return PRONOUN_TARGET.test(s) ? s : undefined;
}

/**
 * Which kind of item the words point at: explicit type words first, then the shape of the title
 * (todos start with a verb, events are noun phrases), then the verb used, then `fallback`.
 */
export function inferKind(raw: string, verb = '', fallback: ItemKind = 'todo'): ItemKind {
  if (/\b(?:notes?|memos?)\b/i.test(raw)) return 'memo';
  if (/\b(?:to-?dos?|tasks?|reminders?|to-?do\s+list|(?:my|the)\s+list|due\s+date|deadline)\b/i.test(raw))
    return 'todo';
  if (/\b(?:events?|calendar|schedule|agenda)\b/i.test(raw)) return 'event';
  const ws = words(cleanTarget(raw));
  if (looksLikeEventTitle(ws, raw)) return 'event';
  if (startsWithTodoVerb(ws)) return 'todo';
  if (/^(?:cancel|call\s+off|reschedule|postpone)/i.test(verb)) return 'event';
  return fallback;
}

/** Whether a target has words that can name an item by text (not "it", not "everything"). */
export function named(target: string): boolean {
  // "all" alone is everything; "all hands" is a meeting.
  return (
    targetWords(target).length > 0 &&
    !/^(?:it|this|that|what|which|who|everything)\b|^all(?:\s+(?:of|the|my|items?|tasks?|to-?dos?|events?|notes?|memos?)\b|$)/i.test(
      target,
    )
  );
}
