/**
 * Which existing item a request means (BEHAVIOUR.md "Orchestration"): `target` words matched
 * against the user's items with the same rule the offline understander is built on
 * (`targetMatches`), newest first; a target with no identifying words ("it", "the last one",
 * "my last todo") means the item the conversation last showed, else the newest one.
 */
import { targetMatches, targetWords } from './offline/target-match.js';

export type Resolution<T> = { kind: 'one'; item: T } | { kind: 'many'; items: T[] } | { kind: 'none' };

export const MAX_CHOICES = 8;

export interface ResolveOptions<T> {
  /** The text a target is matched against (default: the title). */
  text?: (item: T) => string;
  /** Items to prefer when they match too (open todos, upcoming events). */
  prefer?: (item: T) => boolean;
  /** The item the conversation referred to last ("it", "the last one"). */
  lastReferenced?: T | null;
}

/** Words that point at recency, not at a title: "the last one", "my latest todo". */
const RECENCY = new Set([
  'last',
  'latest',
  'previous',
  'recent',
  'recently',
  'newest',
  'most',
  'one',
  'ones',
  'just',
  'added',
  'created',
]);
/** Kind words people add to a title: "the dentist appointment" means the event "Dentist". */
const KIND_WORDS = new Set(['appointment', 'appointments', 'appt', 'meeting', 'meetings', 'session']);

function meaningful(target: string): string[] {
  return targetWords(target).filter((w) => !RECENCY.has(w));
}

/** True when the words name no item ("it", "that one", "the last todo"). */
export function isReferential(target: string | undefined): boolean {
  return target === undefined || meaningful(target).length === 0;
}

const key = (text: string) => targetWords(text).join(' ');

/** `candidates` must be newest first; the answer keeps that order. */
export function resolveTarget<T extends { id: string; title: string }>(
  target: string | undefined,
  candidates: readonly T[],
  opts: ResolveOptions<T> = {},
): Resolution<T> {
  if (isReferential(target)) {
    const item =
      opts.lastReferenced ?? (opts.prefer ? candidates.find(opts.prefer) : undefined) ?? candidates[0];
    return item ? { kind: 'one', item } : { kind: 'none' };
  }
  const text = opts.text ?? ((item: T) => item.title);
  const words = meaningful(target!);
  let matches = candidates.filter((c) => targetMatches(words.join(' '), text(c)));
  if (matches.length === 0) {
    // Without the kind words, if anything is left to match on.
    const core = words.filter((w) => !KIND_WORDS.has(w));
    if (core.length > 0 && core.length < words.length)
      matches = candidates.filter((c) => targetMatches(core.join(' '), text(c)));
  }
  if (matches.length === 0) return { kind: 'none' };
  if (opts.prefer) {
    const preferred = matches.filter(opts.prefer);
    if (preferred.length > 0) matches = preferred;
  }
  if (matches.length === 1) return { kind: 'one', item: matches[0]! };
  // A title that is exactly the target (up to small words) wins over titles that merely contain it.
  const wanted = words.join(' ');
  const exact = matches.filter((m) => key(m.title) === wanted);
  if (exact.length === 1) return { kind: 'one', item: exact[0]! };
  return { kind: 'many', items: matches.slice(0, MAX_CHOICES) };
}
