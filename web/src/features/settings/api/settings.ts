import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap, type Schemas } from '../../../lib/api';
import type { paths } from '../../../lib/api-types';

export const settingsKeys = { all: ['settings'] as const };

export type Settings = paths['/api/settings']['get']['responses'][200]['content']['application/json'];
export type PreferencesBody = paths['/api/settings']['put']['requestBody']['content']['application/json'];
export type { Schemas };

export const getSettings = async (): Promise<Settings> => unwrap(await api.GET('/api/settings'));

export function useSettings() {
  return useQuery({ queryKey: settingsKeys.all, queryFn: getSettings });
}

/** Timezone and briefing time (PATCH); Today and the calendar read the zone, so they refresh too. */
export function useUpdateSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { timezone?: string; briefing_time?: string }) =>
      unwrap(await api.PATCH('/api/settings', { body })),
    onSuccess: (data) => {
      qc.setQueryData(settingsKeys.all, (old: Settings | undefined) => (old ? { ...old, ...data } : old));
      void qc.invalidateQueries({ queryKey: settingsKeys.all });
      void qc.invalidateQueries({ queryKey: ['today'] });
      void qc.invalidateQueries({ queryKey: ['events'] });
    },
  });
}

/** The apps' preferences (PUT merges the keys given), shown at once and put back if the server refuses. */
export function useSavePreferences() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: PreferencesBody) => unwrap(await api.PUT('/api/settings', { body })),
    onMutate: async (body) => {
      await qc.cancelQueries({ queryKey: settingsKeys.all });
      const before = qc.getQueryData<Settings>(settingsKeys.all);
      if (before) {
        const merged = { ...before.settings };
        for (const [k, v] of Object.entries(body)) if (v !== null) (merged as Record<string, unknown>)[k] = v;
        qc.setQueryData(settingsKeys.all, { ...before, settings: merged });
      }
      return { before };
    },
    onError: (_e, _body, ctx) => {
      if (ctx?.before) qc.setQueryData(settingsKeys.all, ctx.before);
    },
    onSuccess: (data) => qc.setQueryData(settingsKeys.all, data),
  });
}
