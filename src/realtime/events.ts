/**
 * The typed map of every server -> client WebSocket message (API.md "WebSocket"). Services
 * publish these through the hub; only the hub touches sockets.
 */
export type ModuleName = 'todos' | 'events' | 'memos' | 'agent_tasks';
export type ChangeAction = 'created' | 'updated' | 'deleted';

export interface ServerEvents {
  stream_start: { message_id: string; conversation_id: string };
  stream_chunk: { message_id: string; content: string; index: number };
  stream_end: {
    message_id: string;
    conversation_id: string;
    full_content: string;
    intent: string | null;
    usage: { prompt_tokens: number; completion_tokens: number } | null;
  };
  action_card: {
    message_id: string;
    card_type: string;
    payload: unknown;
    actions: Array<{ label: string; action: string; params: Record<string, unknown> }>;
  };
  notification: {
    /** The notification's id (an addition: lets a client mark it read). */
    id?: string;
    title: string;
    body: string;
    kind: 'reminder' | 'overdue' | 'briefing' | 'agent_task';
    conversation_id: string | null;
    action: string | null;
    item_id: string | null;
  };
  module_data_changed: { module: ModuleName; action: ChangeAction; id: string };
  conversation_updated: { conversation_id: string; title: string; conversation: unknown; deleted?: boolean };
  message_created: Record<string, unknown>;
  message_updated: Record<string, unknown>;
  message_deleted: { id: string; conversation_id: string };
  agent_task_updated: Record<string, unknown>;
  error: { message_id: string | null; code: string; message: string };
  typing: { conversation_id: string; is_typing: boolean };
  pong: Record<string, never>;
}

export type ServerEventType = keyof ServerEvents;

export interface ServerFrame<K extends ServerEventType = ServerEventType> {
  type: K;
  data: ServerEvents[K];
}

/** Where services send events: the hub, or a turn's buffer that releases them in order. */
export type EventSink = <K extends ServerEventType>(type: K, data: ServerEvents[K]) => void;
