/**
 * The owner's settings (timezone, briefing time). Persisted in the settings table, they
 * override TIMEZONE / BRIEFING_TIME. Read on every request that computes "today", so they are
 * kept in memory and written through; a change reaches the other instances as a domain event.
 */
import type { Kysely } from 'kysely';
import { isValidHhMm, isValidTimezone } from '../../config.js';
import type { DB } from '../../db/schema.js';
import { validationError } from '../../lib/errors.js';
import type { DomainEvents } from '../../realtime/domain-events.js';

export interface Settings {
  timezone: string;
  briefing_time: string;
}

export type SettingsService = Awaited<ReturnType<typeof createSettingsService>>;

const KEYS = { timezone: 'owner.timezone', briefing_time: 'owner.briefing_time' } as const;

export interface SettingsDeps {
  db: Kysely<DB>;
  defaults: Settings;
  /** Tells the other instances (REDIS_URL) of a change, and hears of theirs. */
  domain: DomainEvents;
}

export async function createSettingsService(deps: SettingsDeps) {
  const { db } = deps;
  let current: Settings = { ...deps.defaults };
  // A change made on another instance: its scheduler, "today" and replies use it at once.
  deps.domain.subscribe((e) => {
    if (e.type === 'settings_changed') current = { ...e.data };
  });

  async function reload(): Promise<Settings> {
    const rows = await db
      .selectFrom('settings')
      .select(['key', 'value'])
      .where('key', 'in', Object.values(KEYS))
      .execute();
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    current = {
      timezone: stored.get(KEYS.timezone) ?? deps.defaults.timezone,
      briefing_time: stored.get(KEYS.briefing_time) ?? deps.defaults.briefing_time,
    };
    return current;
  }
  await reload();

  return {
    /** The owner's IANA zone: where "today" and "tomorrow at 3 PM" are computed. */
    timezone: (): string => current.timezone,
    get: (): Settings => ({ ...current }),
    reload,
    async update(patch: Partial<Settings>): Promise<Settings> {
      if (patch.timezone !== undefined && !isValidTimezone(patch.timezone))
        throw validationError('timezone', 'timezone must be an IANA zone such as Asia/Seoul', patch.timezone);
      if (patch.briefing_time !== undefined && !isValidHhMm(patch.briefing_time))
        throw validationError('briefing_time', 'briefing_time must be HH:MM (24h)', patch.briefing_time);
      await db.transaction().execute(async (trx) => {
        for (const field of ['timezone', 'briefing_time'] as const) {
          const value = patch[field];
          if (value === undefined) continue;
          await trx
            .insertInto('settings')
            .values({ key: KEYS[field], value })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
            .execute();
        }
      });
      const next = await reload();
      deps.domain.emit({ type: 'settings_changed', data: { ...next } });
      return next;
    },
  };
}
