/** Number words people use for quantities of time ("in two weeks", "for forty-five minutes"). */
const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, ninety: 90 };

const UNIT_WORDS = Object.keys(UNITS).join('|');
const TENS_WORDS = Object.keys(TENS).join('|');

/**
 * Regex source for a quantity: digits, number words, "a"/"an", "a couple of", "a few", "half an".
 * Longer alternatives come first so that "an hour and a half" is not read as "an".
 */
export const NUMBER_SOURCE = [
  String.raw`\d+(?:\.\d+)?`,
  String.raw`one\s+and\s+a\s+half`,
  String.raw`(?:${TENS_WORDS})(?:[\s-](?:${UNIT_WORDS}))?`,
  String.raw`(?:${UNIT_WORDS})`,
  String.raw`a\s+couple(?:\s+of)?`,
  String.raw`couple(?:\s+of)?`,
  String.raw`a\s+few`,
  String.raw`few`,
  String.raw`half\s+an?`,
  String.raw`an?`,
].join('|');

/** The value of a quantity matched by NUMBER_SOURCE, or NaN. */
export function parseQuantity(raw: string): number {
  const s = raw.toLowerCase().replace(/\s+/g, ' ').trim();
  if (/^\d/.test(s)) return Number(s);
  if (s === 'a' || s === 'an') return 1;
  if (s.startsWith('half')) return 0.5;
  if (s === 'one and a half') return 1.5;
  if (s.includes('couple')) return 2;
  if (s.includes('few')) return 3;
  const [first = '', second] = s.split(/[\s-]/);
  if (first in TENS) return (TENS[first] ?? 0) + (second ? (UNITS[second] ?? 0) : 0);
  return UNITS[first] ?? Number.NaN;
}
