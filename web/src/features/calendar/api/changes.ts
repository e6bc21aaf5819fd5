/**
 * Changing and deleting what the calendar shows. A plain event is patched as is; one
 * occurrence of a series goes to the occurrence API with the chosen scope; "this and
 * following" ends the series before this occurrence and starts a new series there with the
 * change; "all events" patches the series, moving its first start by as much as this
 * occurrence was moved.
 */
import { useMutation, useQueryClient } from '@tanstack/preact-query';
import { dayOf } from '../dates';
import {
  createEvent,
  deleteEvent,
  eventKeys,
  getEvent,
  updateEvent,
  type EventBody,
  type Occurrence,
} from './events';
import { deleteOccurrence, patchOccurrence, type Scope } from './occurrences';

export const isSeries = (o: Occurrence) => Boolean(o.recurrence_rule);
export const occurrenceDate = (o: Occurrence, tz: string) =>
  o.occurrence_date ?? dayOf(Date.parse(o.occurrence_start), tz);

async function changeSeries(o: Occurrence, body: EventBody): Promise<void> {
  const next = { ...body };
  if (body.start_time !== undefined || body.end_time !== undefined) {
    const series = await getEvent(o.id);
    const shift = (iso: string | null | undefined, was: string | null, base: string | null) =>
      iso && was && base ? new Date(Date.parse(base) + Date.parse(iso) - Date.parse(was)).toISOString() : iso;
    if (body.start_time) next.start_time = shift(body.start_time, o.start_time, series.start_time)!;
    if (body.end_time)
      next.end_time = shift(body.end_time, o.end_time ?? o.start_time, series.end_time ?? series.start_time);
  }
  await updateEvent(o.id, next);
}

/** "This and following": the series stops before this occurrence; a new one starts here, changed. */
async function splitSeries(o: Occurrence, body: EventBody, tz: string): Promise<void> {
  const series = await getEvent(o.id);
  await deleteOccurrence(o.id, occurrenceDate(o, tz), 'this_and_future');
  await createEvent({
    title: body.title ?? series.title,
    description: body.description !== undefined ? body.description : series.description,
    location: body.location !== undefined ? body.location : series.location,
    is_all_day: body.is_all_day ?? series.is_all_day,
    reminder_minutes: body.reminder_minutes !== undefined ? body.reminder_minutes : series.reminder_minutes,
    recurrence_rule: body.recurrence_rule !== undefined ? body.recurrence_rule : series.recurrence_rule,
    recurrence_end: series.recurrence_end,
    tags: body.tags ?? series.tags,
    start_time: body.start_time ?? o.start_time,
    end_time: body.end_time !== undefined ? body.end_time : o.end_time,
  });
}

export function useChangeEvent(tz: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ o, body, scope }: { o: Occurrence; body: EventBody; scope: Scope | null }) => {
      if (!isSeries(o) || !scope) return void (await updateEvent(o.id, body));
      if (scope === 'all') return changeSeries(o, body);
      if (scope === 'this_and_future') return splitSeries(o, body, tz);
      const { recurrence_rule: _rule, ...rest } = body;
      return patchOccurrence(o.id, occurrenceDate(o, tz), scope, rest);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: eventKeys.all }),
  });
}

export function useRemoveEvent(tz: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ o, scope }: { o: Occurrence; scope: Scope | null }) => {
      if (!isSeries(o) || !scope || scope === 'all') return deleteEvent(o.id);
      return deleteOccurrence(o.id, occurrenceDate(o, tz), scope);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: eventKeys.all }),
  });
}
