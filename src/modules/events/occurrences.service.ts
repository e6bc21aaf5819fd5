/**
 * One occurrence at a time (COMPAT.md): removing an occurrence, ending a series before one,
 * changing one alone (an override, RFC 5545 RECURRENCE-ID), and the iCalendar form of all that.
 */
import type { Transaction } from 'kysely';
import type { DB, EventOverrideRow, EventRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { notFound, orNotFound, unprocessable } from '../../lib/errors.js';
import { localDate, type ParsedTime } from '../../lib/time.js';
import type { EventSink } from '../../realtime/events.js';
import { parseTags, publishChange, type WriteContext } from '../common/items.js';
import type { EventsRepository } from './events.repository.js';
import type { EventOccurrence, OccurrencePatch } from './events.schemas.js';
import { toOccurrence } from './events.slots.js';
import type { IcsEvent } from './ics.js';
import {
  dayBefore,
  exceptionsOf,
  expandChanged,
  isOccurrenceDate,
  ruleOccurrencesOn,
  seriesStop,
  type SeriesRow,
} from './occurrences.js';
import { expandSeries, parseRule } from './recurrence.js';

export const DELETE_MODES = ['this_only', 'this_and_future', 'all'] as const;
export type DeleteMode = (typeof DELETE_MODES)[number];

export interface OccurrencesDeps {
  repo: EventsRepository;
  clock: Clock;
  publish: EventSink;
  readTime(value: string, field: string): ParsedTime;
  /** An end as the client wrote it, for an event starting at `start` (events.service.ts). */
  readEnd(value: string, start: Date, allDay: boolean, zone: string): Date;
  /** Deletes the whole series (and publishes it). */
  removeSeries(id: string, ctx: WriteContext): Promise<unknown>;
}

export type OccurrencesService = ReturnType<typeof createOccurrencesService>;

export function createOccurrencesService(deps: OccurrencesDeps) {
  const { repo, clock } = deps;

  /** The series with its overrides, if `date` names one of its occurrences; else 404. */
  async function occurrenceOf(id: string, date: string, trx?: Transaction<DB>): Promise<SeriesRow> {
    const row = orNotFound(await repo.find(id, trx), 'Event', id);
    const [series] = await repo.withOverrides([row], trx);
    if (!isOccurrenceDate(series!, date)) throw notFound('Occurrence', `${id}/${date}`);
    return series!;
  }

  const changed = (id: string, ctx: WriteContext) =>
    publishChange(ctx, deps.publish, { module: 'events', action: 'updated', id });

  return {
    removeOccurrence: async (
      id: string,
      date: string,
      mode: string,
      ctx: WriteContext = {},
    ): Promise<void> => {
      if (!(DELETE_MODES as readonly string[]).includes(mode))
        throw unprocessable('mode', `mode must be one of ${DELETE_MODES.join(', ')}`);
      const now = clock.now().toISOString();
      // Read and written back under the series' lock: two removals at once keep both days.
      const wholeSeries = await repo.changeSeries(id, now, async (trx) => {
        const series = await occurrenceOf(id, date, trx);
        const first = localDate(new Date(series.start_time), series.timezone);
        if (mode === 'all' || (mode === 'this_and_future' && date <= first)) return true;
        if (mode === 'this_only') {
          const exceptions = [...new Set([...exceptionsOf(series), date])].sort();
          await repo.deleteOverride(id, date, trx);
          await repo.update(id, { recurrence_exceptions: JSON.stringify(exceptions) }, trx);
        } else {
          const end = dayBefore(date);
          await repo.deleteOverrides(id, date, trx);
          await repo.update(
            id,
            {
              recurrence_end: end,
              recurrence_exceptions: JSON.stringify(exceptionsOf(series).filter((d) => d <= end)),
            },
            trx,
          );
        }
        return false;
      });
      if (wholeSeries) await deps.removeSeries(id, ctx);
      else changed(id, ctx);
    },

    changeOccurrence: async (
      id: string,
      date: string,
      patch: OccurrencePatch,
      ctx: WriteContext = {},
    ): Promise<EventOccurrence> => {
      const now = clock.now().toISOString();
      // Under the series' lock, which also moves its updated_at (sync clients and the reminder
      // horizon read it): a removal or another change of the day at once cannot interleave.
      const { series, override, start, end } = await repo.changeSeries(id, now, async (trx) => {
        const series = await occurrenceOf(id, date, trx);
        const zone = series.timezone;
        const allDay = series.is_all_day === 1;
        const existing = series.overrides?.find((o) => o.occurrence_date === date);
        const original = ruleOccurrencesOn(series, date)[0];
        const base = {
          start: existing ? new Date(existing.start_time) : original!.start,
          end: existing ? (existing.end_time === null ? null : new Date(existing.end_time)) : original!.end,
        };
        let start = base.start;
        let end = base.end;
        if (patch.start_time !== undefined) {
          start = deps.readTime(patch.start_time, 'start_time').date;
          // Moving an occurrence keeps its length.
          if (end !== null) end = new Date(start.getTime() + (base.end!.getTime() - base.start.getTime()));
        }
        if (patch.end_time !== undefined)
          end = patch.end_time === null ? null : deps.readEnd(patch.end_time, start, allDay, zone);
        if (end !== null && end < start)
          throw unprocessable('end_time', 'end_time must not be before start_time');
        const override: EventOverrideRow = {
          event_id: id,
          occurrence_date: date,
          title:
            patch.title !== undefined ? patch.title.trim() || patch.title : (existing?.title ?? series.title),
          description:
            patch.description !== undefined
              ? patch.description
              : (existing?.description ?? series.description),
          location: patch.location !== undefined ? patch.location : (existing?.location ?? series.location),
          start_time: start.toISOString(),
          end_time: end?.toISOString() ?? null,
          reminder_minutes: series.reminder_minutes,
          created_at: existing?.created_at ?? now,
          updated_at: now,
        };
        await repo.putOverride(override, trx);
        return { series, override, start, end };
      });
      changed(id, ctx);
      const row = { ...series, updated_at: now, overrides: [override] };
      return toOccurrence({ at: start.getTime(), row, occurrence: { start, end }, date, override });
    },

    /** The series as iCalendar wants it: EXDATE per removed start, UNTIL, overrides. */
    toIcs(row: SeriesRow): IcsEvent {
      const ics: IcsEvent = {
        id: row.id,
        title: row.title,
        description: row.description,
        location: row.location,
        start: new Date(row.start_time),
        end: row.end_time === null ? null : new Date(row.end_time),
        isAllDay: row.is_all_day === 1,
        timezone: row.timezone,
        rule: row.recurrence_rule,
        tags: parseTags(row.tags),
        reminderMinutes: row.reminder_minutes,
        created: new Date(row.created_at),
        updated: new Date(row.updated_at),
      };
      if (row.recurrence_rule === null) return ics;
      const stop = seriesStop(row);
      if (stop !== null && row.recurrence_end !== null && cutsRule(row, stop))
        ics.until = { date: row.recurrence_end, stop };
      const overrides = (row.overrides ?? []).filter(
        (o) => row.recurrence_end === null || o.occurrence_date <= row.recurrence_end,
      );
      const exdates: Date[] = [];
      for (const date of exceptionsOf(row)) exdates.push(...ruleOccurrencesOn(row, date).map((o) => o.start));
      ics.overrides = [];
      for (const o of overrides) {
        const [first, ...rest] = ruleOccurrencesOn(row, o.occurrence_date);
        if (!first) continue;
        // A day with several occurrences: the override stands for all of them.
        exdates.push(...rest.map((r) => r.start));
        ics.overrides.push({
          recurrenceId: first.start,
          title: o.title,
          description: o.description,
          location: o.location,
          start: new Date(o.start_time),
          end: o.end_time === null ? null : new Date(o.end_time),
          updated: new Date(o.updated_at),
        });
      }
      ics.exdates = exdates.sort((a, b) => a.getTime() - b.getTime());
      return ics;
    },

    /** Occurrences of one series overlapping [from, to) (for checks and tools). */
    between: (row: SeriesRow, from: Date, to: Date) => expandChanged(row, from, to).map(toOccurrence),
  };
}

/**
 * Whether `recurrence_end` ends the rule earlier than the rule itself does, so the exported
 * RRULE must carry it as UNTIL (a COUNT that runs out before it is kept as it is).
 */
function cutsRule(row: EventRow, stop: Date): boolean {
  let rule;
  try {
    rule = parseRule(row.recurrence_rule!);
  } catch {
    return true;
  }
  const series = {
    rule: row.recurrence_rule!,
    start: new Date(row.start_time),
    end: row.end_time === null ? null : new Date(row.end_time),
    isAllDay: row.is_all_day === 1,
    timezone: row.timezone,
  };
  // Any occurrence starting at or after the stop means the rule runs past it.
  const later = expandSeries(series, stop, new Date(stop.getTime() + 400 * 86_400_000), 2);
  if (later.some((o) => o.start >= stop)) return true;
  return rule.count === null && rule.until === null;
}
