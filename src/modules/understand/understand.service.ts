/**
 * The quick-add preview: what the offline understander makes of a text, without acting on it.
 * The understander speaks the owner's wall clock (`2026-12-11`, `2026-12-08T15:00:00`); the API
 * speaks RFC 3339 UTC, so dates are converted here the way the services would store them.
 */
import type { Alternative, Classification, IntentParams } from '../../ai/intents.js';
import type { Understander } from '../../ai/offline/understand.js';
import type { Clock } from '../../lib/clock.js';
import { validationError } from '../../lib/errors.js';
import { endOfLocalDay, parseTimeInput } from '../../lib/time.js';

export type UnderstandService = ReturnType<typeof createUnderstandService>;

/** A date-only value of these fields stands for the end of that day (a due day, a range's end). */
const END_OF_DAY = new Set(['due_date', 'date_to']);
const DATE_FIELDS = ['due_date', 'start_time', 'end_time', 'date_from', 'date_to'] as const;

export type PreviewParams = Omit<IntentParams, 'priority' | 'status' | 'task_type'> & {
  priority?: string;
  status?: string;
  task_type?: string;
  /** With `due_date`: false when only a day was given (the todo is due by the end of it). */
  due_has_time?: boolean;
};

export interface Preview {
  intent: string;
  confidence?: number;
  ambiguous?: boolean;
  alternatives?: { intent: string; confidence: number; params: PreviewParams }[];
  params: PreviewParams;
}

export function createUnderstandService(deps: {
  understand: Understander;
  clock: Clock;
  timezone: () => string;
}) {
  function utcParams(params: IntentParams, zone: string): PreviewParams {
    const out: PreviewParams = { ...params };
    for (const field of DATE_FIELDS) {
      const value = params[field];
      if (value === undefined) continue;
      const parsed = parseTimeInput(value, zone);
      // A date the understander produced but no service would accept is left out of the preview.
      if (!parsed) {
        delete out[field];
        continue;
      }
      const instant =
        parsed.dateOnly && END_OF_DAY.has(field) ? endOfLocalDay(parsed.date, zone) : parsed.date;
      out[field] = instant.toISOString();
      if (field === 'due_date') out.due_has_time = !parsed.dateOnly;
    }
    return out;
  }

  return {
    preview(text: string): Preview {
      if (text.trim() === '') throw validationError('text', 'text must not be blank', text);
      const zone = deps.timezone();
      const c: Classification = deps.understand(text, { now: deps.clock.now(), timezone: zone });
      const preview: Preview = { intent: c.intent, params: utcParams(c.params, zone) };
      if (c.confidence !== undefined) preview.confidence = c.confidence;
      if (c.ambiguous) preview.ambiguous = true;
      if (c.alternatives?.length)
        preview.alternatives = c.alternatives.map((a: Alternative) => ({
          intent: a.intent,
          confidence: a.confidence,
          params: utcParams(a.params, zone),
        }));
      return preview;
    },
  };
}
