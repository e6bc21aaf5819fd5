/**
 * Search over todos, events, memos and messages, ranked together (BEHAVIOUR.md "Search"). Used
 * by `GET /api/search` and by the chat orchestrator's search intent.
 */
import { validationError } from '../../lib/errors.js';
import { isEmpty, parseSearchText, type SearchTerms } from './query.js';
import type { HitRow, HitType, SearchRepository } from './search.repository.js';
import { SEARCH_TYPES, type SearchHit, type SearchType } from './search.schemas.js';

export type { SearchHit, SearchType };

export interface SearchInput {
  q: string;
  /** A comma list (`todos,memos`) or a list; default all four. */
  types?: string | readonly string[];
  page?: number;
  limit?: number;
}

export interface SearchResultPage {
  items: SearchHit[];
  total: number;
  page: number;
  limit: number;
}

export type SearchService = ReturnType<typeof createSearchService>;

export const SEARCH_MAX_LIMIT = 100;
const HIT_TYPE_OF: Record<SearchType, HitType> = {
  todos: 'todo',
  events: 'event',
  memos: 'memo',
  messages: 'message',
};

function readTypes(raw: SearchInput['types']): HitType[] {
  if (raw === undefined) return Object.values(HIT_TYPE_OF);
  const names = (typeof raw === 'string' ? raw.split(',') : raw).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0)
    throw validationError('types', `types must list some of ${SEARCH_TYPES.join(', ')}`, raw);
  const out = new Set<HitType>();
  for (const name of names) {
    if (!(SEARCH_TYPES as readonly string[]).includes(name))
      throw validationError('types', `types must be a comma list of ${SEARCH_TYPES.join(', ')}`, name);
    out.add(HIT_TYPE_OF[name as SearchType]);
  }
  return [...out];
}

export interface SearchServiceDeps {
  repo: SearchRepository;
  /**
   * Hits the index does not hold (events' changed occurrences, occurrence-search.ts), listed
   * after the index's hits so pages stay stable.
   */
  extraEventHits?: (terms: SearchTerms) => Promise<HitRow[]>;
}

export function createSearchService(deps: SearchServiceDeps) {
  return {
    /** A page of hits, best first (ties newest first). Text with nothing searchable finds nothing. */
    async search(input: SearchInput): Promise<SearchResultPage> {
      const page = input.page ?? 1;
      const limit = input.limit ?? 20;
      if (!input.q.trim()) throw validationError('q', 'q must not be blank', input.q);
      if (!Number.isInteger(page) || page < 1)
        throw validationError('page', 'page must be an integer >= 1', page);
      if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT)
        throw validationError('limit', `limit must be an integer from 1 to ${SEARCH_MAX_LIMIT}`, limit);
      const types = readTypes(input.types);
      const terms = parseSearchText(input.q);
      if (isEmpty(terms)) return { items: [], total: 0, page, limit };
      const offset = (page - 1) * limit;
      const { rows, total } = await deps.repo.page(terms, types, limit, offset);
      const extra = types.includes('event') && deps.extraEventHits ? await deps.extraEventHits(terms) : [];
      const hits: HitRow[] = [...rows];
      if (hits.length < limit)
        hits.push(...extra.slice(Math.max(0, offset - total), offset - total + limit - rows.length));
      // The apps read the same values as `preview` and `rank` (COMPAT.md).
      return {
        items: hits.map((hit) => ({ ...hit, preview: hit.snippet, rank: hit.score })),
        total: total + extra.length,
        page,
        limit,
      };
    },
  };
}
