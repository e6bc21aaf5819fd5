/**
 * Migration 0006's document ids, as of 0006 (the layout is described there). NEVER EDIT: 0006
 * numbered every search document with these type bits, its triggers keep doing so, and the live
 * search reads a document's type from them (modules/search/layout.ts). The guard
 * (../frozen.test.ts) fails on a change to the SQL they make; other bits need a new migration
 * that renumbers the index.
 */

/** The low two bits of a document id: its type. */
export const DOC_TYPE_BITS: Readonly<Record<'todo' | 'event' | 'memo' | 'message', number>> = {
  todo: 0,
  event: 1,
  memo: 2,
  message: 3,
};
