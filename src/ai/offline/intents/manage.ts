/**
 * Acting on existing items: complete, delete and update. Status and priority changes are read
 * first so that "mark X as in progress" is not taken for "mark X as done".
 */
import type { Classification, UnderstandContext } from '../../intents.js';
import { readComplete } from './complete.js';
import { readDelete } from './delete.js';
import { DELETE_VERBS, TICK_VERBS, alternation } from '../lexicon/vocabulary.js';
import type { ItemKind } from './patterns.js';
import { cleanTarget, inferKind, intentFor, named } from './targets.js';
import { readStatusOrPriority, readUpdate } from './update.js';

/** Complete / delete / update requests, or undefined when the message does not act on an item. */
export function readManage(core: string, ctx: UnderstandContext): Classification | undefined {
  return (
    readDescribedThenCommanded(core) ??
    readStatusOrPriority(core) ??
    readComplete(core) ??
    readDelete(core) ??
    readUpdate(core, ctx)
  );
}

// "<what>, <do something to it>": "I finally did the tax return, mark it complete",
// "forget about calling Steve, delete that task", "the dentist is off - cancel it".
const DESCRIBED_THEN_COMMANDED = new RegExp(
  String.raw`^(?<what>.+?)\s*(?:[,;.!]+|\s-+|\s+so|\s+and)\s+(?:so\s+|just\s+|please\s+|can\s+you\s+|you\s+can\s+|go\s+ahead\s+and\s+)?(?<command>(?:${alternation([...TICK_VERBS, 'set', ...DELETE_VERBS])})\b.*)$`,
  'i',
);
// Words that frame the item without naming it.
const FRAMING =
  /^(?:(?:oh\s+)?(?:forget|skip)\s+(?:about\s+)?|never\s*mind\s+(?:about\s+)?|nvm\s+|no\s+need\s+(?:to|for)\s+|(?:i\s+)?(?:don'?t|no\s+longer)\s+need\s+(?:to\s+)?|not\s+(?:doing|going\s+to)\s+|(?:i(?:'m|\s+am)|we(?:'re|\s+are))\s+not\s+(?:doing|going\s+to|attending)\s+|(?:i|we)\s+(?:won'?t|can'?t|cannot|will\s+not)\s+(?:make(?:\s+it\s+to)?|attend|go\s+to|do|be\s+at)\s+|done\s+with\s+|finished\s+)/i;
// "the dentist is off": what is said about the item is not part of its name.
const AFTERTHOUGHT = /\s+(?:any\s*more|after\s+all|for\s+now|then)$/i;
const PREDICATE =
  /(?<=\S)\s+(?:is|are|was|were|isn'?t|aren'?t|wasn'?t|has\s+been|have\s+been|got|will\s+be|won'?t\s+be)\b.*$/i;
// "it", "that one", "this task": the item of the command is the one just described.
const PRONOUN_OBJECT =
  /\b(?:it|that|this)(?:\s+(?:one|(?<type>to-?dos?|tasks?|reminders?|events?|meetings?|appointments?|notes?|memos?)))?\b/i;
const KIND_OF_TYPE = (type: string): ItemKind =>
  /^(?:note|memo)/i.test(type) ? 'memo' : /^(?:event|meeting|appointment)/i.test(type) ? 'event' : 'todo';

function readDescribedThenCommanded(core: string): Classification | undefined {
  const m = DESCRIBED_THEN_COMMANDED.exec(core);
  if (!m) return undefined;
  const what = m.groups?.['what'] ?? '';
  const said = m.groups?.['command'] ?? '';
  const object = PRONOUN_OBJECT.exec(said);
  if (!object) return undefined;
  const command = said.slice(0, object.index) + 'it' + said.slice(object.index + object[0].length);
  const acted = readComplete(command) ?? readDelete(command) ?? readStatusOrPriority(command);
  if (acted?.params.target !== 'it') return undefined;
  const target =
    readComplete(what)?.params.target ??
    cleanTarget(what.replace(FRAMING, '').replace(PREDICATE, '').replace(AFTERTHOUGHT, ''));
  if (!named(target)) return undefined;
  let intent = acted.intent;
  if (intent.startsWith('delete_')) {
    const type = object.groups?.['type'];
    const verb = /\b(?:cancel|call\s+off)\b/i.test(said) ? 'cancel' : '';
    intent = intentFor('delete', type ? KIND_OF_TYPE(type) : inferKind(target, verb));
  }
  return { intent, params: { ...acted.params, target } };
}
