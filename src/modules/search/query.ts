/**
 * Turning user text into search terms. User input is never query syntax: it is cut into words
 * (runs of letters, digits and combining marks; everything else separates), and each word is
 * later quoted as an FTS5 string by the repository. Quotes, `AND`, `NEAR(...)`, `*`, `:` and
 * SQL fragments are therefore either separators or plain words.
 */
import { SUBSTRING_SCRIPT_RANGES } from './layout.js';

export interface SearchTerms {
  /** Matched as word prefixes ("VL" finds "VLA"), case and accents ignored. */
  words: string[];
  /**
   * Words in a script written without spaces (Korean, Japanese, Chinese, Thai...), matched as
   * substrings so "회의" finds "주간회의록".
   */
  substrings: string[];
}

/** Bounds that keep a hostile 5,000-character query cheap; all words must still match. */
const MAX_TERMS = 32;
const MAX_TERM_CHARS = 64;

const SUBSTRING_SCRIPT = new RegExp(
  `[${SUBSTRING_SCRIPT_RANGES.map(([a, b]) => `\\u{${a.toString(16)}}-\\u{${b.toString(16)}}`).join('')}]`,
  'u',
);
const SEPARATORS = /[^\p{L}\p{N}\p{M}]+/u;
const SEARCHABLE = /[\p{L}\p{N}]/u;

/** The words of `input`; both lists empty means there is nothing to search for. */
export function parseSearchText(input: string): SearchTerms {
  const words: string[] = [];
  const substrings: string[] = [];
  const seen = new Set<string>();
  for (const raw of input.normalize('NFC').split(SEPARATORS)) {
    if (!SEARCHABLE.test(raw)) continue;
    // A longer word is cut: as a prefix it still finds what the whole word finds.
    const term = [...raw.toLowerCase()].slice(0, MAX_TERM_CHARS).join('');
    if (seen.has(term)) continue;
    seen.add(term);
    (SUBSTRING_SCRIPT.test(term) ? substrings : words).push(term);
    if (seen.size >= MAX_TERMS) break;
  }
  return { words, substrings };
}

export function isEmpty(terms: SearchTerms): boolean {
  return terms.words.length === 0 && terms.substrings.length === 0;
}

/** An FTS5 string literal: the only form user text ever takes inside a MATCH expression. */
export function ftsString(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/** Every word as a quoted prefix, all required: `"vla"* AND "model"*`. */
export function prefixMatch(words: readonly string[]): string {
  return words.map((w) => `${ftsString(w)}*`).join(' AND ');
}

/** Every term as a quoted substring for the trigram table, all required. */
export function substringMatch(terms: readonly string[]): string {
  return terms.map(ftsString).join(' AND ');
}

/** Code points, not UTF-16 units: "회의" is 2, an astral ideograph is 1. */
export function charLength(term: string): number {
  return [...term].length;
}

function termPattern(terms: readonly string[]): RegExp {
  const escaped = [...terms]
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(${escaped.join('|')})`, 'giu');
}

/**
 * Marks each occurrence of `terms` in an FTS5 snippet with `**`, leaving the spans snippet()
 * already marked alone. Case-insensitive for the scripts that have case.
 */
export function markTerms(snippet: string, terms: readonly string[]): string {
  if (terms.length === 0) return snippet;
  const pattern = termPattern(terms);
  return snippet
    .split('**')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(pattern, '**$1**')))
    .join('**');
}

/**
 * A short excerpt around the first occurrence of a term, with the terms marked; for matches
 * found without an FTS5 ranking (substring scans, the portable LIKE path).
 */
export function excerpt(text: string, terms: readonly string[], radius = 40): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  const flat = chars.join('');
  const lower = flat.toLowerCase();
  let at = -1;
  for (const t of terms) {
    const i = lower.indexOf(t);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  // indexOf counts UTF-16 units; convert to a code point position for slicing.
  const start = at < 0 ? 0 : [...flat.slice(0, at)].length;
  const from = Math.max(0, start - radius);
  const to = Math.min(chars.length, start + radius);
  const body = chars.slice(from, to).join('');
  const marked = terms.length ? body.replace(termPattern(terms), '**$1**') : body;
  return `${from > 0 ? '…' : ''}${marked}${to < chars.length ? '…' : ''}`;
}
