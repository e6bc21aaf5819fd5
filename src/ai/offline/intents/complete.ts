/** "mark X as done", "check off X", "I paid the phone bill" -> complete_todo. */
import type { Classification } from '../../intents.js';
import { cleanTarget, named, pronounTarget } from './targets.js';

const DONE = String.raw`(?:done|complete|completed|finished|checked(?:\s+off)?|ticked(?:\s+off)?|closed|resolved|paid|sent|submitted|bought|handled|sorted)`;
const COMPLETE_RULES: Array<{ re: RegExp; noDeadline?: boolean }> = [
  { re: new RegExp(String.raw`^(?:mark|set|put|flag)\s+(?<target>.+?)\s+(?:as\s+|to\s+)?${DONE}$`, 'i') },
  { re: /^(?:mark|check|tick|cross|strike|knock)(?:ed)?\s+off\s+(?<target>.+)$/i },
  {
    re: /^(?:check|tick|cross|strike|knock)\s+(?<target>.+?)\s+off(?:\s+(?:my|the)\s+(?:list|to-?dos?|to-?do\s+list|tasks?))?$/i,
  },
  { re: /^(?:completed?|finished|done|did)\s*[:\-\u2013]\s*(?<target>.+)$/i },
  {
    re: /^(?:mark(?:ed)?|check(?:ed)?|tick(?:ed)?|cross(?:ed)?)\s+(?:it\s+|this\s+)?(?:as\s+)?(?:done|complete|completed|finished|off)\s*[:\-\u2013]\s*(?<target>.+)$/i,
  },
  { re: /^(?:complete|close|resolve)\s+(?<target>.+)$/i, noDeadline: true },
  { re: /^(?:finish|wrap\s+up)\s+(?<target>(?:the|my)\s+.+?\s+(?:task|todo|to-do))$/i },
  {
    re: /^i(?:'ve|\s+have)?\s+(?:just\s+|already\s+|finally\s+)?(?:finished|completed|done|did)\s+(?:with\s+)?(?<target>.+)$/i,
  },
  { re: /^(?:just\s+|already\s+|finally\s+)?(?:finished|completed)\s+(?<target>.+)$/i, noDeadline: true },
  { re: /^(?:(?:i'?m|i\s+am|we'?re)\s+)?(?:all\s+)?(?:done|finished|through)\s+with\s+(?<target>.+)$/i },
  {
    re: /^(?<target>.+?)\s+(?:is|are|has\s+been|have\s+been|was|were)\s+(?:all\s+|finally\s+|now\s+)?(?:done|finished|complete|completed|taken\s+care\s+of|sorted(?:\s+out)?|handled|sent|paid|submitted|filed|booked|ordered|returned|renewed)$/i,
  },
  {
    re: /^(?!(?:get|have|got|be|needs?|want|make|what|how|mark|set|put|flag|check|tick|cross)\b)(?<target>.+?)\s+(?:done|finished|completed|paid|sent|filed|submitted|booked|ordered|returned|renewed|fixed|cleaned)$/i,
  },
];
// "I paid the phone bill": the past tense names the todo's verb, the rest names the item.
const DONE_VERBS = String.raw`(?:taken|took)\s+care\s+of|dealt\s+with|sorted\s+out|wrapped\s+up|knocked\s+out|paid|sent|bought|called|emailed|mailed|booked|cleaned|fixed|submitted|filed|renewed|returned|picked\s+up|dropped\s+off|washed|watered|fed|walked|took\s+out|wrote|read|ordered|replied\s+to|texted|backed\s+up|updated|printed|signed|scheduled|packed|posted|cooked|vacuumed`;
const DID_VERB = new RegExp(
  String.raw`^i(?:'ve|\s+have)?\s+(?:just\s+|already\s+|finally\s+)?(?:${DONE_VERBS}|got(?=\s+(?:the|my|our)\s))\s+(?<target>.+)$`,
  'i',
);
// "paid the rent", "got the groceries": the same report without "I", about a definite item.
const DID_VERB_NO_SUBJECT = new RegExp(
  String.raw`^(?:just\s+|already\s+|finally\s+)?(?:${DONE_VERBS}|got)\s+(?<target>(?:the|my|our)\s+.+)$`,
  'i',
);

const DEADLINE_WORDS =
  /\b(?:by|due|before|until|today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|next\s+\w+|this\s+\w+|at\s+\d|\d\s*(?:am|pm))\b/i;

export function readComplete(core: string): Classification | undefined {
  for (const rule of COMPLETE_RULES) {
    const m = rule.re.exec(core);
    const raw = m?.groups?.['target'] ?? '';
    // "complete the tax form by friday" sets a deadline: that is a new todo.
    if (!m || (rule.noDeadline && DEADLINE_WORDS.test(raw))) continue;
    const pronoun = pronounTarget(raw);
    if (pronoun) return { intent: 'complete_todo', params: { target: pronoun } };
    const target = cleanTarget(raw);
    if (named(target)) return { intent: 'complete_todo', params: { target } };
  }
  const bare = DEADLINE_WORDS.test(core) ? null : DID_VERB_NO_SUBJECT.exec(core);
  const did = DID_VERB.exec(core) ?? bare;
  const target = cleanTarget(did?.groups?.['target'] ?? '');
  return did && named(target) ? { intent: 'complete_todo', params: { target } } : undefined;
}

// For a message the intent model already took for a report of done work ("mopped the kitchen
// floor", "boarding passes printed", "the cat has been fed ✅"): the words left once the
// past-tense verb, the "is done" and the time words go name the todo.
const IRREGULAR_PAST =
  'bought|sent|did|done|got|gotten|made|paid|took|taken|wrote|written|read|went|ran|gave|given|sold|built|brought|caught|fed|found|kept|left|met|put|set|spent|swept|told|hung|dug|drew|drawn|drove|driven|ate|eaten|flew|flown|won|shut|cut|split|rang|sang|sent';
const PAST_VERB = new RegExp(
  String.raw`^(?:i(?:'ve|\s+have)?\s+)?(?:just\s+|already\s+|finally\s+)?(?:[\p{L}]+ed|${IRREGULAR_PAST})(?:\s+(?:out|up|off|back|down|over|through|in))?\s+(?<target>.+)$`,
  'iu',
);
const STATED_DONE = new RegExp(
  String.raw`^(?<target>.+?)\s+(?:is|are|was|were|has\s+been|have\s+been|got|all)?\s*(?:[\p{L}]+ed|${IRREGULAR_PAST}|done|finished|complete|ready|sorted|out|clean|over)(?:\s+(?:out|up|off|back|down|over))?$`,
  'iu',
);
const TRAILING_NOISE =
  /(?:[\s,.!]+|\s+(?:today|this\s+morning|this\s+afternoon|tonight|yesterday|just\s+now|already|finally|at\s+last|now))+$|(?:\s|\p{Extended_Pictographic}|\uFE0F|\u200D|\u2705|\u2714)+$/giu;

export function readDoneStatement(core: string): Classification | undefined {
  const said = core
    .replace(/^i\s+(?:finished|did|completed)\s+it\s*[:,-]\s*/i, '')
    .replace(TRAILING_NOISE, '')
    .trim();
  const m = PAST_VERB.exec(said) ?? STATED_DONE.exec(said);
  const target = cleanTarget(m?.groups?.['target'] ?? '');
  return named(target) ? { intent: 'complete_todo', params: { target } } : undefined;
}
