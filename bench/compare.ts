/**
 * SQLite and PostgreSQL side by side (`--db=both`): each row's PostgreSQL figure as a share of
 * SQLite's, judged against "PostgreSQL reaches at least half of SQLite on every row".
 *
 * The two databases run one after the other, minutes apart, on a machine whose load drifts, so
 * throughput is compared through each run's ratio to its own floor (measured in the same run),
 * not through raw req/s. For latency the share is SQLite's p99 over PostgreSQL's (half as fast
 * means twice the p99).
 */
import {
  DB_LABEL,
  fmt,
  pct,
  POSTGRES_SHARE_TARGET,
  renderTables,
  renderTargets,
  table,
  type Results,
  type Target,
} from './report.js';

export interface ComparisonRow {
  row: string;
  /** What the SQLite and PostgreSQL cells hold. */
  measure: string;
  sqlite: string;
  postgres: string;
  /** PostgreSQL's figure as a share of SQLite's (higher is better for PostgreSQL). */
  share: number;
}

export interface Comparison {
  rows: ComparisonRow[];
  targets: Target[];
}

/** What a run writes to bench/results/<name>.json: every database's results, and the comparison. */
export interface Report {
  runs: Results[];
  comparison: Comparison | null;
}

const ratio = (a: number | undefined, b: number | undefined): number =>
  a === undefined || b === undefined || !(b > 0) ? Number.NaN : a / b;

export function compareRuns(sqlite: Results, postgres: Results): Comparison {
  const rows: ComparisonRow[] = [];
  const rest = (label: string, sq: { rps: number; p99: number; ofFloor?: number }, pg: typeof sq) =>
    rows.push({
      row: label,
      measure: 'req/s, of floor, p99 ms',
      sqlite: `${fmt(sq.rps, 0)}, ${pct(sq.ofFloor)}, ${fmt(sq.p99, 1)}`,
      postgres: `${fmt(pg.rps, 0)}, ${pct(pg.ofFloor)}, ${fmt(pg.p99, 1)}`,
      share: ratio(pg.ofFloor, sq.ofFloor),
    });
  for (const sq of sqlite.rest?.endpoints ?? []) {
    const pg = postgres.rest?.endpoints.find((e) => e.name === sq.name);
    if (pg) rest(sq.name, sq, pg);
  }
  for (const sq of sqlite.rest?.at200 ?? []) {
    const pg = postgres.rest?.at200.find((e) => e.name === sq.name);
    if (pg) rest(`${sq.name} at 200 connections`, sq, pg);
  }
  for (const sq of sqlite.chat?.levels ?? []) {
    const pg = postgres.chat?.levels.find((l) => l.users === sq.users);
    if (!pg || sq.users < 100) continue; // one stream's p99 is a handful of samples
    rows.push({
      row: `chat, ${sq.users} streams`,
      measure: 'added p99 ms, first / later chunks',
      sqlite: `${fmt(sq.firstChunk.p99, 1)} / ${fmt(sq.laterChunks.p99, 1)}`,
      postgres: `${fmt(pg.firstChunk.p99, 1)} / ${fmt(pg.laterChunks.p99, 1)}`,
      share: Math.min(
        ratio(sq.firstChunk.p99, pg.firstChunk.p99),
        ratio(sq.laterChunks.p99, pg.laterChunks.p99),
      ),
    });
  }
  if (sqlite.soak && postgres.soak)
    rows.push({
      row: 'soak, mixed load',
      measure: 'req/s',
      sqlite: fmt(sqlite.soak.rps, 0),
      postgres: fmt(postgres.soak.rps, 0),
      share: ratio(postgres.soak.rps, sqlite.soak.rps),
    });
  const targets = rows.map((r) => ({
    what: `PostgreSQL >= half of SQLite: ${r.row}`,
    value: r.share,
    limit: `>= ${POSTGRES_SHARE_TARGET.toFixed(2)}`,
    pass: Number.isFinite(r.share) ? r.share >= POSTGRES_SHARE_TARGET : null,
  }));
  return { rows, targets };
}

/** Every run's tables, the side-by-side table when there are two, and one targets table. */
export function renderReport(report: Report): string {
  const parts = report.runs.map((r) => `## ${DB_LABEL[r.db]}\n\n${renderTables(r, false)}`);
  const c = report.comparison;
  if (c)
    parts.push(
      '## SQLite and PostgreSQL side by side\n\n' +
        "PostgreSQL as a share of SQLite: for throughput the ratio of the two runs' shares of their own floor " +
        "(machine drift between the runs cancels); for latency SQLite's p99 over PostgreSQL's\n" +
        table(
          ['row', 'SQLite', 'PostgreSQL', 'PostgreSQL / SQLite'],
          c.rows.map((r) => [`${r.row} (${r.measure})`, r.sqlite, r.postgres, pct(r.share)]),
        ),
    );
  parts.push(
    renderTargets([
      ...report.runs.map((r) => ({ db: DB_LABEL[r.db], targets: r.targets })),
      ...(c ? [{ db: 'PostgreSQL / SQLite', targets: c.targets }] : []),
    ]),
  );
  return parts.join('\n\n');
}
