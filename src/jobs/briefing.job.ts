/**
 * The daily briefing job: once the local clock passes the briefing time (the `briefing_time`
 * setting, else BRIEFING_TIME) it sends that day's briefing, once per local date. A server that
 * was down at that time sends it when it comes back, the same day; a day missed entirely is
 * not sent later (a stale briefing helps no one).
 */
import type { BriefingService } from '../modules/briefing/briefing.service.js';
import { localDate, localToUtc } from '../lib/time.js';

export interface BriefingJobDeps {
  briefing: Pick<BriefingService, 'sendDaily'>;
  settings: { get(): { timezone: string; briefing_time: string } };
  /** ENABLE_BRIEFING */
  enabled: boolean;
}

/** The instant of today's briefing in `zone` (DST-correct). */
export function briefingMoment(now: Date, zone: string, hhmm: string): Date {
  const [year, month, day] = localDate(now, zone).split('-').map(Number) as [number, number, number];
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
  return localToUtc({ year, month, day, hour, minute }, zone);
}

export async function runBriefing(deps: BriefingJobDeps, now: Date): Promise<string | null> {
  if (!deps.enabled) return null;
  const { timezone, briefing_time } = deps.settings.get();
  if (now < briefingMoment(now, timezone, briefing_time)) return null;
  const sent = await deps.briefing.sendDaily(now);
  return sent?.message_id ?? null;
}
