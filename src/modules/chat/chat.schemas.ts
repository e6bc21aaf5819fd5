import { Type, type Static } from '@sinclair/typebox';
import { validationError } from '../../lib/errors.js';
import { IdInput, MAX_PAGE, Nullable, Page, PageQuery, StringEnum, Timestamp } from '../common/schemas.js';

export const MESSAGE_ROLES = ['user', 'assistant', 'system'] as const;
export const MESSAGE_TYPES = ['text', 'action_card', 'system'] as const;
export const MESSAGE_STATUSES = ['streaming', 'complete', 'stopped', 'failed'] as const;

export type MessageRole = (typeof MESSAGE_ROLES)[number];
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const Conversation = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
    is_archived: Type.Boolean(),
    last_message_preview: Nullable(Type.String({ description: "The newest message's first 100 characters" })),
    last_message: Nullable(Type.String({ description: 'Alias of last_message_preview' })),
  },
  { $id: 'Conversation' },
);
export type Conversation = Static<typeof Conversation>;

export const Message = Type.Object(
  {
    id: Type.String(),
    conversation_id: Type.String(),
    role: StringEnum(MESSAGE_ROLES),
    content: Type.String(),
    message_type: StringEnum(MESSAGE_TYPES),
    status: StringEnum(MESSAGE_STATUSES),
    intent: Nullable(Type.String()),
    // Open on purpose: the serializer must keep every key. `card` has the ActionCard shape.
    metadata: Nullable(
      Type.Object(
        {},
        { additionalProperties: true, description: '`card` (an ActionCard), `truncated`, `pending`, ...' },
      ),
    ),
    created_at: Timestamp,
  },
  { $id: 'ChatMessage' },
);
export type Message = Omit<Static<typeof Message>, 'metadata'> & { metadata: Record<string, unknown> | null };

export const ConversationWithMessages = Type.Object({
  ...Conversation.properties,
  messages: Type.Array(Type.Ref(Message), { description: 'The newest 50, oldest first' }),
});

export const ConversationPage = Page(Type.Ref(Conversation));
export const MessagePage = Page(Type.Ref(Message));

export const ConversationListQuery = Type.Object({
  ...PageQuery(20, 100),
  archived: Type.Optional(Type.Boolean({ default: false })),
});
export type ConversationListQuery = Static<typeof ConversationListQuery>;

export const ConversationCreate = Type.Object({
  title: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
});
export type ConversationCreate = Static<typeof ConversationCreate>;

export const ConversationPatch = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 200 })),
  is_archived: Type.Optional(Type.Boolean()),
});
export type ConversationPatch = Static<typeof ConversationPatch>;

export const ConversationDeleteQuery = Type.Object({
  permanent: Type.Optional(Type.Boolean({ default: false })),
});

/** `page` has no default here: a cursor (`before` / `after`) cannot be combined with it. */
export const MessageListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  before: Type.Optional(IdInput({ description: 'Messages older than this message id' })),
  after: Type.Optional(IdInput({ description: 'Messages newer than this message id' })),
});
export type MessageListQuery = Static<typeof MessageListQuery>;

export const MessageEdit = Type.Object({ content: Type.String({ minLength: 1, maxLength: 32_000 }) });

export const ConversationParams = Type.Object({ id: IdInput() });
export const MessageParams = Type.Object({
  id: IdInput(),
  message_id: IdInput(),
});
export const MessageIdParams = Type.Object({ message_id: IdInput() });

export const SendBody = Type.Object({
  conversation_id: Type.Optional(Nullable(IdInput())),
  content: Type.String({ minLength: 1, maxLength: 32_000 }),
  client_message_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  idempotency_key: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Another name for client_message_id (the apps send it)',
      }),
    ),
  ),
});
export type SendBody = Static<typeof SendBody>;

/**
 * `idempotency_key` is the apps' name for `client_message_id` (COMPAT.md): one key either way,
 * and both given must agree. The result names it only as `client_message_id`, so the same send
 * under either name is the same body.
 */
export function readSendBody(body: SendBody): Omit<SendBody, 'idempotency_key'> {
  const { idempotency_key: alias, ...rest } = body;
  if (alias === undefined || alias === null) return rest;
  if (rest.client_message_id != null && rest.client_message_id !== alias)
    throw validationError(
      'idempotency_key',
      'idempotency_key and client_message_id differ; send one of them',
    );
  return { ...rest, client_message_id: alias };
}

export const SendAccepted = Type.Object({
  message_id: Type.String({ description: 'The assistant reply that will stream' }),
  user_message_id: Type.String(),
  conversation_id: Type.String(),
  status: Type.Literal('processing'),
});
export type SendAccepted = Static<typeof SendAccepted>;

export const RegenerateBody = Type.Object({
  message_id: Type.Optional(IdInput({ description: 'The assistant message to redo; default the last' })),
});

export const StopAccepted = Type.Object({ message_id: Type.String(), status: Type.String() });
