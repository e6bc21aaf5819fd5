/** Turning what is left of a message into a clean title: priorities, tags and date words come out. */
import type { IntentParams } from '../../intents.js';
import { type Span, collapse, maskSpans } from './text.js';
import { TODO_VERBS } from './vocabulary.js';

type Priority = NonNullable<IntentParams['priority']>;

const PRIORITY_WORD: Record<string, Priority> = {
  urgent: 'urgent',
  urgently: 'urgent',
  critical: 'urgent',
  asap: 'urgent',
  top: 'high',
  high: 'high',
  important: 'high',
  medium: 'medium',
  normal: 'medium',
  low: 'low',
};

const priorityOf = (word: string): Priority | undefined =>
  PRIORITY_WORD[word.toLowerCase().replace(/\W/g, '')];

// Adjectives inside a title stay ("reply to the urgent email"); only phrases *about* the item count.
const PRIORITY_RULES: RegExp[] = [
  // Quick-add shorthand from the web app's task box: "pay rent friday !high #home"
  /(?:^|\s)!(urgent|high|top|medium|normal|low|asap)(?=[\s,.;]|$)/i,
  // "(urgent)", "[high priority]"
  /\s*[([](urgent|important|critical|asap|high|top|low|medium|normal)(?:[\s-]+prio(?:rity)?)?[)\]]/i,
  /[,;-]?\s*\b(?:with\s+|at\s+|as\s+|mark(?:ed)?\s+(?:it\s+)?(?:as\s+)?)?(?:a\s+)?(high|top|low|medium|normal|urgent)[\s-]+prio(?:rity)?\b/i,
  /[,;-]?\s*\bprio(?:rity)?\s*[:=]?\s*(high|low|medium|urgent|normal|top)\b/i,
  /[,;-]?\s*\b(asap|a\.s\.a\.p\.?)(?=\W|$)/i,
  /[,;-]?\s*\bas\s+soon\s+as\s+possible\b/i,
  /^(urgent(?:ly)?|important|critical)\s*(?:[:!]+|\s-)\s*/i,
  /(?<=^(?:add|todo|task)\s+)(urgent|important|critical)\s*[:!]+\s*/i,
  /\b(urgent|important)(?:\s+(?:task|todo|item|reminder))?\s*:\s*/i,
  /[,;-]\s*(?:it's\s+|this\s+is\s+|it\s+is\s+)?(?:very\s+|super\s+|really\s+)?(urgent|important|critical)\s*!*$/i,
  /\s*\b(?:it's|this\s+is|it\s+is)\s+(?:very\s+|super\s+|really\s+)?(urgent|important)\b/i,
  /\s*\b(?:make|mark|set|flag)\s+it\s+(?:as\s+)?(urgent|important)\b/i,
  /\s+(urgently)\b/i,
];
const NOT_URGENT = /[,;-]?\s*\b(?:(?:it's\s+)?not\s+urgent|no\s+rush|low\s+prio)\b/i;

export function extractPriority(text: string): { text: string; priority?: Priority } {
  const relaxed = NOT_URGENT.exec(text);
  if (relaxed) return { text: collapse(text.replace(relaxed[0], ' ')), priority: 'low' };
  for (const rule of PRIORITY_RULES) {
    const m = rule.exec(text);
    if (!m) continue;
    const priority = priorityOf(m[1] ?? 'asap') ?? 'urgent';
    return { text: collapse(text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length)), priority };
  }
  // "urgent fix the login bug": a leading "urgent" before a verb is about the task, not its object.
  const lead = /^(urgent(?:ly)?)\s+(\S+)/i.exec(text);
  if (lead && TODO_VERBS.has((lead[2] ?? '').toLowerCase())) {
    return { text: text.slice((lead[1] ?? '').length).trim(), priority: 'urgent' };
  }
  return { text };
}

const TAG = /(^|\s)#([\p{L}_][\p{L}\p{N}_-]*)/gu;
const TAGGED =
  /[,;]?\s*\b(?:tag(?:ged)?|label(?:led)?)\s+(?:it\s+)?(?:as\s+|with\s+)?([\p{L}_][\p{L}\p{N}_-]*)\s*$/iu;

/** `#work` and "tagged work" become tags: lower case, no '#'. */
export function extractTags(text: string): { text: string; tags: string[] } {
  const tags: string[] = [];
  let out = text.replace(TAG, (_m, lead: string, tag: string) => {
    tags.push(tag.toLowerCase());
    return lead;
  });
  const tagged = TAGGED.exec(out);
  if (tagged?.[1]) {
    tags.push(tagged[1].toLowerCase());
    out = out.slice(0, tagged.index);
  }
  return { text: collapse(out), tags: [...new Set(tags)] };
}

const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const EDGE_PICTOGRAPHS =
  /^[\p{Extended_Pictographic}\uFE0F\u200D\s]+|[\p{Extended_Pictographic}\uFE0F\u200D\s]+$/gu;

/** Stands in for a removed date span, so that a rule can stop at it (a private-use character). */
export const GAP = '\uE000';
// A preposition that introduced a removed date ("by saturday", "due on the 1st") goes with it.
const CONNECTOR_BEFORE_GAP =
  /(?:\b(?:due|starting|from|on|at|by|for|before|until|till|this|next|coming|around|in|of|every|and|sometime|some\s+time|later|,|@)\s*)+(?=\uE000)/gi;
const EDGE_WORDS = String.raw`on|at|by|for|due|before|until|till|from|in|this|next|around|every|starting|and|with|to|or|then|that|sometime|@`;
const TRAILING_WORD = new RegExp(String.raw`\s(?:${EDGE_WORDS})$`, 'i');
const TRAILING_MARK = /[\s,;:.!?\-\u2013\u2014(]+$/;
const LEADING_WORD = /^(?:to|that|and|then|so|also|or)\s/i;
const LEADING_MARK = /^[\s,;:.!?\-\u2013\u2014)]+/;

/** The text with date/time spans removed, and the little words that introduced them. */
export function withoutSpans(text: string, spans: readonly Span[]): string {
  if (!spans.length) return text;
  const gapped = maskSpans(text, spans, GAP);
  return collapse(gapped.replace(CONNECTOR_BEFORE_GAP, '').replace(/\uE000/g, ' '));
}

/** Trims dangling prepositions, punctuation and quotes from both ends. */
export function tidy(text: string): string {
  let s = collapse(text);
  for (let guard = 0; guard < 12; guard += 1) {
    const before = s;
    s = s
      .replace(TRAILING_MARK, '')
      .replace(TRAILING_WORD, '')
      .replace(LEADING_MARK, '')
      .replace(LEADING_WORD, '')
      .trim();
    s = s.replace(/^["'`]+(.*?)["'`]+$/, '$1').trim();
    if (s === before) break;
  }
  if (PICTOGRAPH.test(s)) s = s.replace(EDGE_PICTOGRAPHS, '').trim();
  // Drop brackets and quotes left unbalanced by the cuts.
  if ((s.match(/\(/g)?.length ?? 0) !== (s.match(/\)/g)?.length ?? 0)) s = s.replace(/[()]/g, '').trim();
  if ((s.match(/"/g)?.length ?? 0) % 2 === 1) s = s.replace(/"/g, '').trim();
  return s;
}

export function stripLeadingArticle(text: string): string {
  return text.replace(/^(?:a|an|the)\s+(?=\S)/i, '');
}

/** Removes the first match of any pattern, repeatedly, so fillers in any order all go. */
export function stripAll(text: string, patterns: readonly RegExp[]): string {
  let s = text;
  for (let guard = 0; guard < 6; guard += 1) {
    const before = s;
    for (const p of patterns) s = tidy(s.replace(p, ' '));
    if (s === before) break;
  }
  return s;
}
