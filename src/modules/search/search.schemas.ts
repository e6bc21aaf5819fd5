import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, PageQuery, StringEnum, Timestamp } from '../common/schemas.js';
import { HIT_TYPES } from './search.repository.js';

/** The plural names `types` accepts, and the hit type each one yields. */
export const SEARCH_TYPES = ['todos', 'events', 'memos', 'messages'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const SearchHit = Type.Object(
  {
    type: StringEnum(HIT_TYPES),
    id: Type.String(),
    title: Type.String({ description: "The item's title; for a message, its conversation's title" }),
    snippet: Type.String({ description: 'An excerpt with the matched terms marked `**like this**`' }),
    score: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'In (0, 1], higher is better; comparable across types',
    }),
    created_at: Timestamp,
    conversation_id: Nullable(Type.String({ description: 'Set for message hits' })),
    preview: Type.String({ description: 'Same as snippet (the name the ClawChat apps read)' }),
    rank: Type.Number({ description: 'Same as score (the name the ClawChat apps read)' }),
  },
  { $id: 'SearchHit' },
);
export type SearchHit = Static<typeof SearchHit>;

export const SearchQuery = Type.Object({
  q: Type.String({
    maxLength: 10_000,
    description: 'Words to find (all must match, by prefix); never query syntax',
  }),
  types: Type.Optional(
    Type.String({ maxLength: 200, description: `Comma list of ${SEARCH_TYPES.join(', ')} (default all)` }),
  ),
  ...PageQuery(20, 100),
});
export type SearchQuery = Static<typeof SearchQuery>;

export const SearchPage = Page(Type.Ref(SearchHit));
