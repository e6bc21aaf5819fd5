/**
 * The chart of the main ratios, as a self-contained SVG the harness writes after every run
 * (bench/results/<name>.svg; docs/images/bench-ratios.svg with --write-docs-chart). Written by
 * hand, no dependency: horizontal bars, one colour per database, the targets drawn in.
 *
 * - REST: each endpoint's share of the floor's req/s, with its target marked.
 * - Latency: each p99 with a target (REST and chat added latency) as a multiple of that target,
 *   on a log scale (the figures span three orders of magnitude) with the target line at 1x.
 * - With both databases: PostgreSQL as a share of SQLite per row, with the 50% line.
 *
 * Again from a results file: npx tsx bench/chart.ts bench/results/latest.json [out.svg]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Report } from './compare.js';
import { chatTarget, DB_LABEL, POSTGRES_SHARE_TARGET, restTarget, type Db } from './report.js';

const COLOURS: Record<Db | 'share', string> = { sqlite: '#3b6ea5', postgres: '#d9822b', share: '#5a8f4e' };
const WIDTH = 960;
const LABEL_W = 330;
const PLOT_X = LABEL_W + 10;
const PLOT_W = 470;
const BAR_H = 13;
// Korean search terms need a CJK face: the last names cover macOS, Windows and most Linux desktops.
const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Apple SD Gothic Neo', 'Malgun Gothic', 'Noto Sans CJK KR', sans-serif"`;

interface Bar {
  series: Db | 'share';
  value: number;
  text: string;
  /** The bar's <title>: what a screen reader or a hover says. */
  title: string;
}
interface Row {
  label: string;
  bars: Bar[];
  /** A target for this row alone (linear panels), in axis units. */
  target?: number;
}
interface Axis {
  log: boolean;
  min: number;
  max: number;
  ticks: number[];
  format: (x: number) => string;
  /** A target line across the whole panel, in axis units. */
  line?: { at: number; label: string };
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '-');
const num = (x: number) =>
  !Number.isFinite(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const times = (x: number) =>
  !Number.isFinite(x) ? '-' : `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)}x`;

function xOf(axis: Axis, v: number): number {
  const clamp = Math.min(Math.max(v, axis.min), axis.max);
  const f = axis.log
    ? (Math.log10(clamp) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min))
    : (clamp - axis.min) / (axis.max - axis.min);
  return PLOT_X + f * PLOT_W;
}

/** One panel at `top`; returns its SVG and height. */
function panel(
  top: number,
  title: string,
  note: string,
  rows: Row[],
  axis: Axis,
): { svg: string; height: number } {
  const out: string[] = [];
  const headH = axis.line ? 56 : 44;
  const groupH = (r: Row) => Math.max(1, r.bars.length) * (BAR_H + 2) + 8;
  const plotH = rows.reduce((h, r) => h + groupH(r), 0);
  const plotTop = top + headH;
  out.push(`<text x="12" y="${top + 16}" font-size="15" font-weight="600">${esc(title)}</text>`);
  out.push(`<text x="12" y="${top + 33}" font-size="12" fill="#555">${esc(note)}</text>`);
  // Grid and tick labels.
  for (const t of axis.ticks) {
    const x = xOf(axis, t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${plotTop}" y2="${plotTop + plotH}" stroke="#e3e3e3"/>`);
    out.push(
      `<text x="${x}" y="${plotTop + plotH + 14}" font-size="11" fill="#555" text-anchor="middle">${esc(axis.format(t))}</text>`,
    );
  }
  let y = plotTop;
  for (const [i, r] of rows.entries()) {
    const h = groupH(r);
    if (i % 2 === 1) out.push(`<rect x="4" y="${y}" width="${WIDTH - 8}" height="${h}" fill="#f6f6f6"/>`);
    out.push(
      `<text x="${LABEL_W}" y="${y + h / 2 + 4}" font-size="12" text-anchor="end">${esc(r.label)}</text>`,
    );
    let by = y + 4;
    for (const b of r.bars) {
      const x0 = xOf(axis, axis.min);
      const ok = Number.isFinite(b.value);
      const x1 = ok ? xOf(axis, b.value) : x0;
      out.push(
        `<g><title>${esc(b.title)}</title>` +
          `<rect x="${x0.toFixed(1)}" y="${by}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${BAR_H}" fill="${COLOURS[b.series]}" rx="2"/>` +
          `<text x="${(x1 + 4).toFixed(1)}" y="${by + BAR_H - 3}" font-size="11" fill="#222">${esc(ok ? b.text : 'no figure')}</text></g>`,
      );
      by += BAR_H + 2;
    }
    if (r.target !== undefined) {
      const x = xOf(axis, r.target).toFixed(1);
      out.push(
        `<line x1="${x}" x2="${x}" y1="${y + 1}" y2="${y + h - 1}" stroke="#c0392b" stroke-width="2" stroke-dasharray="4 2"/>`,
      );
    }
    y += h;
  }
  if (axis.line) {
    const x = xOf(axis, axis.line.at).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${plotTop - 4}" y2="${plotTop + plotH}" stroke="#c0392b" stroke-width="2" stroke-dasharray="5 3"/>`,
    );
    out.push(
      `<text x="${x}" y="${plotTop - 7}" font-size="11" fill="#c0392b" text-anchor="middle">${esc(axis.line.label)}</text>`,
    );
  }
  return { svg: out.join('\n'), height: headH + plotH + 28 };
}

