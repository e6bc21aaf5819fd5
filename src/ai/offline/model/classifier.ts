/**
 * The statistical intent model: a multinomial logistic regression over hashed features
 * (features.ts), trained by `npm run nlu:train` (train.ts) and shipped as weights.json. Reading
 * a message costs one hash per feature and 17 multiply-adds per feature: microseconds.
 */
import { type Intent, isIntent } from '../../intents.js';
import { type FeatureConfig, featurize } from './features.js';

/** When the model's word beats the rules' (tuned by cross-validation in train.ts). */
export interface Policy {
  /** The model overrides a rule that is sure of itself only above this probability. */
  overrideSure: number;
  /**
   * The same, when the model only changes the kind of item (delete_todo -> delete_event,
   * query_todos -> query_memos): the rule's reading of the words is kept.
   */
  overrideKind: number;
  /** The model overrides a fallback guess of the rules above this probability. */
  overrideGuess: number;
  /** Below this gap between the two likeliest intents, the understander asks which was meant. */
  ambiguousMargin: number;
}

/** weights.json as written by train.ts. */
export interface ModelFile {
  format: 1;
  intents: string[];
  features: FeatureConfig;
  /** Int8 weights, feature-major ([bucket][intent]), base64; value = byte * scale. */
  weights: string;
  scale: number;
  bias: number[];
  policy: Policy;
  trainedOn: { files: string[]; sha256: string; utterances: number };
}

export interface Scored {
  intent: Intent;
  confidence: number;
}

export interface IntentModel {
  policy: Policy;
  trainedOn: ModelFile['trainedOn'];
  /** Every intent with its probability, likeliest first; `hints` as in features.ts. */
  predict(text: string, hints?: readonly string[]): Scored[];
}

/** A model from dense weights (train.ts hands its float weights here directly). */
export function linearModel(
  intents: readonly Intent[],
  features: FeatureConfig,
  weightAt: (index: number) => number,
  bias: readonly number[],
  policy: Policy,
  trainedOn: ModelFile['trainedOn'],
): IntentModel {
  const k = intents.length;
  const scores = new Float64Array(k);
  return {
    policy,
    trainedOn,
    predict(text: string, hints: readonly string[] = []): Scored[] {
      const fs = featurize(text, features, hints);
      const v = fs.length ? 1 / Math.sqrt(fs.length) : 0;
      for (let c = 0; c < k; c += 1) scores[c] = bias[c] ?? 0;
      for (const f of fs) {
        const row = f * k;
        for (let c = 0; c < k; c += 1) scores[c]! += v * weightAt(row + c);
      }
      let max = -Infinity;
      for (const s of scores) max = Math.max(max, s);
      let sum = 0;
      const exp = [...scores].map((s) => {
        const e = Math.exp(s - max);
        sum += e;
        return e;
      });
      return exp
        .map((e, c) => ({ intent: intents[c]!, confidence: e / sum }))
        .sort((a, b) => b.confidence - a.confidence);
    },
  };
}

/** The model stored in a ModelFile; throws on a file this code cannot read. */
export function loadModel(file: ModelFile): IntentModel {
  if (file.format !== 1) throw new Error(`intent model: unknown format ${String(file.format)}`);
  const intents = file.intents.filter(isIntent);
  if (intents.length !== file.intents.length) throw new Error('intent model: unknown intent');
  const bytes = Buffer.from(file.weights, 'base64');
  const weights = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const expected = (1 << file.features.bits) * intents.length;
  if (weights.length !== expected)
    throw new Error(`intent model: ${weights.length} weights, expected ${expected}`);
  const scale = file.scale;
  return linearModel(
    intents,
    file.features,
    (i) => weights[i]! * scale,
    file.bias,
    file.policy,
    file.trainedOn,
  );
}
