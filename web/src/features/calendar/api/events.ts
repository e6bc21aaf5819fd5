import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap, type Schemas } from '../../../lib/api';
import type { paths } from '../../../lib/api-types';

export type Occurrence = Schemas['EventOccurrence'] & {
  // COMPAT.md "one occurrence at a time": present once the server has the occurrence API.
  occurrence_date?: string | null;
  recurring_event_id?: string | null;
};
export type EventBody = paths['/api/events/{id}']['patch']['requestBody']['content']['application/json'];
export type NewEventBody = paths['/api/events']['post']['requestBody']['content']['application/json'];

export const eventKeys = {
  all: ['events'] as const,
  window: (start: string, end: string) => ['events', 'window', start, end] as const,
};

/** Every occurrence overlapping [start, end): recurring events expanded by the server, paged at 200. */
export async function listWindow(start: string, end: string): Promise<Occurrence[]> {
  const out: Occurrence[] = [];
  for (let page = 1; page <= 50; page++) {
    const res = unwrap(
      await api.GET('/api/events', {
        params: { query: { start_after: start, start_before: end, page, limit: 200 } },
      }),
    );
    out.push(...res.items);
    if (out.length >= res.total || res.items.length === 0) break;
  }
  return out;
}

export function useEventsWindow(start: string, end: string) {
  return useQuery({
    queryKey: eventKeys.window(start, end),
    queryFn: () => listWindow(start, end),
    placeholderData: keepPreviousData,
  });
}

export const getEvent = async (id: string) =>
  unwrap(await api.GET('/api/events/{id}', { params: { path: { id } } }));

export function useCreateEvent() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewEventBody) => unwrap(await api.POST('/api/events', { body })),
    onSettled: () => qc.invalidateQueries({ queryKey: eventKeys.all }),
  });
}

export async function createEvent(body: NewEventBody) {
  return unwrap(await api.POST('/api/events', { body }));
}

export async function updateEvent(id: string, body: EventBody) {
  return unwrap(await api.PATCH('/api/events/{id}', { params: { path: { id } }, body }));
}

export async function deleteEvent(id: string): Promise<void> {
  const res = await api.DELETE('/api/events/{id}', { params: { path: { id } } });
  if (res.error !== undefined) unwrap(res);
}
