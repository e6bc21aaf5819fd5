/**
 * WebSocket frames (API.md "WebSocket", COMPAT.md): the server -> client union is generated from
 * the OpenAPI document's `ServerFrame`, so a changed frame breaks this build, not a user's screen.
 */
import type { components } from './api-types';

export type ChatMessage = components['schemas']['ChatMessage'];
export type Conversation = components['schemas']['Conversation'];
export type ActionCard = components['schemas']['ActionCard'];
export type CardAction = components['schemas']['CardAction'];

// Generated from the server's `components.schemas.ServerFrame` (src/realtime/frames.ts).
export type ServerFrame = components['schemas']['ServerFrame'];

export type ServerFrameType = ServerFrame['type'];
export type FrameData<K extends ServerFrameType> = Extract<ServerFrame, { type: K }>['data'];

export type ClientFrame =
  | { type: 'action_response'; data: { message_id: string; action: string; params: Record<string, unknown> } }
  | { type: 'typing'; data: { conversation_id: string; is_typing: boolean } }
  | { type: 'ping'; data: Record<string, never> }
  | { type: 'resume'; data: { message_id: string; from_index: number } };
