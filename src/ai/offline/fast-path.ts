/**
 * The fast path beside an LLM (docs/NLU.md "With an LLM configured"): a message the offline
 * understander is certain of is acted on without waiting for the model. Certain means all of:
 * a rule recognised the command (not a guess), the intent model agrees with the rules at
 * `FAST_CONFIDENCE` or more, the intent is a plain command (never chat, a change to an item or
 * a delegation, where the LLM reads much better), and what it acts on was read: a title, a
 * start, a note, a target named by its words (not "it" or "that", which need the
 * conversation), a query. Anything else returns null and the LLM decides.
 */
import type { Classification, Intent, IntentParams, UnderstandContext } from '../intents.js';
import { ruleHints } from './hybrid.js';
import { readByRules } from './intents/rules.js';
import type { IntentModel } from './model/classifier.js';

/** The model's probability for the rules' intent at or above which the rules are certain. */
export const FAST_CONFIDENCE = 0.9;

// Longer messages carry detail (a description, a second request) the LLM keeps and rules drop.
const MAX_LENGTH = 120;

// A target that points back into the conversation ("the one I just added", "them all", "my last
// todo") needs the LLM, which is given the conversation; rules would search for those words.
const REFERS_BACK =
  /\b(?:it|that|this|them|those|these|one|ones|last|latest|previous|just|above|earlier|same|all)\b/i;
const namedTarget = (value: string | undefined) => Boolean(value?.trim() && !REFERS_BACK.test(value));
// A title only has to be one: "call all the team" is a title, "that" alone is not.
const named = (value: string | undefined) =>
  Boolean(value?.trim() && !/^(?:it|that|this|them|those|these)$/i.test(value.trim()));
// A message that corrects itself ("at 6pm, no wait 7pm") is read better by the LLM.
const SELF_CORRECTION = /\b(?:no wait|wait no|i mean|actually|instead|scratch that|make that|or rather)\b/i;

/** The intents the fast path may take, and what each needs read before it can act. */
const READY: Partial<Record<Intent, (p: IntentParams) => boolean>> = {
  create_todo: (p) => named(p.title),
  create_event: (p) => named(p.title) && Boolean(p.start_time),
  create_memo: (p) => Boolean(p.content?.trim()),
  complete_todo: (p) => namedTarget(p.target),
  delete_todo: (p) => namedTarget(p.target),
  delete_event: (p) => namedTarget(p.target),
  delete_memo: (p) => namedTarget(p.target),
  query_todos: () => true,
  query_events: () => true,
  query_memos: () => true,
  search: (p) => Boolean(p.query?.trim()),
  daily_briefing: () => true,
};

/** The intents the fast path can ever take (docs/NLU.md lists them). */
export const FAST_INTENTS = Object.keys(READY) as Intent[];

export type FastPath = (text: string, ctx: UnderstandContext) => Classification | null;

/** The fast path with `model` beside the rules. */
export function fastPathWith(model: IntentModel): FastPath {
  return (text, ctx) => {
    if (text.length > MAX_LENGTH || SELF_CORRECTION.test(text)) return null;
    const { sure, ...rules } = readByRules(text, ctx);
    const ready = READY[rules.intent];
    if (!sure || !ready?.(rules.params)) return null;
    const [top] = model.predict(text, ruleHints({ intent: rules.intent, sure }));
    if (top?.intent !== rules.intent || top.confidence < FAST_CONFIDENCE) return null;
    return rules;
  };
}
