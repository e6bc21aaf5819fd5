/** Filters for "what's on my calendar this week", "show my overdue tasks", "notes about wifi". */
import type { Classification, IntentParams, UnderstandContext } from '../../intents.js';
import { withoutSpans } from '../lexicon/cleanup.js';
import { extractTemporal } from '../time/dates.js';
import { resolveMoment, resolveRange } from '../time/moments.js';
import { addDays, formatDate, formatLocal, localNow } from '../time/local-time.js';
import type { ItemKind } from './patterns.js';
import { collapse, stripQuotes } from '../lexicon/text.js';
import { STOPWORDS } from '../lexicon/vocabulary.js';

const INTENT = { todo: 'query_todos', event: 'query_events', memo: 'query_memos' } as const;

const STATUS: Array<[RegExp, NonNullable<IntentParams['status']>]> = [
  [/\b(?:cancell?ed|called\s+off)\b/i, 'cancelled'],
  [/\b(?:in\s+progress|ongoing|started|working\s+on)\b/i, 'in_progress'],
  [
    /\b(?:completed|checked\s+off|ticked\s+off)\b|\b(?:done|finished)\s+(?:tasks?|to-?dos?|items?)\b|\b(?:tasks?|to-?dos?|items?)\s+(?:(?:that\s+)?i(?:'ve|\s+have)?\s+)?(?:already\s+)?(?:done|finished|completed)\b|\bdid\s+i\s+(?:do|finish|complete|get\s+done)\b|\bhave\s+i\s+(?:done|finished|completed)\b/i,
    'completed',
  ],
  [
    /\b(?:pending|open|outstanding|remaining|unfinished|incomplete|not\s+(?:yet\s+)?(?:done|finished|completed)|left)\b/i,
    'pending',
  ],
];

const PRIORITY: Array<[RegExp, NonNullable<IntentParams['priority']>]> = [
  [/\b(?:urgent|critical|asap)\b/i, 'urgent'],
  [/\b(?:high|top)[\s-]prio(?:rity)?\b|\bimportant\b/i, 'high'],
  [/\blow[\s-]prio(?:rity)?\b/i, 'low'],
  [/\b(?:medium|normal)[\s-]prio(?:rity)?\b/i, 'medium'],
];

const OVERDUE = /\b(?:overdue|past\s+due|late|missed)\b/i;

// The list itself is not what the owner searches for: "on my calendar", "in my notes".
const LIST_PHRASE =
  /\b(?:on|in|from|to)\s+(?:my|the)\s+(?:calendar|schedule|agenda|plate|list|to-?do\s+list|to-?dos?|tasks?|notes?|memos?)\b/gi;
const TRAILING_QUESTION = /\s+(?:do|did|have|are|were|is|was|can|should|could)\s+(?:i|we|there|you)\b.*$/i;

function textFilter(kind: ItemKind, residual: string): string | undefined {
  const links = [
    'about',
    'regarding',
    'concerning',
    'mentioning',
    'containing',
    'related\\s+to',
    'titled',
    'called',
    'named',
    'for',
  ];
  if (kind === 'event') links.push('with');
  if (kind === 'memo') links.push('on', 'with');
  const m = new RegExp(String.raw`\b(?:${links.join('|')})\s+(.+)$`, 'i').exec(residual);
  let query = m?.[1];
  // "open my recipe note": the words before the type word name it.
  const named = kind === 'memo' ? /\b(?:my|the)\s+(.+?)\s+(?:notes?|memos?)\b/i.exec(residual) : null;
  if (!query && named?.[1] && !/^(?:all|recent|latest|last|new|old|saved)$/i.test(named[1])) query = named[1];
  // "when is my dentist appointment": the item itself is the query.
  const when = /^(?:when|where)(?:'s|\s+is|\s+are|\s+was)\s+(?:my|the|our)\s+(.+)$/i.exec(residual);
  if (!query && when) query = when[1];
  if (!query) return undefined;
  query = stripQuotes(collapse(query.replace(TRAILING_QUESTION, '')))
    .replace(/^(?:the|a|an|my|our|any|all)\s+/i, '')
    .replace(/^(?:next|upcoming|first|last|latest)\s+/i, '')
    .replace(/[?.!]+$/, '')
    .trim();
  const meaningful = query.split(/\s+/).filter((w) => !STOPWORDS.has(w.toLowerCase()));
  return meaningful.length ? query : undefined;
}

/** A query_* classification with whatever filters the message states. */
export function readQuery(kind: ItemKind, core: string, ctx: UnderstandContext): Classification {
  const params: IntentParams = {};
  // "show me my week" is this week.
  const t = extractTemporal(core.replace(/\bmy\s+(week|weekend|month)\b/i, 'this $1'), ctx);
  const range = resolveRange(t, ctx);
  if (range) {
    // "due before friday" bounds one end only; "after/since monday" the other.
    const bound = /\b(before|by|until|till|through|after|since)\s+\S/i.exec(core)?.[1]?.toLowerCase();
    const upTo = bound !== 'after' && bound !== 'since';
    if (!bound || !upTo) params.date_from = formatDate(bound === 'after' ? addDays(range.to, 1) : range.from);
    if (upTo) params.date_to = formatDate(bound === 'before' ? addDays(range.from, -1) : range.to);
  }

  if (kind === 'todo') {
    if (OVERDUE.test(core)) {
      // Overdue = not done and due before now (BEHAVIOUR.md, "Today"), so the bound is this very
      // minute, not yesterday: a todo due at 09:00 today is overdue at 10:00.
      params.status = 'pending';
      params.date_to = formatLocal(localNow(ctx));
      delete params.date_from;
    } else {
      const status = STATUS.find(([re]) => re.test(core))?.[1];
      if (status) params.status = status;
    }
    const priority = PRIORITY.find(([re]) => re.test(core))?.[1];
    if (priority) params.priority = priority;
  }

  const tags = [...core.matchAll(/(?:^|\s)#([\p{L}_][\p{L}\p{N}_-]*)/gu)].map((m) =>
    (m[1] ?? '').toLowerCase(),
  );
  const tagged = /\btagged\s+(?:with\s+|as\s+)?#?([\p{L}_][\p{L}\p{N}_-]*)/iu.exec(core);
  if (tagged?.[1]) tags.push(tagged[1].toLowerCase());
  if (tags.length) params.tags = [...new Set(tags)];

  const residual = collapse(
    withoutSpans(core, t.spans)
      .replace(LIST_PHRASE, ' ')
      .replace(/#[\p{L}\p{N}_-]+|\btagged\s+\S+/gu, ' '),
  );
  const query = textFilter(kind, residual);
  if (query) params.query = query;

  // "is my meeting at 3 still on?": a bare time still names a day (today, or tomorrow once past).
  if (!range && t.time) {
    const m = resolveMoment(t, ctx);
    if (m) params.date_from = params.date_to = formatDate(m.date);
  }
  return { intent: INTENT[kind], params };
}
