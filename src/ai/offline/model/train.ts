/**
 * Training the intent model: multinomial logistic regression by stochastic gradient descent,
 * with a fixed shuffle seed, so the same data always gives the same bytes (`npm run nlu:train`;
 * the test in model.test.ts fails when weights.json is older than its data).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { INTENTS, type Intent } from '../../intents.js';
import { type IntentModel, type ModelFile, type Policy, linearModel } from './classifier.js';
import { FEATURES, type FeatureConfig, featurize } from './features.js';

/** The labelled utterances the model learns from, relative to the repository root. Never a held-out set. */
export const TRAINING_FILES = [
  'test/nlu/cases.jsonl',
  'test/nlu/public.jsonl',
  'test/nlu/train-extra.jsonl',
  'test/nlu/train-more.jsonl',
  'test/nlu/train-varied.jsonl',
];

export interface Example {
  text: string;
  intent: Intent;
  /** Features from outside the text (features.ts). */
  hints?: readonly string[];
}

export interface Hyper {
  epochs: number;
  rate: number;
  l2: number;
}

export const HYPER: Hyper = { epochs: 30, rate: 1, l2: 1e-6 };

// Bump when features.ts or the trainer changes what the same data produces.
const TRAINER_VERSION = 3;

/** The held-out sets: never trained on, not even a line that reads the same as one of theirs. */
export const HELD_OUT_FILES = ['test/nlu/holdout.jsonl', 'test/nlu/heldout-blind.jsonl'];

/** Text as the comparison with the held-out sets sees it: case, punctuation and spacing aside. */
export function normalised(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function readLines(root: string, file: string): Example[] {
  return readFileSync(resolve(root, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//'))
    .map((l) => {
      const { text, intent } = JSON.parse(l) as Example;
      return { text, intent };
    });
}

/** Reads the training files (JSON lines with `text` and `intent`), in order, minus held-out texts. */
export function readExamples(root: string, files = TRAINING_FILES): Array<Example & { file: string }> {
  const heldOut = new Set(HELD_OUT_FILES.flatMap((f) => readLines(root, f).map((e) => normalised(e.text))));
  return files.flatMap((file) =>
    readLines(root, file)
      .filter((e) => !heldOut.has(normalised(e.text)))
      .map((e) => ({ ...e, file })),
  );
}

/** The hash weights.json records: the training files' bytes, the features and the trainer. */
export function trainingHash(root: string, files = TRAINING_FILES): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ TRAINER_VERSION, FEATURES, HYPER }));
  for (const file of [...files, ...HELD_OUT_FILES]) {
    h.update(`\n${file}\n`);
    h.update(readFileSync(resolve(root, file)));
  }
  return h.digest('hex');
}

/** mulberry32: a small seeded generator, for a shuffle that is the same on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Trained {
  weights: Float64Array;
  bias: Float64Array;
}

export function train(
  examples: readonly Example[],
  hyper: Hyper = HYPER,
  features: FeatureConfig = FEATURES,
): Trained {
  const k = INTENTS.length;
  const weights = new Float64Array((1 << features.bits) * k);
  const bias = new Float64Array(k);
  const rows = examples.map((e) => ({
    fs: featurize(e.text, features, e.hints),
    y: INTENTS.indexOf(e.intent),
  }));
  const order = rows.map((_r, i) => i);
  const next = random(20261207);
  const p = new Float64Array(k);
  for (let epoch = 0; epoch < hyper.epochs; epoch += 1) {
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const rate = hyper.rate / (1 + epoch * 0.2);
    for (const idx of order) {
      const { fs, y } = rows[idx]!;
      const v = fs.length ? 1 / Math.sqrt(fs.length) : 0;
      let max = -Infinity;
      for (let c = 0; c < k; c += 1) {
        let s = bias[c]!;
        for (const f of fs) s += v * weights[f * k + c]!;
        p[c] = s;
        max = Math.max(max, s);
      }
      let sum = 0;
      for (let c = 0; c < k; c += 1) {
        p[c] = Math.exp(p[c]! - max);
        sum += p[c]!;
      }
      for (let c = 0; c < k; c += 1) {
        const g = p[c]! / sum - (c === y ? 1 : 0);
        bias[c]! -= rate * g * 0.1;
        for (const f of fs) weights[f * k + c]! -= rate * g * v;
      }
    }
    const decay = 1 - rate * hyper.l2 * rows.length;
    for (let i = 0; i < weights.length; i += 1) weights[i]! *= decay;
  }
  return { weights, bias };
}

const round = (x: number, digits = 6): number => Number(x.toFixed(digits));

/** A model straight from float weights, for cross-validation (nothing is quantised). */
export function asModel(t: Trained, policy: Policy, features: FeatureConfig = FEATURES): IntentModel {
  return linearModel(INTENTS, features, (i) => t.weights[i]!, [...t.bias], policy, {
    files: [],
    sha256: '',
    utterances: 0,
  });
}

/** weights.json: int8 weights with one scale, the policy and what the model was trained on. */
export function toModelFile(t: Trained, policy: Policy, trainedOn: ModelFile['trainedOn']): ModelFile {
  let max = 0;
  for (const w of t.weights) max = Math.max(max, Math.abs(w));
  const scale = max / 127 || 1;
  const bytes = new Int8Array(t.weights.length);
  for (let i = 0; i < t.weights.length; i += 1) bytes[i] = Math.round(t.weights[i]! / scale);
  return {
    format: 1,
    intents: [...INTENTS],
    features: FEATURES,
    weights: Buffer.from(bytes.buffer).toString('base64'),
    scale: round(scale, 9),
    bias: [...t.bias].map((b) => round(b)),
    policy,
    trainedOn,
  };
}
