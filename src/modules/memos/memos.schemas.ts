import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, PageQuery, Tags, Timestamp } from '../common/schemas.js';

export const Memo = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    content: Type.String(),
    tags: Type.Array(Type.String()),
    conversation_id: Nullable(Type.String()),
    message_id: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Memo' },
);
export type Memo = Static<typeof Memo>;

const Content = Type.String({ minLength: 1, maxLength: 100_000 });
const Title = Type.String({ maxLength: 200 });

export const MemoCreate = Type.Object({
  content: Content,
  title: Type.Optional(Nullable(Title)),
  tags: Type.Optional(Tags),
});
export type MemoCreate = Static<typeof MemoCreate>;

/** Every field optional; a null or "" title derives the title from the content again. */
export const MemoPatch = Type.Partial(MemoCreate);
export type MemoPatch = Static<typeof MemoPatch>;

export const MemoListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 500 })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  ...PageQuery(20, 100),
});
export type MemoListQuery = Static<typeof MemoListQuery>;

export const MemoPage = Page(Type.Ref(Memo));
