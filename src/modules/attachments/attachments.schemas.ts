import { Type, type Static } from '@sinclair/typebox';
import { IdInput, Nullable, Timestamp } from '../common/schemas.js';

/** COMPAT.md "Attachments": the shape the ClawChat apps parse. */
export const Attachment = Type.Object(
  {
    id: Type.String(),
    filename: Type.String({ description: 'The name the client uploaded it with' }),
    stored_filename: Type.String({ description: 'The name on disk: the id, never the client name' }),
    content_type: Type.String(),
    size_bytes: Type.Integer(),
    memo_id: Nullable(Type.String()),
    todo_id: Nullable(Type.String()),
    url: Type.String({ description: '/api/attachments/{id}/download' }),
    created_at: Timestamp,
  },
  { $id: 'Attachment' },
);
export type Attachment = Static<typeof Attachment>;

const OwnerId = IdInput();

/** Exactly one of the two; the service says which is missing or doubled. */
export const AttachmentOwnerQuery = Type.Object({
  memo_id: Type.Optional(OwnerId),
  todo_id: Type.Optional(OwnerId),
});
export type AttachmentOwnerQuery = Static<typeof AttachmentOwnerQuery>;

export const AttachmentList = Type.Array(Type.Ref(Attachment));
