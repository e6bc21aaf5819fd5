/**
 * WebSocket frames (API.md "WebSocket"), hand-written until the server registers its frame
 * union in the OpenAPI components as `ServerFrame`. Then the one line marked below becomes
 *   export type ServerFrame = components['schemas']['ServerFrame'];
 * and everything else keeps compiling against the same names.
 */
import type { components } from './api-types';

export type ChatMessage = components['schemas']['ChatMessage'];
export type Conversation = components['schemas']['Conversation'];
export type ActionCard = components['schemas']['ActionCard'];
export type CardAction = components['schemas']['CardAction'];

interface ServerEvents {
  stream_start: { message_id: string; conversation_id: string };
  stream_chunk: { message_id: string; content: string; index: number };
  stream_end: {
    message_id: string;
    conversation_id: string;
    full_content: string;
    intent: string | null;
    usage: { prompt_tokens: number; completion_tokens: number } | null;
  };
  action_card: ActionCard;
  notification: {
    id?: string;
    title: string;
    body: string;
    kind: 'reminder' | 'overdue' | 'briefing' | 'agent_task';
    conversation_id: string | null;
    action: string | null;
    item_id: string | null;
  };
  module_data_changed: {
    module: 'todos' | 'events' | 'memos' | 'agent_tasks';
    action: 'created' | 'updated' | 'deleted';
    id: string;
  };
  conversation_updated: {
    conversation_id: string;
    title: string;
    conversation: Conversation;
    deleted?: boolean;
  };
  message_created: ChatMessage;
  message_updated: ChatMessage;
  message_deleted: { id: string; conversation_id: string };
  agent_task_updated: Record<string, unknown>;
  error: { message_id?: string | null; code: string; message: string };
  typing: { conversation_id: string; is_typing: boolean };
  pong: Record<string, never>;
}

type HandWrittenServerFrame = {
  [K in keyof ServerEvents]: { type: K; data: ServerEvents[K] };
}[keyof ServerEvents];

// The one line to switch to the generated union once it lands.
export type ServerFrame = HandWrittenServerFrame;

export type ServerFrameType = ServerFrame['type'];
export type FrameData<K extends ServerFrameType> = Extract<ServerFrame, { type: K }>['data'];

export type ClientFrame =
  | { type: 'action_response'; data: { message_id: string; action: string; params: Record<string, unknown> } }
  | { type: 'typing'; data: { conversation_id: string; is_typing: boolean } }
  | { type: 'ping'; data: Record<string, never> }
  | { type: 'resume'; data: { message_id: string; from_index: number } };
