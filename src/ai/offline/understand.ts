/**
 * The offline understander: the same `{intent, params}` an LLM classifier returns, with no
 * network. Two readers work together:
 * - the rules (intents/rules.ts) recognise commands and extract titles, dates, times,
 *   durations, priorities, tags and targets;
 * - the intent model (model/) -- a linear classifier trained on the labelled utterances in
 *   test/nlu -- decides the intent where the rules only guess, and overrules them where it is
 *   very sure (thresholds tuned by cross-validation, model/weights.json).
 * When the model cannot tell its two likeliest intents apart and no rule recognised the
 * message, the answer is `ambiguous` with the other reading in `alternatives`.
 * See docs/NLU.md.
 */
import { type FastPath, fastPathWith } from './fast-path.js';
import { type Understander, understandWith } from './hybrid.js';
import { type IntentModel, type ModelFile, loadModel } from './model/classifier.js';
import weights from './model/weights.json' with { type: 'json' };

export type { FastPath } from './fast-path.js';
export type { Understander } from './hybrid.js';

/** The shipped model (npm run nlu:train). */
export const INTENT_MODEL: IntentModel = loadModel(weights as ModelFile);

export const understandOffline: Understander = understandWith(INTENT_MODEL);

/** Obvious commands, certain enough to act on without asking an LLM (fast-path.ts). */
export const fastPath: FastPath = fastPathWith(INTENT_MODEL);
