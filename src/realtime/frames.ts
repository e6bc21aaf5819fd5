/**
 * Every server -> client WebSocket frame (API.md "WebSocket"), defined once as TypeBox schemas.
 * The same map gives the TypeScript types (`ServerFrame` is a union discriminated by `type`, so
 * checking `frame.type` narrows `frame.data`) and the documentation: `ServerFrameSchema` is
 * published in the OpenAPI document as `components.schemas.ServerFrame`, from which clients
 * generate their frame types. Module shapes are referenced by their schema `$id`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { AgentTask } from '../modules/agent-tasks/agent-tasks.schemas.js';
import type { CardAction, CardType } from '../modules/chat/cards.js';
import type { Conversation, Message } from '../modules/chat/chat.schemas.js';
import { Nullable, StringEnum } from '../modules/common/schemas.js';
import { NOTIFICATION_KINDS } from '../modules/notifications/notifications.schemas.js';

export const MODULE_NAMES = ['todos', 'events', 'memos', 'agent_tasks'] as const;
export type ModuleName = (typeof MODULE_NAMES)[number];
export const CHANGE_ACTIONS = ['created', 'updated', 'deleted'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/** A shape another module publishes under `$id` (it registers the schema itself). */
const ref = <T>($ref: string, description: string) => Type.Unsafe<T>({ $ref, description });

const Usage = Nullable(Type.Object({ prompt_tokens: Type.Integer(), completion_tokens: Type.Integer() }));

/** What the apps' task_completed and task_failed frames both say: which task ended, and where. */
const FinishedTask = {
  task_id: Type.String(),
  task_type: Type.String(),
  conversation_id: Nullable(Type.String()),
  parent_task_id: Nullable(Type.String()),
};

/** `action_card` data: the ActionCard without `resolved` (a live card). */
export interface ActionCardData {
  message_id: string;
  card_type: CardType;
  payload: unknown;
  actions: CardAction[];
}

