/**
 * Recurrence (BEHAVIOUR.md "Time"), one entry point for the rest of the app:
 * - recurrence.parse.ts: RRULE text <-> Rule, strictly, and the canonical spelling;
 * - recurrence.validate.ts: whether a rule may be stored for an event;
 * - recurrence.expand.ts: the occurrences in a window, bounded;
 * - recurrence.rrule.ts: bounded runs of the `rrule` library, with a meter of candidates examined;
 * - recurrence.frame.ts: the floating wall-clock frame rrule runs in.
 */
export { expandSeries, expansionTotals, MAX_OCCURRENCES_PER_SERIES } from './recurrence.expand.js';
export { MAX_CANDIDATES, newMeter, type Meter } from './recurrence.rrule.js';
export { fromFloating, ruleForIcs, toFloating, type Occurrence, type Series } from './recurrence.frame.js';
export { formatRule, parseRule, RecurrenceError, type Rule } from './recurrence.parse.js';
export { MAX_PERIOD_CANDIDATES, validateSeries } from './recurrence.validate.js';
