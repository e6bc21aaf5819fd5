/**
 * A finished reply told again from storage: its closing frames, as live sockets saw them. A
 * WebSocket `resume` and a repeated `POST /api/chat/stream` use it once the reply is no longer
 * in the resume buffers.
 */
import type { ServerFrame } from '../../realtime/events.js';
import { cardOf } from './chat.mappers.js';
import type { Message } from './chat.schemas.js';

export function finishedReplyFrames(stored: Message): ServerFrame[] {
  const frames: ServerFrame[] = [
    {
      type: 'stream_end',
      data: {
        message_id: stored.id,
        conversation_id: stored.conversation_id,
        full_content: stored.content,
        intent: stored.intent,
        usage: null,
        metadata: stored.metadata,
      },
    },
  ];
  const card = cardOf(stored);
  if (card) {
    const { card_type, payload, actions } = card;
    frames.push({ type: 'action_card', data: { message_id: stored.id, card_type, payload, actions } });
  }
  return frames;
}
