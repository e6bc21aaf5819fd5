/**
 * `npm run nlu:eval [file]`: scores the offline understander on labelled utterances, per intent:
 * the intent alone and the whole case (intent and every expected field), for the rules alone
 * ("rules") and for the rules with the intent model (shipped). Sets: test/nlu/public.jsonl
 * (bar 95%), test/nlu/cases.jsonl (90%), the held-out sets test/nlu/holdout.jsonl (90%) and
 * test/nlu/heldout-blind.jsonl (93% of intents, the CI gate; written by people who never saw
 * the rules, and never trained on). Exits 1 when a set is below its bar. Also the p50/p99 time
 * of the model's prediction and of the whole understander per message.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';

import { INTENTS } from '../ai/intents.js';
import { understandWith } from '../ai/offline/hybrid.js';
import { INTENT_MODEL, understandOffline } from '../ai/offline/understand.js';
import {
  DEFAULT_SCENARIOS,
  type LabelledCase,
  type Report,
  accuracy,
  evaluate,
  formatFailures,
  intentReport,
  loadCases,
  percentiles,
} from './nlu-evaluate.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const SETS = [
  'test/nlu/public.jsonl',
  'test/nlu/cases.jsonl',
  'test/nlu/holdout.jsonl',
  'test/nlu/heldout-blind.jsonl',
];
const BARS: Record<string, { bar: number; intentOnly: boolean }> = {
  'public.jsonl': { bar: 0.95, intentOnly: false },
  'heldout-blind.jsonl': { bar: 0.93, intentOnly: true },
};
const rulesOnly = understandWith(undefined);

const pct = (r: { right: number; total: number }): string => `${(100 * accuracy(r)).toFixed(1)}%`.padStart(6);

function table(file: string, cases: readonly LabelledCase[], full: Report, fullRules: Report): boolean {
  const intents = intentReport(cases, understandOffline);
  const intentsRules = intentReport(cases, rulesOnly);
  console.log(`${file}\n  ${''.padEnd(16)}   n   intent: rules  model+rules   case: rules  model+rules`);
  for (const intent of INTENTS) {
    const a = intentsRules.byIntent.get(intent);
    if (!a) continue;
    const b = intents.byIntent.get(intent)!;
    const c = fullRules.byIntent.get(intent)!;
    const d = full.byIntent.get(intent)!;
    console.log(
      `  ${intent.padEnd(16)} ${String(a.total).padStart(3)}   ${pct(a)}  ${pct(b)}        ${pct(c)}  ${pct(d)}`,
    );
  }
  console.log(
    `  ${'overall'.padEnd(16)} ${String(full.total).padStart(3)}   ${pct(intentsRules)}  ${pct(intents)}        ${pct(fullRules)}  ${pct(full)}`,
  );
  const { bar, intentOnly } = BARS[basename(file)] ?? { bar: 0.9, intentOnly: false };
  const score = intentOnly ? accuracy(intents) : accuracy(full);
  const ok = score >= bar;
  const minIntent = Math.min(...[...intents.byIntent.values()].map(accuracy));
  console.log(`  lowest intent ${(100 * minIntent).toFixed(1)}%`);
  console.log(
    `  ${ok ? 'PASS' : 'FAIL'} (bar ${(bar * 100).toFixed(0)}% of ${intentOnly ? 'intents' : 'cases'})`,
  );
  return ok;
}

function run(files: string[]): number {
  let failed = false;
  const texts: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) {
      console.log(`skipped ${file}: not found\n`);
      continue;
    }
    const cases = loadCases(file);
    texts.push(...cases.map((c) => c.text));
    const full = evaluate(cases, understandOffline);
    const fullRules = evaluate(cases, rulesOnly);
    failed = !table(file, cases, full, fullRules) || failed;
    if (full.failures.length && process.env.NLU_EVAL_FAILURES !== '0')
      console.log(`  failures (model+rules):\n${formatFailures(full)}`);
    console.log('');
  }
  const ctx = { now: DEFAULT_SCENARIOS[0]!.now, timezone: DEFAULT_SCENARIOS[0]!.timezone };
  const model = percentiles(texts, (t) => INTENT_MODEL.predict(t));
  const all = percentiles(texts, (t) => understandOffline(t, ctx));
  const ms = (x: number): string => `${x.toFixed(3)} ms`;
  console.log(`time per message over ${texts.length} messages:`);
  console.log(`  model predict   p50 ${ms(model.p50)}  p99 ${ms(model.p99)}`);
  console.log(`  understandOffline p50 ${ms(all.p50)}  p99 ${ms(all.p99)}`);
  console.log(
    `model: trained on ${INTENT_MODEL.trainedOn.utterances} utterances, policy ${JSON.stringify(INTENT_MODEL.policy)}`,
  );
  return failed ? 1 : 0;
}

const arg = process.argv[2];
process.exitCode = run(arg ? [resolve(process.cwd(), arg)] : SETS.map((f) => resolve(repoRoot, f)));
