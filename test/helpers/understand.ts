/** Shorthands of the offline understander's tests: a moment in a zone, and what a text reads as. */
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import type { UnderstandContext } from '../../src/ai/intents.js';
import { understandOffline } from '../../src/ai/offline/understand.js';

export const ctxAt = (iso: string, timezone: string): UnderstandContext => ({
  now: DateTime.fromISO(iso, { zone: timezone }).toJSDate(),
  timezone,
});

/** Monday 2025-03-10 09:00 in Seoul, the default moment for these tests. */
export const seoul = ctxAt('2025-03-10T09:00', 'Asia/Seoul');

export const understand = (text: string, ctx = seoul) => understandOffline(text, ctx);

/** `text` is read as `intent` with exactly these `params`. */
export const reads = (text: string, intent: string, params: Record<string, unknown>, ctx = seoul) =>
  expect(understand(text, ctx)).toEqual({ intent, params });

/** `text` is read with exactly these `params` (whatever the intent). */
export const readsParams = (text: string, params: Record<string, unknown>, ctx = seoul) =>
  expect(understand(text, ctx).params).toEqual(params);

/** `text` is read with at least these `params`. */
export const readsSome = (text: string, params: Record<string, unknown>, ctx = seoul) =>
  expect(understand(text, ctx).params).toMatchObject(params);
