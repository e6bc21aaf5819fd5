/**
 * Search over changed occurrences (COMPAT.md: "search shows the changed occurrence"). The search
 * index follows the item tables by triggers, one document per item; an override is part of its
 * series, not an item, so it is matched here instead, with the index's word rules (every word a
 * prefix of a word, every no-space-script term a substring, case ignored), and found as a hit on
 * its series (`id` = the series) under the override's title. Overrides are few (a handful per
 * series), so they are matched in memory.
 */
import type { SearchTerms } from '../search/query.js';
import type { EventsRepository } from './events.repository.js';

/** The fixed score of an override hit: the index ranks these, so they sort after its hits. */
export const OVERRIDE_HIT_SCORE = 0.5;

export interface OverrideHit {
  type: 'event';
  id: string;
  title: string;
  snippet: string;
  score: number;
  created_at: string;
  conversation_id: null;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

function matches(text: string, terms: SearchTerms): boolean {
  const folded = fold(text);
  const words = folded.match(WORD) ?? [];
  return (
    terms.words.every((t) => words.some((w) => w.startsWith(fold(t)))) &&
    terms.substrings.every((t) => folded.includes(fold(t)))
  );
}

/** The text with each word that a term prefixes marked `**like this**`. */
function mark(text: string, terms: SearchTerms): string {
  const prefixes = [...terms.words, ...terms.substrings].map(fold);
  return text.replace(WORD, (w) => (prefixes.some((p) => fold(w).startsWith(p)) ? `**${w}**` : w));
}

export async function searchOverrides(repo: EventsRepository, terms: SearchTerms): Promise<OverrideHit[]> {
  if (terms.words.length === 0 && terms.substrings.length === 0) return [];
  const hits: OverrideHit[] = [];
  for (const o of await repo.overridesForSearch()) {
    const text = [o.title, o.description ?? '', o.location ?? ''].join(' ');
    if (!matches(text, terms)) continue;
    const snippet = [o.title, o.location, o.description].filter(Boolean).join(' · ').slice(0, 200);
    hits.push({
      type: 'event',
      id: o.event_id,
      title: o.title,
      snippet: mark(snippet, terms),
      score: OVERRIDE_HIT_SCORE,
      created_at: o.series_created_at,
      conversation_id: null,
    });
  }
  return hits;
}
