/**
 * Scores an understander against labelled utterances (shared/nlu/README.md). Params are turned
 * into what the server would store -- a bare due_date is due at the end of that local day, a
 * local date-time is that wall time in the owner's zone -- and compared with the expectations
 * at several fixed "now"s and zones. A case is right only if it is right at all of them.
 */
import { readFileSync } from 'node:fs';

import { DateTime } from 'luxon';

import {
  type Classification,
  type Intent,
  INTENTS,
  TASK_TYPES,
  type UnderstandContext,
} from '../ai/intents.js';
import {
  type LocalDate,
  addDays,
  addMonths,
  compareDates,
  dateOf,
  formatDate,
  isValidDate,
  weekdayOf,
} from '../ai/offline/time/local-time.js';
import { targetMatches } from '../ai/offline/target-match.js';
import { escapeRegExp } from '../ai/offline/lexicon/text.js';

export interface LocalSpec {
  days?: number;
  weekday?: string;
  next?: boolean;
  time?: string | null;
  time_range?: [string, string];
  in_minutes?: number;
  month_day?: string;
  day_of_month?: number;
}

export interface Expect {
  title_contains?: string[];
  title_excludes?: string[];
  content_contains?: string[];
  due_local?: LocalSpec;
  start_local?: LocalSpec;
  duration_minutes?: number;
  all_day?: boolean;
  location_contains?: string;
  recurrence_contains?: string;
  priority?: string;
  tags?: string[];
  query_contains?: string;
}

export interface Setup {
  todo?: { title: string; due_local?: LocalSpec };
  event?: { title: string; start_local?: LocalSpec; duration_minutes?: number };
  memo?: { title?: string; content: string };
}

export interface LabelledCase {
  text: string;
  intent: Intent;
  expect: Expect;
  setup?: Setup;
}

export interface Scenario {
  name: string;
  now: Date;
  timezone: string;
}

export type Understander = (text: string, ctx: UnderstandContext) => Classification;

const at = (iso: string, zone: string): Date => DateTime.fromISO(iso, { zone }).toJSDate();

/**
 * A Monday morning, a Friday late evening (the week before New York leaves DST), a Sunday near
 * the year's end and a Wednesday ten minutes before midnight at a month's end, in two zones.
 */
export const DEFAULT_SCENARIOS: Scenario[] = ['Asia/Seoul', 'America/New_York'].flatMap((zone) => [
  { name: `Mon 09:00 ${zone}`, now: at('2025-03-10T09:00', zone), timezone: zone },
  { name: `Fri 22:30 ${zone}`, now: at('2025-10-31T22:30', zone), timezone: zone },
  { name: `Sun 11:00 ${zone}`, now: at('2025-12-28T11:00', zone), timezone: zone },
  { name: `Wed 23:50 ${zone}`, now: at('2026-04-29T23:50', zone), timezone: zone },
]);

/** Parses a JSON-lines file of labelled cases; blank lines and `//` comments are skipped. */
export function loadCases(path: string): LabelledCase[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('//'))
    .map((line, i) => {
      const c = JSON.parse(line) as LabelledCase;
      if (!INTENTS.includes(c.intent)) throw new Error(`${path}:${i + 1}: unknown intent ${c.intent}`);
      return { ...c, expect: c.expect ?? {} };
    });
}

interface Stored {
  date: LocalDate;
  /** HH:MM, or null for a bare date (due at the end of that day / all day). */
  time: string | null;
  instant: DateTime;
}

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$/;

