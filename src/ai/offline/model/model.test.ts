import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { seoul, understand } from '../../../../test/helpers/understand.js';
import { accuracy, intentReport, loadCases } from '../../../cli/nlu-evaluate.js';
import { INTENTS } from '../../intents.js';
import { understandWith } from '../hybrid.js';
import { INTENT_MODEL, understandOffline } from '../understand.js';
import { type ModelFile, linearModel } from './classifier.js';
import { FEATURES } from './features.js';
import { HELD_OUT_FILES, normalised, readExamples, toModelFile, train, trainingHash } from './train.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');
const WEIGHTS = resolve(import.meta.dirname, 'weights.json');
const BLIND = resolve(repoRoot, 'test/nlu/heldout-blind.jsonl');
const BLIND_TARGET = 0.93;

describe('the shipped intent model', () => {
  it('was trained on the training files as they are now (run `npm run nlu:train` after changing them)', () => {
    const file = JSON.parse(readFileSync(WEIGHTS, 'utf8')) as ModelFile;
    expect(file.trainedOn.sha256).toBe(trainingHash(repoRoot));
    expect(file.trainedOn.utterances).toBe(readExamples(repoRoot).length);
  });

  it('never learns from a held-out line, even one written with other case or punctuation', () => {
    const heldOut = new Set(
      HELD_OUT_FILES.flatMap((f) =>
        readFileSync(`${repoRoot}/${f}`, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => normalised((JSON.parse(l) as { text: string }).text)),
      ),
    );
    expect(heldOut.size).toBeGreaterThan(300);
    const leaked = readExamples(repoRoot).filter((e) => heldOut.has(normalised(e.text)));
    expect(leaked.map((e) => e.text)).toEqual([]);
  });

  it('is small enough to ship in the repository', () => {
    expect(statSync(WEIGHTS).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('trains to the same bytes from the same data', () => {
    const some = readExamples(repoRoot).filter((_e, i) => i % 7 === 0);
    const hyper = { epochs: 3, rate: 0.5, l2: 1e-5 };
    const policy = INTENT_MODEL.policy;
    const once = toModelFile(train(some, hyper), policy, INTENT_MODEL.trainedOn);
    const twice = toModelFile(train(some, hyper), policy, INTENT_MODEL.trainedOn);
    expect(twice.weights).toBe(once.weights);
    expect(twice.bias).toEqual(once.bias);
  });

  // The CI gate of issue 18: utterances written by people who never saw the rules or the
  // training data, never trained on (train.ts reads only TRAINING_FILES). Issue 18 asks for a
  // 93% gate; the understander is at 95.6% (docs/NLU.md).
  const BLIND_GATE = 0.93;
  it(`gets at least ${BLIND_GATE * 100}% of the blind held-out intents right (target ${BLIND_TARGET * 100}%)`, () => {
    expect(existsSync(BLIND)).toBe(true);
    const report = intentReport(loadCases(BLIND), understandOffline);
    expect(report.total).toBeGreaterThanOrEqual(300);
    expect(accuracy(report)).toBeGreaterThanOrEqual(BLIND_GATE);
  });
});

describe('rules and model together', () => {
  // A model whose every weight is zero and whose biases tie two intents: it cannot tell them apart.
  const undecided = (a: number, b: number) =>
    linearModel(
      INTENTS,
      FEATURES,
      () => 0,
      INTENTS.map((i) => (i === 'create_todo' ? a : i === 'create_event' ? b : -5)),
      { overrideSure: 0.99, overrideKind: 0.99, overrideGuess: 0.4, ambiguousMargin: 0.15 },
      INTENT_MODEL.trainedOn,
    );

  it('answers with both readings when the model cannot tell two intents apart and no rule is sure', () => {
    const got = understandWith(undecided(3, 3))('dentist thursday 3pm', seoul);
    expect(got.ambiguous).toBe(true);
    expect([got.intent, got.alternatives?.[0]?.intent].sort()).toEqual(['create_event', 'create_todo']);
    const event = got.intent === 'create_event' ? got : got.alternatives?.[0];
    expect(event?.params).toMatchObject({ title: 'dentist', start_time: '2025-03-13T15:00:00' });
    expect(got.alternatives?.[0]?.confidence).toBeGreaterThan(0.4);
  });

  it('lets a sure model decide a message the rules only guess at, with its confidence', () => {
    const got = understandWith(undecided(4, 0))('dentist thursday 3pm', seoul);
    expect(got).toMatchObject({
      intent: 'create_todo',
      params: { title: 'dentist', due_date: '2025-03-13T15:00:00' },
    });
    expect(got.ambiguous).toBeUndefined();
    expect(got.confidence).toBeGreaterThan(0.9);
  });

  it('keeps a command a rule recognised unless the model is surer than overrideSure', () => {
    const got = understandWith(undecided(4, 0))('note: the gate code is 4412', seoul);
    expect(got).toEqual({ intent: 'create_memo', params: { content: 'the gate code is 4412' } });
  });
});

describe('carrier phrases', () => {
  /** Each text is read as that intent with at least those params. */
  const readsEach = (cases: [text: string, intent: string, params: Record<string, unknown>][]) => {
    for (const [text, intent, params] of cases)
      expect(understand(text), text).toMatchObject({ intent, params });
  };

  it('leave only the thing in the title or the note', () => {
    readsEach([
      ['put renew passport on my list', 'create_todo', { title: 'renew passport' }],
      [
        'pencil in lunch with Sara on thursday at noon',
        'create_event',
        { title: 'lunch with Sara', start_time: '2025-03-13T12:00:00' },
      ],
      [
        'squeeze in a call with Dana tomorrow at 4pm',
        'create_event',
        { title: 'call with Dana', start_time: '2025-03-11T16:00:00' },
      ],
      ['block out friday afternoon for the quarterly report', 'create_event', { title: 'quarterly report' }],
      [
        'log this thought: standing desks help my back',
        'create_memo',
        { content: 'standing desks help my back' },
      ],
      ['fyi the garage code is 4412', 'create_memo', { content: 'the garage code is 4412' }],
      [
        'jot down that the router password is blue42',
        'create_memo',
        { content: 'the router password is blue42' },
      ],
    ]);
  });

  it('read a finished task stated as a past fact, and a search asked as a question', () => {
    readsEach([
      ["I've taken care of the car insurance", 'complete_todo', { target: 'car insurance' }],
      ['any results for kimchi?', 'search', { query: 'kimchi' }],
    ]);
  });
});