function niceMax(x: number, floor: number): number {
  const m = Math.max(x, floor);
  return Math.ceil(m * 10) / 10;
}

function logAxis(values: number[], line: Axis['line']): Axis {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.min(0.1, ...finite.map((v) => 10 ** Math.floor(Math.log10(v))));
  const hi = Math.max(10, ...finite.map((v) => 10 ** Math.ceil(Math.log10(v))));
  const ticks: number[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(Number(t.toPrecision(1)));
  return { log: true, min: lo, max: hi, ticks, format: (x) => `${x}x`, line };
}

export function renderChart(report: Report): string {
  const runs = report.runs;
  const first = runs[0];
  const dbs = runs.map((r) => DB_LABEL[r.db]).join(' and ');
  const heading = first
    ? `ClawChat benchmark (${first.mode}), ${first.startedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${first.commit.replace(' (with uncommitted changes)', '+')}`
    : 'ClawChat benchmark';
  const machine = first
    ? `${first.machine.cores} cores, ${first.machine.cpu}; load average ${runs.map((r) => `${r.machine.loadAverage.start}-${r.machine.loadAverage.end}`).join(', ')} (${dbs})`
    : '';
  const parts: string[] = [];
  let top = 84;
  const add = (p: { svg: string; height: number }) => {
    parts.push(p.svg);
    top += p.height + 12;
  };

  // 1. REST: share of the floor.
  const names = first?.rest?.endpoints.map((e) => e.name) ?? [];
  const restRows: Row[] = names.map((name) => {
    const t = restTarget(name);
    return {
      label: name,
      target: t?.ofFloor,
      bars: runs.flatMap((r) => {
        const e = r.rest?.endpoints.find((x) => x.name === name);
        if (!e) return [];
        const v = e.ofFloor ?? Number.NaN;
        return [
          {
            series: r.db,
            value: v,
            text: `${pct(v)} (${Math.round(e.rps).toLocaleString('en-US')} req/s)`,
            title: `${DB_LABEL[r.db]}, ${name}: ${pct(v)} of the floor, ${Math.round(e.rps)} req/s${t?.ofFloor !== undefined ? `; target at least ${pct(t.ofFloor)}` : ''}`,
          },
        ];
      }),
    };
  });
  if (restRows.length) {
    const values = restRows.flatMap((r) => [...r.bars.map((b) => b.value), r.target ?? 0]);
    const max = niceMax(Math.max(...values.filter(Number.isFinite)), 0.5);
    const step = max > 1 ? 0.25 : 0.1;
    const ticks = Array.from({ length: Math.floor(max / step + 1e-9) + 1 }, (_, i) =>
      Number((i * step).toFixed(2)),
    );
    add(
      panel(
        top,
        "REST at 50 connections: share of the floor's req/s (higher is better)",
        "Floor: a bare node:http server sending the same bytes, same machine, same run. Dashed red: the row's target.",
        restRows,
        { log: false, min: 0, max, ticks, format: pct },
      ),
    );
  }

  // 2. p99 as a multiple of its target: REST rows with a p99 target, and chat added latency.
  const latencyRows: Row[] = [];
  for (const name of names) {
    const limit = restTarget(name)?.p99;
    if (limit === undefined) continue;
    latencyRows.push({
      label: `${name} (p99 < ${limit} ms)`,
      bars: runs.flatMap((r) => {
        const e = r.rest?.endpoints.find((x) => x.name === name);
        if (!e) return [];
        // Nothing completed: every request took longer than the run, drawn at that length.
        const none = e.requests === 0;
        const p99 = none ? e.seconds * 1000 : e.p99;
        return [
          {
            series: r.db,
            value: p99 / limit,
            text: none ? `none completed in ${num(e.seconds)} s` : `${num(p99)} ms (${times(p99 / limit)})`,
            title: `${DB_LABEL[r.db]}, ${name}: ${none ? `no request completed within the ${num(e.seconds)} s run` : `p99 ${num(p99)} ms`}, target under ${limit} ms`,
          },
        ];
      }),
    });
  }
  for (const level of first?.chat?.levels ?? []) {
    const limit = chatTarget(level.users);
    if (limit === null) continue;
    for (const kind of ['firstChunk', 'laterChunks'] as const) {
      const what = kind === 'firstChunk' ? 'first chunk' : 'later chunks';
      latencyRows.push({
        label: `chat, ${level.users.toLocaleString('en-US')} streams, ${what} (p99 < ${limit} ms)`,
        bars: runs.flatMap((r) => {
          const l = r.chat?.levels.find((x) => x.users === level.users);
          if (!l) return [];
          const p99 = l[kind].p99;
          return [
            {
              series: r.db,
              value: p99 / limit,
              text: `${num(p99)} ms (${times(p99 / limit)})`,
              title: `${DB_LABEL[r.db]}, chat with ${level.users} streams, ${what}: added p99 ${num(p99)} ms, target under ${limit} ms`,
            },
          ];
        }),
      });
    }
  }
  if (latencyRows.length)
    add(
      panel(
        top,
        'p99 latency as a multiple of its target (log scale; lower is better)',
        'Left of the red line meets the target. Chat: provider write to client frame, the latency the server adds.',
        latencyRows,
        logAxis(
          latencyRows.flatMap((r) => r.bars.map((b) => b.value)),
          { at: 1, label: 'target' },
        ),
      ),
    );

  // 3. PostgreSQL as a share of SQLite.
  const c = report.comparison;
  if (c?.rows.length)
    add(
      panel(
        top,
        'PostgreSQL as a share of SQLite (higher is better)',
        "Throughput: ratio of the two runs' shares of their own floor; chat: SQLite's p99 over PostgreSQL's.",
        c.rows.map((r) => ({
          label: r.row,
          bars: [
            {
              series: 'share',
              value: r.share,
              text: pct(r.share),
              title: `${r.row} (${r.measure}): PostgreSQL ${r.postgres}, SQLite ${r.sqlite}; PostgreSQL at ${pct(r.share)} of SQLite, target at least ${pct(POSTGRES_SHARE_TARGET)}`,
            },
          ],
        })),
        (() => {
          // Capped at 200% so the 50% line stays readable: a longer bar ends at the edge, its label gives the figure.
          const max = Math.min(
            2,
            niceMax(Math.max(...c.rows.map((r) => r.share).filter(Number.isFinite)), 1),
          );
          const step = 0.25;
          const ticks = Array.from({ length: Math.floor(max / step + 1e-9) + 1 }, (_, i) => i * step);
          return {
            log: false,
            min: 0,
            max,
            ticks,
            format: pct,
            line: { at: POSTGRES_SHARE_TARGET, label: 'target 50%' },
          };
        })(),
      ),
    );

  // Legend, under the heading.
  const legend =
    [
      ...runs.map((r) => ({ colour: COLOURS[r.db], label: DB_LABEL[r.db] })),
      ...(c ? [{ colour: COLOURS.share, label: 'PostgreSQL / SQLite' }] : []),
    ]
      .map((item, i) => {
        const x = 12 + i * 150;
        return `<rect x="${x}" y="52" width="14" height="12" fill="${item.colour}" rx="2"/><text x="${x + 20}" y="62" font-size="12">${esc(item.label)}</text>`;
      })
      .join('') +
    `<line x1="${12 + (runs.length + (c ? 1 : 0)) * 150}" x2="${26 + (runs.length + (c ? 1 : 0)) * 150}" y1="58" y2="58" stroke="#c0392b" stroke-width="2" stroke-dasharray="4 2"/>` +
    `<text x="${32 + (runs.length + (c ? 1 : 0)) * 150}" y="62" font-size="12">target</text>`;
  const height = top;
  const titleText = `${heading}: main ratios on ${dbs}`;
  const desc =
    `Horizontal bar charts. ${restRows.length} REST endpoints as a share of the floor's requests per second, ` +
    `${latencyRows.length} p99 latencies as a multiple of their targets` +
    (c ? ', and PostgreSQL as a share of SQLite per row' : '') +
    `. ${machine}.`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="chart-title chart-desc" ${FONT}>`,
    `<title id="chart-title">${esc(titleText)}</title>`,
    `<desc id="chart-desc">${esc(desc)}</desc>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="22" font-size="17" font-weight="700">${esc(heading)}</text>`,
    `<text x="12" y="42" font-size="12" fill="#555">${esc(machine)}</text>`,
    ...parts,
    legend,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const [input, output] = process.argv.slice(2);
  if (!input) {
    console.error('usage: tsx bench/chart.ts <results.json> [out.svg]');
    process.exit(2);
  }
  const out = output ?? input.replace(/\.json$/, '') + '.svg';
  // JSON wrote the missing figures (NaN) as null; the chart reads numbers.
  const report = JSON.parse(fs.readFileSync(input, 'utf8'), (_key, value: unknown) =>
    value === null ? Number.NaN : value,
  ) as Report;
  fs.writeFileSync(out, renderChart(report));
  console.log(out);
}
