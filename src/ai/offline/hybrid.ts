/**
 * Rules and model together (see understand.ts); kept apart from the shipped weights so that
 * `npm run nlu:train` can cross-validate models that are not yet written.
 */
import type { Classification, Intent, UnderstandContext } from '../intents.js';
import { readAs } from './intents/read-as.js';
import { type RuleReading, readByRules } from './intents/rules.js';
import type { IntentModel, Policy, Scored } from './model/classifier.js';

export type Understander = (text: string, ctx: UnderstandContext) => Classification;

/** Which intent wins, from the rules' reading and the model's scores. */
export function decide(
  rules: Pick<RuleReading, 'intent' | 'sure'>,
  scored: readonly Scored[],
  policy: Policy,
): Intent {
  const top = scored[0];
  if (!top || top.intent === rules.intent) return rules.intent;
  const sameAction = top.intent.split('_')[0] === rules.intent.split('_')[0];
  const bar = !rules.sure ? policy.overrideGuess : sameAction ? policy.overrideKind : policy.overrideSure;
  return top.confidence >= bar ? top.intent : rules.intent;
}

/** What the rules made of a message, as model features: the model learns when they are right. */
export const ruleHints = (r: Pick<RuleReading, 'intent' | 'sure'>): string[] => [
  `rule ${r.intent}`,
  `rule ${r.intent} ${r.sure ? 'sure' : 'guess'}`,
];

// Only the opening of a long message is read (see rules.ts); the model adds nothing there.
const LONG_MESSAGE = 1000;

const confidenceOf = (scored: readonly Scored[], intent: Intent): number =>
  Number((scored.find((s) => s.intent === intent)?.confidence ?? 0).toFixed(3));

/** An understander using `model` beside the rules; without one, the rules alone. */
export function understandWith(model: IntentModel | undefined): Understander {
  return (text, ctx) => {
    const { sure, ...rules } = readByRules(text, ctx);
    if (!model || text.length > LONG_MESSAGE) return rules;
    const scored = model.predict(text, ruleHints({ intent: rules.intent, sure }));
    const intent = decide({ intent: rules.intent, sure }, scored, model.policy);
    const chosen = readAs(intent, text, ctx, rules) ?? rules;
    // The confidence is given when the model had a say: it overruled the rules, or is unsure.
    const overruled = chosen.intent !== rules.intent;
    const result: Classification = overruled
      ? { ...chosen, confidence: confidenceOf(scored, chosen.intent) }
      : chosen;
    const [first, second] = scored;
    if (sure || !first || !second || first.confidence - second.confidence >= model.policy.ambiguousMargin) {
      return result;
    }
    const other = first.intent === chosen.intent ? second.intent : first.intent;
    const alternative = readAs(other, text, ctx, rules);
    if (!alternative || alternative.intent === chosen.intent) return result;
    return {
      ...result,
      confidence: confidenceOf(scored, chosen.intent),
      ambiguous: true,
      alternatives: [
        { intent: alternative.intent, params: alternative.params, confidence: confidenceOf(scored, other) },
      ],
    };
  };
}