/** What the server stores for a param, or undefined when validation would drop it. */
function stored(value: string | undefined, zone: string): Stored | undefined {
  if (!value) return undefined;
  if (BARE_DATE.test(value)) {
    const dt = DateTime.fromISO(value, { zone });
    return dt.isValid ? { date: dateOf(dt), time: null, instant: dt.endOf('day') } : undefined;
  }
  if (!LOCAL_DATE_TIME.test(value)) return undefined;
  const dt = DateTime.fromISO(value, { zone });
  return dt.isValid ? { date: dateOf(dt), time: dt.toFormat('HH:mm'), instant: dt } : undefined;
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function expectedDates(spec: LocalSpec, now: DateTime): LocalDate[] | undefined {
  const today = dateOf(now);
  if (spec.days !== undefined) return [addDays(today, spec.days)];
  if (spec.weekday) {
    const wanted = WEEKDAYS.indexOf(spec.weekday.toLowerCase()) + 1;
    const delta = (wanted - weekdayOf(today) + 7) % 7;
    const coming = delta === 0 ? [today, addDays(today, 7)] : [addDays(today, delta)];
    return spec.next ? [...coming, ...coming.map((d) => addDays(d, 7))] : coming;
  }
  if (spec.month_day) {
    const [month, day] = spec.month_day.split('-').map(Number) as [number, number];
    const thisYear = { year: today.year, month, day };
    return [compareDates(thisYear, today) >= 0 ? thisYear : { ...thisYear, year: today.year + 1 }];
  }
  if (spec.day_of_month !== undefined) {
    const d = spec.day_of_month;
    const out: LocalDate[] = [];
    const thisMonth = { ...today, day: d };
    if (isValidDate(thisMonth) && d >= today.day) out.push(thisMonth);
    const nextMonth = { ...addMonths({ ...today, day: 1 }, 1), day: d };
    if (isValidDate(nextMonth)) out.push(nextMonth);
    return out;
  }
  if (typeof spec.time === 'string') {
    // "at 6pm": today, or tomorrow once 18:00 has passed.
    return [spec.time > now.toFormat('HH:mm') ? today : addDays(today, 1)];
  }
  return undefined;
}

function checkLocal(
  label: string,
  spec: LocalSpec,
  value: string | undefined,
  now: DateTime,
): string | undefined {
  const s = stored(value, now.zoneName ?? 'UTC');
  if (!s) return `${label}: expected a date, got ${JSON.stringify(value)}`;
  if (spec.in_minutes !== undefined) {
    const off = Math.abs(s.instant.diff(now.plus({ minutes: spec.in_minutes }), 'minutes').minutes);
    return s.time !== null && off <= 2 ? undefined : `${label}: ${value} is not now+${spec.in_minutes}min`;
  }
  const dates = expectedDates(spec, now);
  if (dates && !dates.some((d) => compareDates(d, s.date) === 0)) {
    return `${label}: ${value} is not on ${dates.map(formatDate).join(' or ')}`;
  }
  if (spec.time === null && s.time !== null) return `${label}: ${value} should be a bare date`;
  if (typeof spec.time === 'string' && s.time !== spec.time)
    return `${label}: ${value} is not at ${spec.time}`;
  if (spec.time_range) {
    const [from, to] = spec.time_range;
    if (s.time === null || s.time < from || s.time > to)
      return `${label}: ${value} is not within ${from}-${to}`;
  }
  return undefined;
}

const hasWord = (text: string, word: string): boolean =>
  new RegExp(`(?<![\\p{L}\\p{N}_#])${escapeRegExp(word)}(?![\\p{L}\\p{N}_])`, 'iu').test(text);

const contains = (text: string | undefined, part: string): boolean =>
  (text ?? '').toLowerCase().includes(part.toLowerCase());

/**
 * Why a classification is wrong for a case at one moment; empty when it is right.
 * `checkTarget: false` leaves out the check that `target` names the setup item, for callers that
 * check which item was acted on themselves (the end-to-end eval, test/nlu/e2e-runner.ts).
 */
export function judge(
  c: LabelledCase,
  got: Classification,
  scenario: Scenario,
  { checkTarget = true }: { checkTarget?: boolean } = {},
): string[] {
  const reasons: string[] = [];
  const fail = (why: string | undefined): void => {
    if (why) reasons.push(why);
  };
  if (got.intent !== c.intent) return [`intent ${got.intent}, expected ${c.intent}`];

  const p = got.params;
  const e = c.expect;
  const now = DateTime.fromJSDate(scenario.now, { zone: scenario.timezone });
  const isUpdate = c.intent.startsWith('update_');

  if ((c.intent === 'create_todo' || c.intent === 'create_event') && !p.title?.trim()) fail('no title');
  if (c.intent === 'create_memo' && !p.content?.trim()) fail('no content');
  if (c.intent === 'search' && !p.query?.trim()) fail('no query');
  if (
    c.intent === 'delegate_task' &&
    (!p.instruction?.trim() || !TASK_TYPES.includes(p.task_type as never))
  ) {
    fail('no instruction or task_type');
  }

  if (c.setup && checkTarget) {
    const item = c.setup.todo ?? c.setup.event;
    const text = item ? item.title : `${c.setup.memo?.title ?? ''} ${c.setup.memo?.content ?? ''}`;
    const target = p.target ?? p.title ?? '';
    if (!targetMatches(target, text))
      fail(`target ${JSON.stringify(target)} does not resolve to ${JSON.stringify(text.trim())}`);
  }

  const title = isUpdate
    ? (p.new_title ?? c.setup?.todo?.title ?? c.setup?.event?.title ?? c.setup?.memo?.title)
    : p.title;
  for (const part of e.title_contains ?? [])
    if (!contains(title, part)) fail(`title ${JSON.stringify(title)} lacks "${part}"`);
  for (const word of e.title_excludes ?? [])
    if (hasWord(title ?? '', word)) fail(`title ${JSON.stringify(title)} keeps "${word}"`);

  const content =
    c.intent === 'update_memo'
      ? (p.content ?? c.setup?.memo?.content)
      : `${p.title ?? ''}\n${p.content ?? ''}`;
  for (const part of e.content_contains ?? []) if (!contains(content, part)) fail(`content lacks "${part}"`);

  if (e.due_local) fail(checkLocal('due', e.due_local, p.due_date, now));
  if (e.start_local) fail(checkLocal('start', e.start_local, p.start_time, now));
  if (e.duration_minutes !== undefined) {
    const start = stored(p.start_time, scenario.timezone);
    const end = stored(p.end_time, scenario.timezone);
    const minutes = start && end ? Math.round(end.instant.diff(start.instant, 'minutes').minutes) : undefined;
    if (minutes !== e.duration_minutes) fail(`duration ${minutes ?? 'none'}, expected ${e.duration_minutes}`);
  }
  if (e.all_day !== undefined && Boolean(p.is_all_day) !== e.all_day) fail(`is_all_day ${p.is_all_day}`);
  if (e.location_contains && !contains(p.location, e.location_contains))
    fail(`location ${JSON.stringify(p.location)}`);
  if (e.recurrence_contains && !contains(p.recurrence_rule, e.recurrence_contains)) {
    fail(`recurrence ${JSON.stringify(p.recurrence_rule)}`);
  }
  if (e.priority && p.priority !== e.priority)
    fail(`priority ${p.priority ?? 'none'}, expected ${e.priority}`);
  if (e.tags) {
    const got = [...(p.tags ?? [])].sort().join(',');
    if (
      got !==
      [...e.tags]
        .map((t) => t.toLowerCase())
        .sort()
        .join(',')
    )
      fail(`tags [${got}]`);
  }
  if (e.query_contains) {
    const q = c.intent === 'delegate_task' ? p.instruction : p.query;
    if (!contains(q, e.query_contains)) fail(`query ${JSON.stringify(q)} lacks "${e.query_contains}"`);
  }
  return reasons;
}

export interface Failure {
  case: LabelledCase;
  scenario: string;
  reasons: string[];
  got: Classification;
}

export interface Report {
  total: number;
  right: number;
  byIntent: Map<Intent, { total: number; right: number }>;
  failures: Failure[];
  msPerMessage: number;
}

/**
 * Average time per message: every case at every scenario, after a warm-up round; the median of
 * three rounds, so that one busy moment on a shared machine does not decide the figure.
 */
export function timePerMessage(
  cases: readonly LabelledCase[],
  understand: Understander,
  scenarios = DEFAULT_SCENARIOS,
): number {
  const round = (): number => {
    const started = performance.now();
    for (const s of scenarios)
      for (const c of cases) understand(c.text, { now: s.now, timezone: s.timezone });
    return (performance.now() - started) / Math.max(1, cases.length * scenarios.length);
  };
  round();
  const rounds = [round(), round(), round()].sort((a, b) => a - b);
  return rounds[1] ?? 0;
}

/** Counts one answer in its intent's row; 1 when it was right. */
function tally(byIntent: Map<Intent, { total: number; right: number }>, intent: Intent, ok: boolean): number {
  const row = byIntent.get(intent) ?? { total: 0, right: 0 };
  row.total += 1;
  if (ok) row.right += 1;
  byIntent.set(intent, row);
  return ok ? 1 : 0;
}

/** Scores every case at every scenario, then times the understander alone (`timePerMessage`). */
export function evaluate(
  cases: readonly LabelledCase[],
  understand: Understander,
  scenarios = DEFAULT_SCENARIOS,
): Report {
  const byIntent = new Map<Intent, { total: number; right: number }>();
  const failures: Failure[] = [];
  let right = 0;
  for (const c of cases) {
    let ok = true;
    for (const s of scenarios) {
      const got = understand(c.text, { now: s.now, timezone: s.timezone });
      const reasons = judge(c, got, s);
      if (reasons.length) {
        ok = false;
        failures.push({ case: c, scenario: s.name, reasons, got });
        break;
      }
    }
    right += tally(byIntent, c.intent, ok);
  }
  return {
    total: cases.length,
    right,
    byIntent,
    failures,
    msPerMessage: timePerMessage(cases, understand, scenarios),
  };
}

export const accuracy = (r: Pick<Report, 'right' | 'total'>): number => (r.total ? r.right / r.total : 0);

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** A per-intent table, the overall line and the speed, as plain text. */
export function formatReport(name: string, report: Report): string {
  const rows = [...report.byIntent.entries()].sort(([a], [b]) => INTENTS.indexOf(a) - INTENTS.indexOf(b));
  const lines = [
    `${name}`,
    ...rows.map(
      ([intent, r]) =>
        `  ${intent.padEnd(16)} ${String(r.right).padStart(3)}/${String(r.total).padEnd(3)} ${pct(accuracy(r)).padStart(6)}`,
    ),
  ];
  lines.push(
    `  ${'overall'.padEnd(16)} ${String(report.right).padStart(3)}/${String(report.total).padEnd(3)} ${pct(accuracy(report)).padStart(6)}`,
  );
  lines.push(`  ${report.msPerMessage.toFixed(3)} ms/message`);
  return lines.join('\n');
}

/** The failures, one block each: the text, what was expected, what came back. */
export function formatFailures(report: Report): string {
  return report.failures
    .map((f) =>
      [
        `  x ${JSON.stringify(f.case.text)}  [${f.scenario}]`,
        `    expected ${f.case.intent} ${JSON.stringify(f.case.expect)}`,
        `    got      ${f.got.intent} ${JSON.stringify(f.got.params)}`,
        `    why      ${f.reasons.join('; ')}`,
      ].join('\n'),
    )
    .join('\n');
}

/** Per intent, how many cases got the right intent (params aside), at the first scenario. */
export function intentReport(
  cases: readonly LabelledCase[],
  understand: Understander,
  scenario: Scenario = DEFAULT_SCENARIOS[0]!,
): { right: number; total: number; byIntent: Map<Intent, { total: number; right: number }> } {
  const byIntent = new Map<Intent, { total: number; right: number }>();
  let right = 0;
  for (const c of cases) {
    const ok = understand(c.text, { now: scenario.now, timezone: scenario.timezone }).intent === c.intent;
    right += tally(byIntent, c.intent, ok);
  }
  return { right, total: cases.length, byIntent };
}

/**
 * The 50th and 99th percentile of the time `fn` takes per text, in milliseconds. Each text is
 * timed five times and its median kept, so that a moment when another process has the CPU
 * does not count as the understander's time.
 */
export function percentiles(
  texts: readonly string[],
  fn: (text: string) => unknown,
): { p50: number; p99: number } {
  for (const t of texts) fn(t);
  const times = texts.map((t) => {
    const runs = [0, 1, 2, 3, 4].map(() => {
      const started = performance.now();
      fn(t);
      return performance.now() - started;
    });
    return runs.sort((a, b) => a - b)[2]!;
  });
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}
