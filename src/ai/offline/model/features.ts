/**
 * What the intent model sees of a message: hashed word unigrams and bigrams, the opening words,
 * and character 3-5-grams of each word (so "remidn" and "remind" share most of their features).
 * Hashing keeps the model a fixed size whatever the vocabulary; collisions cost little at 2^15.
 */
import { normalise } from '../lexicon/text.js';

export interface FeatureConfig {
  /** log2 of the number of hash buckets. */
  bits: number;
  minGram: number;
  maxGram: number;
}

export const FEATURES: FeatureConfig = { bits: 15, minGram: 3, maxGram: 5 };

/** FNV-1a over UTF-16 code units: fast, deterministic, and the same in training and serving. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Lower-case tokens; digits collapse to 0 so that "at 3pm" and "at 11pm" look alike. */
export function tokens(text: string): string[] {
  const s = normalise(text).toLowerCase().replace(/\d/g, '0');
  return s.match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?|[?:#!]/gu) ?? [];
}

/**
 * The sorted, distinct bucket indexes of a message's features. Every feature has the value
 * 1/sqrt(n), so long and short messages weigh the same. `hints` are features from outside the
 * text: what the rules made of it (hybrid.ts), so that the model learns when to trust them.
 */
export function featurize(
  text: string,
  config: FeatureConfig = FEATURES,
  hints: readonly string[] = [],
): Uint32Array {
  const mask = (1 << config.bits) - 1;
  const out = new Set<number>();
  const add = (f: string): void => {
    out.add(hash(f) & mask);
  };
  for (const h of hints) add(`h ${h}`);
  const ts = tokens(text);
  const padded = ['<s>', ...ts, '</s>'];
  for (let i = 0; i < ts.length; i += 1) add(`w ${ts[i]}`);
  for (let i = 0; i + 1 < padded.length; i += 1) add(`b ${padded[i]} ${padded[i + 1]}`);
  add(`f ${ts[0] ?? ''}`);
  add(`f2 ${ts[0] ?? ''} ${ts[1] ?? ''}`);
  add(`f3 ${ts.slice(0, 3).join(' ')}`);
  if (ts.length > 3) add(`l ${ts[ts.length - 2]} ${ts[ts.length - 1]}`);
  add(`len ${Math.min(ts.length, 12) >> 2}`);
  for (const t of ts) {
    if (t.length < 3) continue;
    const w = `<${t}>`;
    for (let n = config.minGram; n <= config.maxGram; n += 1)
      for (let i = 0; i + n <= w.length; i += 1) add(`c ${w.slice(i, i + n)}`);
  }
  return Uint32Array.from([...out].sort((a, b) => a - b));
}
