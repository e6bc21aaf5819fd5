/**
 * A change to an existing item, read broadly. Only used once the intent model has said, with
 * enough confidence, that a message changes an item (read-as.ts) and the precise update rules
 * found no change: "make the yoga class weekly", "the wifi note has the old password, it's now
 * maple2027", "give 'wash car' the tag #weekend". The item is named by a quoted title, or by the
 * words before a type word ("the grocery note"), or by the noun phrase after the verb; the change
 * is whatever the message carries that a param can hold (recurrence, time, tags, priority, new
 * title, memo text). With no item named, there is nothing to act on and the rules' answer stands.
 */
import type { Classification, IntentParams, UnderstandContext } from '../../intents.js';
import { tidy } from '../lexicon/cleanup.js';
import { toRRule } from '../time/calendar.js';
import { extractTemporal } from '../time/dates.js';
import { formatMoment, resolveMoment } from '../time/moments.js';
import { cleanTarget, named } from './targets.js';

type UpdateIntent = 'update_todo' | 'update_event' | 'update_memo';

const QUOTED = /['"“‘]([^'"”’]{2,60})['"”’]/g;
const TYPE_WORDS = String.raw`notes?|memos?|tasks?|to-?dos?|reminders?|events?|appointments?|meetings?|one`;
// "the grocery note", "my 'pay rent' task": the words before a type word name the item.
const TYPED = new RegExp(
  String.raw`\b(?:the|my|that|this|our)\s+((?:[\p{L}\d'’:&-]+\s+){0,5}?)(?:${TYPE_WORDS})\b(?:\s+(?:about|on|for|called|named|titled)\s+([\p{L}\d' -]{2,40}?)(?=[,:.!?]|\s+(?:to|is|should|has|needs)\b|$))?`,
  'iu',
);
// "make the yoga class weekly", "relocate the picnic to ...": the noun phrase after the verb.
const LEAD_VERB =
  /^(?:(?:can|could|would)\s+(?:you|u)\s+|pls\s+|please\s+|hey\s+|ok\s+|hmm\s+|i\s+want\s+(?:to\s+)?)*(?:make|set|have|turn|change|update|edit|modify|move|shift|push|relocate|rename|retitle|put|give|label|tag|switch|convert|adjust|fix|correct|rewrite|reword|tweak|amend|revise)\s+/i;
// Words that start the change rather than continue the item's name.
const NAME_END =
  /\s+(?:to|into|in|at|on|from|for|by|as|every|each|weekly|daily|monthly|yearly|annually|biweekly|recurring|repeat|repeating|is|are|was|should|has|have|needs|got|gets|now|so|with|instead|not|isn'?t|high|low|urgent|a|an|the)\b.*$/i;
const SUBJECT =
  /^(?:the|my|our|that)\s+(.+?)\s+(?:is|are|was|should|has|needs|got|gets|isn'?t|happens|starts|moved|changed|location|venue)\b/i;

function targetOf(core: string): { target: string; quoted?: string } | undefined {
  const quotes = [...core.matchAll(QUOTED)].map((m) => m[1]!.trim());
  const typed = TYPED.exec(core);
  const byType = typed ? cleanTarget(typed[2] ?? typed[1] ?? '') : '';
  if (byType && named(byType)) return { target: byType, quoted: quotes[0] };
  // A quoted title followed by another quote is "rename 'a' to 'b'"; alone it names the item.
  if (quotes[0] && named(cleanTarget(quotes[0])))
    return { target: cleanTarget(quotes[0]), quoted: quotes[1] };
  const subject = SUBJECT.exec(core)?.[1];
  if (subject && named(cleanTarget(subject))) return { target: cleanTarget(subject) };
  const afterVerb = core.replace(LEAD_VERB, '');
  if (afterVerb === core) return undefined;
  const phrase = cleanTarget(afterVerb.replace(/^(?:the|my|our|that)\s+/i, '').replace(NAME_END, ''));
  return phrase && named(phrase) && phrase.split(/\s+/).length <= 6 ? { target: phrase } : undefined;
}

const PRIORITY =
  /\b(?<neg>(?:not|isn'?t|no\s+longer)\s+(?:so\s+|that\s+|very\s+)?)?(?:(?<p>urgent|critical|high|low|top|medium)\s*(?:prio(?:rity)?)?|prio(?:rity)?\s+(?:to\s+)?(?<q>urgent|high|low|top|medium))\b/gi;
const PRIORITY_CUE = /\b(?:prio(?:rity)?|urgent|critical|important|make\s+it\s+(?:high|low))\b/i;

function priorityOf(core: string): IntentParams['priority'] | undefined {
  if (!PRIORITY_CUE.test(core)) return undefined;
  // The last priority said wins ("isn't urgent, make it low"); a negated one is no answer.
  const m = [...core.matchAll(PRIORITY)].filter((x) => !x.groups?.['neg']).pop();
  const w = (m?.groups?.['p'] ?? m?.groups?.['q'] ?? '').toLowerCase();
  if (/^(?:urgent|critical)$/.test(w)) return 'urgent';
  if (w === 'low') return 'low';
  if (w === 'medium') return 'medium';
  if (w === 'high' || w === 'top') return 'high';
  return /\bnot\s+(?:urgent|important)\b/i.test(core) ? 'low' : undefined;
}

/**
 * The memo's new text: after a colon, or what is quoted, or what follows "is now" / "now reads"
 * / "change ... to"; a leading "add" is the edit, not the text.
 */
function memoText(core: string, quoted: string | undefined): string | undefined {
  const colon = /:\s*(.+)$/.exec(core)?.[1];
  const now =
    /\b(?:is|it'?s|are)\s+now\s+(.+)$|\bnow\s+(?:reads?|says?)\s+(.+)$|\b(?:change|set|update)\b.*?\bto\s+(.+)$/i.exec(
      core,
    );
  const value = colon ?? quoted ?? now?.[1] ?? now?.[2] ?? now?.[3];
  return value ? tidy(value.replace(/^(?:add|append|include|plus|put)\s+/i, '')) || undefined : undefined;
}

export function readBroadUpdate(
  intent: UpdateIntent,
  core: string,
  ctx: UnderstandContext,
): Classification | undefined {
  const named = targetOf(core);
  if (!named) return undefined;
  const params: IntentParams = { target: named.target };
  const tags = [...core.matchAll(/#([\p{L}\d_-]+)/gu)].map((m) => m[1]!.toLowerCase());
  if (tags.length) params.tags = tags;
  const priority = priorityOf(core);
  if (priority && intent === 'update_todo') params.priority = priority;
  if (intent === 'update_memo') {
    const content = memoText(core, named.quoted);
    if (content) params.content = content;
    return { intent, params };
  }
  if (named.quoted && /\b(?:rename|retitle|call|title|name)\b/i.test(core)) params.new_title = named.quoted;
  // "#weekend" is a tag, not a date.
  const t = extractTemporal(core.replace(/#[\p{L}\d_-]+/gu, ' '), ctx);
  if (t.recurrence) {
    params.recurrence_rule = toRRule(t.recurrence);
  } else if (t.spans.length) {
    const moment = resolveMoment(t, ctx);
    if (moment) params[intent === 'update_todo' ? 'due_date' : 'start_time'] = formatMoment(moment);
  }
  return { intent, params };
}
