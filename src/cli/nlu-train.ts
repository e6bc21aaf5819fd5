/**
 * `npm run nlu:train`: trains the offline intent model on the training files
 * (src/ai/offline/model/train.ts, never a held-out set) and writes
 * src/ai/offline/model/weights.json. Deterministic: the same data gives the same file.
 *
 * The rules/model policy is tuned by 5-fold cross-validation on the training data: each fold's
 * model reads utterances it was not trained on, beside the rules, and the thresholds that
 * give the most right intents *at the end of the whole understander* win (an overruling intent
 * whose parameters the rules cannot read falls back to the rules' answer, as in hybrid.ts).
 * Only utterances the rules were not written against (train-extra.jsonl, train-more.jsonl) count for the policy when there are any, so the rules' own test cases
 * (which they pass by construction) do not make the model look useless.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { DateTime } from 'luxon';

import { type Intent, INTENTS, type UnderstandContext } from '../ai/intents.js';
import { decide, ruleHints } from '../ai/offline/hybrid.js';
import { readAs } from '../ai/offline/intents/read-as.js';
import { readByRules } from '../ai/offline/intents/rules.js';
import type { Policy, Scored } from '../ai/offline/model/classifier.js';
import {
  HYPER,
  type Hyper,
  TRAINING_FILES,
  asModel,
  readExamples,
  toModelFile,
  train,
  trainingHash,
} from '../ai/offline/model/train.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const OUT = resolve(repoRoot, 'src/ai/offline/model/weights.json');
const FOLDS = 5;
const UNTUNED: Policy = { overrideSure: 2, overrideKind: 2, overrideGuess: 2, ambiguousMargin: 0 };
const CTX: UnderstandContext = {
  now: DateTime.fromISO('2025-03-10T09:00', { zone: 'Asia/Seoul' }).toJSDate(),
  timezone: 'Asia/Seoul',
};

interface Row {
  gold: Intent;
  rule: Intent;
  sure: boolean;
  scored: Scored[];
  /** The intent the whole understander ends with when the model's top intent wins the decision. */
  overruled: Intent;
  tune: boolean;
}

const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;

/** The training examples with what the rules make of each (read once: the rules are fixed). */
function examplesWithHints() {
  return readExamples(repoRoot).map((e) => {
    const reading = readByRules(e.text, CTX);
    return { ...e, reading, hints: ruleHints(reading) };
  });
}

function crossValidate(examples: ReturnType<typeof examplesWithHints>, hyper: Hyper): Row[] {
  const rows: Row[] = [];
  for (let fold = 0; fold < FOLDS; fold += 1) {
    const model = asModel(
      train(
        examples.filter((_e, i) => i % FOLDS !== fold),
        hyper,
      ),
      UNTUNED,
    );
    examples.forEach((e, i) => {
      if (i % FOLDS !== fold) return;
      const scored = model.predict(e.text, e.hints);
      const { sure, ...rules } = e.reading;
      const top = scored[0]?.intent ?? rules.intent;
      rows.push({
        gold: e.intent,
        rule: e.reading.intent,
        sure,
        scored,
        // readAs finds nothing to act on for some messages: the rules' answer then stands, as in hybrid.ts.
        overruled: readAs(top, e.text, CTX, rules)?.intent ?? rules.intent,
        tune: /train-(?:extra|more|varied)\.jsonl$/.test(e.file),
      });
    });
  }
  return rows;
}

/** The intent the understander ends with under `policy` (hybrid.ts), from a row's precomputed parts. */
function finalIntent(r: Row, policy: Policy): Intent {
  const decided = decide({ intent: r.rule, sure: r.sure }, r.scored, policy);
  return decided === r.rule ? r.rule : r.overruled;
}

function tunePolicy(rows: Row[]): { policy: Policy; right: number; total: number } {
  const pool = rows.some((r) => r.tune) ? rows.filter((r) => r.tune) : rows;
  const bars = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 2];
  let best = { policy: UNTUNED, right: -1, total: pool.length };
  // Higher bars first: on a tie, trust the rules.
  for (const overrideSure of [...bars].reverse())
    for (const overrideKind of [...bars].reverse())
      for (const overrideGuess of [...bars].reverse()) {
        if (overrideGuess > overrideSure) continue;
        const policy = { overrideSure, overrideKind, overrideGuess, ambiguousMargin: 0.15 };
        const right = pool.filter((r) => finalIntent(r, policy) === r.gold).length;
        if (right > best.right) best = { policy, right, total: pool.length };
      }
  return best;
}

function main(): void {
  const started = performance.now();
  const examples = examplesWithHints();
  const rows = crossValidate(examples, HYPER);
  const pool = rows.some((r) => r.tune) ? rows.filter((r) => r.tune) : rows;
  const modelRight = pool.filter((r) => r.scored[0]?.intent === r.gold).length;
  const rulesRight = pool.filter((r) => r.rule === r.gold).length;
  const tuned = tunePolicy(rows);
  console.log(`cross-validation (${FOLDS} folds), intents right on ${pool.length} utterances:`);
  console.log(
    `  rules alone ${pct(rulesRight, pool.length)}, model alone ${pct(modelRight, pool.length)}, together ${pct(tuned.right, tuned.total)}`,
  );
  console.log(`  policy ${JSON.stringify(tuned.policy)}`);
  const perIntent = INTENTS.map((intent) => {
    const of = pool.filter((r) => r.gold === intent);
    const ok = of.filter((r) => finalIntent(r, tuned.policy) === intent).length;
    return `    ${intent.padEnd(16)} ${ok}/${of.length}`;
  });
  console.log(perIntent.join('\n'));

  const trainStarted = performance.now();
  const trained = train(examples);
  const trainMs = performance.now() - trainStarted;
  const file = toModelFile(trained, tuned.policy, {
    files: TRAINING_FILES,
    sha256: trainingHash(repoRoot),
    utterances: examples.length,
  });
  const json = `${JSON.stringify(file)}\n`;
  writeFileSync(OUT, json);
  console.log(
    `trained on ${examples.length} utterances in ${(trainMs / 1000).toFixed(2)} s (all with CV: ${((performance.now() - started) / 1000).toFixed(1)} s); ` +
      `wrote ${OUT} (${(json.length / 1024).toFixed(0)} KiB)`,
  );
}

main();
