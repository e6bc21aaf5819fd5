/**
 * The owner's settings (timezone, briefing time). Persisted in the settings table, they
 * override TIMEZONE / BRIEFING_TIME. Read on every request that computes "today", so they are
 * kept in memory and written through; a change reaches the other instances as a domain event.
 */
import type { Kysely } from 'kysely';
import { isValidHhMm, isValidTimezone } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { validationError } from '../../lib/errors.js';
import { mergePreferences, readPreferences, type Preferences } from './preferences.js';
import type { DomainEvents } from '../../realtime/domain-events.js';

export interface Settings {
  timezone: string;
  briefing_time: string;
}

/** What GET /api/settings answers: API.md's two fields and the apps' preferences (COMPAT.md). */
export interface SettingsView extends Settings {
  settings: Preferences;
  /** When the preferences were last saved (ISO), or "" when never. */
  updated_at: string;
}

export type SettingsService = Awaited<ReturnType<typeof createSettingsService>>;

const KEYS = {
  timezone: 'owner.timezone',
  briefing_time: 'owner.briefing_time',
  preferences: 'app.preferences',
  preferences_at: 'app.preferences_updated_at',
} as const;

export interface SettingsDeps {
  db: Kysely<DB>;
  clock: Clock;
  defaults: Settings;
  /** Tells the other instances (REDIS_URL) of a change, and hears of theirs. */
  domain: DomainEvents;
}

export async function createSettingsService(deps: SettingsDeps) {
  const { db } = deps;
  let current: SettingsView = { ...deps.defaults, settings: {}, updated_at: '' };
  // A change made on another instance: its scheduler, "today" and replies use it at once.
  deps.domain.subscribe((e) => {
    if (e.type === 'settings_changed') current = { ...current, ...e.data };
  });

  async function reload(): Promise<SettingsView> {
    const rows = await db
      .selectFrom('settings')
      .select(['key', 'value'])
      .where('key', 'in', Object.values(KEYS))
      .execute();
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    current = {
      timezone: stored.get(KEYS.timezone) ?? deps.defaults.timezone,
      briefing_time: stored.get(KEYS.briefing_time) ?? deps.defaults.briefing_time,
      settings: readPreferences(stored.get(KEYS.preferences)),
      updated_at: stored.get(KEYS.preferences_at) ?? '',
    };
    return current;
  }
  await reload();

  async function put(trx: Kysely<DB>, key: string, value: string): Promise<void> {
    await trx
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  return {
    /** The owner's IANA zone: where "today" and "tomorrow at 3 PM" are computed. */
    timezone: (): string => current.timezone,
    get: (): SettingsView => ({ ...current, settings: { ...current.settings } }),
    reload,
    /** PUT /api/settings: merges the apps' preferences (read, merge and write in one transaction). */
    async putPreferences(body: Record<string, unknown>): Promise<SettingsView> {
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('settings')
          .select('value')
          .where('key', '=', KEYS.preferences)
          .executeTakeFirst();
        const merged = mergePreferences(readPreferences(row?.value), body);
        await put(trx, KEYS.preferences, JSON.stringify(merged));
        await put(trx, KEYS.preferences_at, deps.clock.now().toISOString());
      });
      const next = await reload();
      deps.domain.emit({ type: 'settings_changed', data: { ...next } });
      return next;
    },
    async update(patch: Partial<Settings>): Promise<SettingsView> {
      if (patch.timezone !== undefined && !isValidTimezone(patch.timezone))
        throw validationError('timezone', 'timezone must be an IANA zone such as Asia/Seoul', patch.timezone);
      if (patch.briefing_time !== undefined && !isValidHhMm(patch.briefing_time))
        throw validationError('briefing_time', 'briefing_time must be HH:MM (24h)', patch.briefing_time);
      await db.transaction().execute(async (trx) => {
        for (const field of ['timezone', 'briefing_time'] as const) {
          const value = patch[field];
          if (value !== undefined) await put(trx, KEYS[field], value);
        }
      });
      const next = await reload();
      deps.domain.emit({ type: 'settings_changed', data: { ...next } });
      return next;
    },
  };
}