/** The data of each frame type; the key is the frame's `type`. */
export const FRAME_DATA = {
  stream_start: Type.Object(
    { message_id: Type.String({ description: 'The assistant reply' }), conversation_id: Type.String() },
    { description: 'A reply starts streaming' },
  ),
  stream_chunk: Type.Object(
    {
      message_id: Type.String(),
      content: Type.String({ description: 'A text delta' }),
      index: Type.Integer({
        minimum: 0,
        description: '0, 1, 2... per message; clients drop duplicates by index',
      }),
    },
    { description: 'The next piece of a streaming reply' },
  ),
  stream_end: Type.Object(
    {
      message_id: Type.String(),
      conversation_id: Type.String(),
      full_content: Type.String(),
      intent: Nullable(Type.String()),
      usage: Usage,
      metadata: Nullable(
        Type.Record(Type.String(), Type.Unknown(), {
          description: "The stored reply's metadata: its card and the apps' flat action fields (COMPAT.md)",
        }),
      ),
    },
    { description: 'The reply is complete and stored' },
  ),
  action_card: ref<ActionCardData>(
    'ActionCard',
    'The card of a reply that did something (card_type decides the payload)',
  ),
  notification: Type.Object(
    {
      id: Type.Optional(Type.String({ description: "The notification's id (lets a client mark it read)" })),
      title: Type.String(),
      body: Type.String(),
      kind: StringEnum(NOTIFICATION_KINDS),
      conversation_id: Nullable(Type.String()),
      action: Nullable(Type.String({ description: 'e.g. open_conversation' })),
      item_id: Nullable(Type.String()),
    },
    { description: 'A reminder, an overdue todo, the briefing or a finished agent task' },
  ),
  module_data_changed: Type.Object(
    { module: StringEnum(MODULE_NAMES), action: StringEnum(CHANGE_ACTIONS), id: Type.String() },
    { description: 'A todo, event, memo or agent task was written: refetch it' },
  ),
  conversation_updated: Type.Object(
    {
      conversation_id: Type.String(),
      title: Type.String(),
      conversation: ref<Conversation>('Conversation', 'The whole conversation'),
      deleted: Type.Optional(Type.Boolean({ description: 'Sent once, when it was deleted' })),
    },
    { description: 'A conversation was created, renamed, archived or deleted' },
  ),
  message_created: ref<Message>('ChatMessage', 'A message stored on some device or by the server'),
  message_updated: ref<Message>('ChatMessage', 'A message was edited (or its card resolved)'),
  message_deleted: Type.Object(
    { id: Type.String(), conversation_id: Type.String() },
    { description: 'A message was deleted' },
  ),
  agent_task_updated: ref<AgentTask>('AgentTask', 'An agent task changed state'),
  error: Type.Object(
    {
      message_id: Nullable(Type.String()),
      code: Type.String({ description: 'As in the error table' }),
      message: Type.String(),
    },
    { description: 'Something went wrong (a failed turn, a bad frame)' },
  ),
  typing: Type.Object(
    { conversation_id: Type.String(), is_typing: Type.Boolean() },
    { description: "Relayed from the owner's other sockets" },
  ),
  pong: Type.Object({}, { additionalProperties: false, description: 'The answer to ping' }),

  // The frames the ClawChat apps listen for, sent beside ours (COMPAT.md "WebSocket frames").
  reminder: Type.Object(
    {
      reminder_type: StringEnum(['event', 'todo', 'todo_overdue'] as const),
      item_id: Nullable(Type.String()),
      title: Type.String(),
      message: Type.String(),
      minutes_until: Type.Integer({ minimum: 0, description: '0 when due or overdue' }),
      occurrence_date: Nullable(Type.String({ description: "YYYY-MM-DD of a recurring event's occurrence" })),
    },
    { description: 'With every reminder, due and overdue notification (for the apps)' },
  ),
  daily_briefing: Type.Object(
    { content: Type.String({ description: 'Markdown' }), generated_at: Type.String() },
    { description: 'With the daily briefing notification (for the apps)' },
  ),
  task_progress: Type.Object(
    {
      task_id: Type.String(),
      progress: Type.Integer({ minimum: 0, maximum: 100 }),
      message: Type.String(),
      status: Type.String(),
      parent_task_id: Nullable(Type.String()),
    },
    { description: 'An agent task changed status (for the apps)' },
  ),
  task_completed: Type.Object(
    { ...FinishedTask, result: Nullable(Type.String()) },
    { description: 'An agent task completed (for the apps)' },
  ),
  task_failed: Type.Object(
    { ...FinishedTask, error: Nullable(Type.String()) },
    { description: 'An agent task failed or was cancelled (for the apps)' },
  ),
  stream_error: Type.Object(
    { message_id: Type.String(), conversation_id: Type.String(), error: Type.String() },
    { description: 'A turn ended with an `error` frame (for the apps)' },
  ),
} satisfies Record<string, TSchema>;

export type ServerEventType = keyof typeof FRAME_DATA;
export const SERVER_EVENT_TYPES = Object.keys(FRAME_DATA) as ServerEventType[];

/** The data of each frame type. */
export type ServerEvents = { [K in ServerEventType]: Static<(typeof FRAME_DATA)[K]> };

/** A server -> client frame; `ServerFrame<'error'>` is one member. */
export type ServerFrame<K extends ServerEventType = ServerEventType> = {
  [P in K]: { type: P; data: ServerEvents[P] };
}[K];

/** Where services send events: the hub, or a turn's buffer that releases them in order. */
export type EventSink = <K extends ServerEventType>(type: K, data: ServerEvents[K]) => void;

/** The frame of a (type, data) pair. */
export function frameOf<K extends ServerEventType>(type: K, data: ServerEvents[K]): ServerFrame {
  // TypeScript cannot tie a generic K to its member of the union; the signature does.
  return { type, data } as ServerFrame;
}

/** Every frame, for the OpenAPI document (`components.schemas.ServerFrame`). */
export const ServerFrameSchema = Type.Union(
  SERVER_EVENT_TYPES.map((type) =>
    Type.Object({ type: Type.Literal(type), data: FRAME_DATA[type] }, { title: type }),
  ),
  {
    $id: 'ServerFrame',
    description: 'A server -> client WebSocket frame: `type` decides `data` (API.md "WebSocket")',
  },
);

/** The reply a frame belongs to (stream frames, cards, errors), or null. */
export function replyIdOf(frame: ServerFrame): string | null {
  const data = frame.data;
  return 'message_id' in data && typeof data.message_id === 'string' ? data.message_id : null;
}
