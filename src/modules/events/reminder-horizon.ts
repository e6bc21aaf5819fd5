/**
 * The reminder scheduler's view of the recurring series. A tick needs, per series with a
 * reminder, the occurrences whose reminder moment has come: those starting between the tick's
 * lower bound and `now + reminder_minutes`. Expanding every series for that sliding window on
 * every tick (once a minute) costs as much as the densest series allows, each time. Instead each
 * series is expanded once up to a horizon a day beyond what the tick needs, and again only when
 * a tick reaches that horizon or the series itself changed: a tick that finds nothing changed
 * expands nothing.
 *
 * "Changed" is read like series-cache.ts does: `series_generation` (migration 0005) moves on
 * every write to a recurring series, by any process; the series are then reloaded and only those
 * whose stored row differs start again.
 */
import type { EventRow } from '../../db/schema.js';

const MINUTE_MS = 60_000;
/** How far beyond what a tick needs one expansion reaches. */
const LOOKAHEAD_MS = 24 * 60 * MINUTE_MS;
/** Work between two yields to the event loop while many series are (re)expanded. */
const SLICE_MS = 10;

export interface HorizonSource<S> {
  generation(): Promise<string>;
  /** Every recurring series that has a reminder. */
  load(): Promise<EventRow[]>;
  /** Occurrences overlapping [from, to); `complete` false when a cap or budget cut them short. */
  expand(row: EventRow, from: Date, to: Date): { slots: S[]; complete: boolean };
  startOf(slot: S): number;
  /** More of a row that decides its occurrences (its exceptions and overrides). */
  version?(row: EventRow): string;
}

interface SeriesState<S> {
  row: EventRow;
  /** `slots` holds every occurrence starting in [coveredFrom, coveredUntil). */
  coveredFrom: number;
  coveredUntil: number;
  slots: S[];
}

/** What of a row decides its occurrences and reminders (title and the like do not). */
const versionOf = (r: EventRow) =>
  [
    r.start_time,
    r.end_time,
    r.recurrence_rule,
    r.timezone,
    r.is_all_day,
    r.reminder_minutes,
    r.updated_at,
  ].join('|');

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export type ReminderHorizon<S> = ReturnType<typeof createReminderHorizon<S>>;

export function createReminderHorizon<S>(source: HorizonSource<S>) {
  let generation: string | null = null;
  let series = new Map<string, SeriesState<S>>();
  const version = (r: EventRow) => `${versionOf(r)}|${source.version?.(r) ?? ''}`;

  async function refresh(): Promise<void> {
    const current = await source.generation();
    if (current === generation) return;
    const rows = await source.load();
    const next = new Map<string, SeriesState<S>>();
    for (const row of rows) {
      const old = series.get(row.id);
      next.set(
        row.id,
        old && version(old.row) === version(row)
          ? old
          : { row, coveredFrom: Infinity, coveredUntil: -Infinity, slots: [] },
      );
    }
    series = next;
    generation = current;
  }

  /** Moves the covered range's start to `from`: forgets what is before, restarts on a jump. */
  function rebase(state: SeriesState<S>, from: number): void {
    if (from < state.coveredFrom || from > state.coveredUntil) {
      // New, or the clock went back, or it jumped past everything expanded.
      state.slots = [];
      state.coveredUntil = from;
    } else {
      const keep = state.slots.findIndex((s) => source.startOf(s) >= from);
      state.slots.splice(0, keep === -1 ? state.slots.length : keep);
    }
    state.coveredFrom = from;
  }

  /** Extends one series' expansion so that it covers [coveredFrom, needUntil]. */
  function cover(state: SeriesState<S>, needUntil: number): void {
    const start = state.coveredUntil;
    const end = needUntil + LOOKAHEAD_MS;
    const { slots, complete } = source.expand(state.row, new Date(start), new Date(end));
    // Overlap semantics bring back occurrences that began earlier: those are already here.
    const fresh = slots.filter((s) => source.startOf(s) >= start && source.startOf(s) < end);
    state.slots.push(...fresh);
    // Cut short: covered up to the last occurrence found (the next tick goes on from there).
    state.coveredUntil = complete || fresh.length === 0 ? end : source.startOf(fresh.at(-1)!) + 1;
  }

  return {
    /**
     * The occurrences starting in [from, to] whose reminder moment (start - reminder_minutes)
     * is at or before `now`, by series. Expands only series that changed or whose horizon the
     * tick reached; yields to the event loop between slices of that work.
     */
    async due(from: Date, to: Date, now: Date): Promise<S[]> {
      await refresh();
      const out: S[] = [];
      let sliceStart = performance.now();
      for (const state of [...series.values()]) {
        const minutes = state.row.reminder_minutes;
        if (minutes === null) continue;
        const lead = minutes * MINUTE_MS;
        const needUntil = Math.min(now.getTime() + lead, to.getTime());
        rebase(state, from.getTime());
        if (state.coveredUntil <= needUntil) {
          cover(state, needUntil);
          if (performance.now() - sliceStart > SLICE_MS) {
            await yieldToLoop();
            sliceStart = performance.now();
          }
        }
        for (const slot of state.slots) {
          const at = source.startOf(slot);
          if (at > needUntil) break;
          if (at - lead <= now.getTime()) out.push(slot);
        }
      }
      return out;
    },
  };
}
