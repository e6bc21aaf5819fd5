/**
 * `npm run nlu:eval [file]`: scores the offline understander on labelled utterances.
 * With no argument it scores ../shared/nlu/public.jsonl (bar 95%) and test/nlu/cases.jsonl
 * (bar 90%); exits 1 when a file is below its bar.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';

import { evaluate, formatFailures, formatReport, accuracy, loadCases } from './nlu-evaluate.js';
import { understandOffline } from '../ai/offline/understand.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const PUBLIC = resolve(repoRoot, '../shared/nlu/public.jsonl');
const OWN = resolve(repoRoot, 'test/nlu/cases.jsonl');

const barFor = (path: string): number => (basename(path) === 'public.jsonl' ? 0.95 : 0.9);

function run(files: string[]): number {
  let failed = false;
  for (const file of files) {
    if (!existsSync(file)) {
      console.log(`skipped ${file}: not found`);
      continue;
    }
    const report = evaluate(loadCases(file), understandOffline);
    const bar = barFor(file);
    console.log(formatReport(file, report));
    if (report.failures.length) console.log(`  failures:\n${formatFailures(report)}`);
    const ok = accuracy(report) >= bar;
    console.log(`  ${ok ? 'PASS' : 'FAIL'} (bar ${(bar * 100).toFixed(0)}%)\n`);
    failed ||= !ok;
  }
  return failed ? 1 : 0;
}

const arg = process.argv[2];
process.exitCode = run(arg ? [resolve(process.cwd(), arg)] : [PUBLIC, OWN]);
