/**
 * The rule that ties a `target` ("the grocery shopping task") to an existing item. The offline
 * understander is built to satisfy it and the server's resolver applies it, so both stay in step.
 */
import { words } from './lexicon/text.js';
import { STOPWORDS } from './lexicon/vocabulary.js';

/** The words of a target that have to be found in the item; articles and type words do not count. */
export function targetWords(target: string): string[] {
  return words(target).filter((w) => !STOPWORDS.has(w));
}

function wordMatches(wanted: string, present: string): boolean {
  if (present.startsWith(wanted)) return true;
  // "reading chapter 5" names "read chapter 5", "running" names "run", "making" names "make".
  if (wanted.length > 5 && wanted.endsWith('ing')) {
    const stem = wanted.slice(0, -3).replace(/([bdgmnprt])\1$/, '$1');
    if (stem.length >= 3 && present.startsWith(stem)) return true;
  }
  // "invitations" still names an item titled "send the invitation".
  if (wanted.length <= 3 || !wanted.endsWith('s')) return false;
  return present === wanted.slice(0, -1) || (wanted.endsWith('es') && present === wanted.slice(0, -2));
}

/**
 * True when every meaningful word of `target` appears in `text` (an item's title, or a memo's
 * title and content) as a case-insensitive word prefix. A target with no meaningful words
 * ("it", "the task") matches nothing: it cannot identify an item by text.
 */
export function targetMatches(target: string, text: string): boolean {
  const wanted = targetWords(target);
  if (!wanted.length) return false;
  const present = words(text);
  return wanted.every((w) => present.some((p) => wordMatches(w, p)));
}
