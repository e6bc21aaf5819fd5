/** "delete X", "cancel the meeting with Jun", "remove X from my calendar" -> delete_*. */
import type { Classification } from '../../intents.js';
import { DELETE_VERBS, alternation } from '../lexicon/vocabulary.js';
import { cleanTarget, inferKind, intentFor, named, pronounTarget } from './targets.js';

const DELETE = new RegExp(String.raw`^(?<verb>${alternation(DELETE_VERBS)})\s+(?<target>.+)$`, 'i');
const CANCELLED = /^(?<target>.+?)\s+(?:is|has\s+been|was|got)\s+(?:cancell?ed|called\s+off)$/i;

export function readDelete(core: string): Classification | undefined {
  const m = DELETE.exec(core);
  if (m) {
    const verb = (m.groups?.['verb'] ?? '').toLowerCase();
    const raw = m.groups?.['target'] ?? '';
    // "drop off the parcel", "take out the trash" are chores, not deletions.
    if (verb === 'drop' && /^off\b/i.test(raw)) return undefined;
    if (
      verb === 'take' &&
      !/\b(?:off|out\s+of|from)\s+(?:my|the)\s+(?:calendar|schedule|list|agenda|to-?do)/i.test(raw)
    ) {
      return undefined;
    }
    const pronoun = pronounTarget(raw);
    const target = cleanTarget(raw);
    if (!named(target) && !pronoun) return undefined;
    return { intent: intentFor('delete', inferKind(raw, verb)), params: { target: pronoun ?? target } };
  }
  const c = CANCELLED.exec(core);
  const target = cleanTarget(c?.groups?.['target'] ?? '');
  if (c && named(target)) return { intent: 'delete_event', params: { target } };
  return undefined;
}
