/**
 * The search index's layout as the live code reads it. Migrations keep their own frozen copies
 * (a migration never imports live code), so a change here never rewrites an applied migration.
 */

/** Unicode ranges of scripts written without spaces between words (the query parser splits them into substrings). */
export const SUBSTRING_SCRIPT_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0e00, 0x0eff], // Thai, Lao
  [0x1000, 0x109f], // Myanmar
  [0x1100, 0x11ff], // Hangul Jamo
  [0x1780, 0x17ff], // Khmer
  [0x3040, 0x30ff], // Hiragana, Katakana
  [0x3130, 0x318f], // Hangul compatibility Jamo
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7af], // Hangul syllables
  [0xd7b0, 0xd7ff], // Hangul Jamo extended B
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xff66, 0xff9f], // half-width Katakana
  [0x20000, 0x2ffff], // CJK extensions B-F, compatibility supplement
];

/** The low two bits of a search document id: its type (the id layout of migration 0006). */
export const DOC_TYPE_BITS: Readonly<Record<'todo' | 'event' | 'memo' | 'message', number>> = {
  todo: 0,
  event: 1,
  memo: 2,
  message: 3,
};
