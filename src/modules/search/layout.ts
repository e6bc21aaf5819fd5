/**
 * The search index's layout as the live code reads it, taken from the migrations that built the
 * index (their frozen modules), not copied: the live code has to read what those migrations
 * wrote, and anything else needs a new migration that rebuilds the index anyway.
 */

/**
 * Unicode ranges of scripts written without spaces between words. The query parser splits them
 * into substrings, which only the trigram index can match; it must split exactly the scripts that
 * index holds (0002 chose which rows go in), or a term would be looked up where it is not.
 */
export { SUBSTRING_SCRIPT_RANGES } from '../../db/migrations/frozen/search-index-0002.js';

/** The low two bits of a search document id: its type (the id layout of migration 0006). */
export { DOC_TYPE_BITS } from '../../db/migrations/frozen/search-doc-ids-0006.js';
