/**
 * The seam between chat and the AI layer: what a turn's work sees (`TurnIO`), what it answers
 * (`TurnOutcome`), and the `TurnHandler` the chat service is given (the orchestrator,
 * src/ai/orchestrator/). The chat module runs turns; it never imports the AI layer's insides.
 */
import { AiUnavailableError, type Usage } from '../../ai/types.js';
import { AppError, type ErrorCode } from '../../lib/errors.js';
import type { EventSink } from '../../realtime/events.js';
import type { ActionParams, Card, CardActionName, StoredCard } from './cards.js';
import type { Message, MessageStatus, MessageType } from './chat.schemas.js';

/** What a turn's work sees: where its text streams and where services' events are held. */
export interface TurnIO {
  conversationId: string;
  assistantMessageId: string;
  /** Null for action turns, and once the user message has been deleted (items then link to no message). */
  readonly userMessageId: string | null;
  /** Aborted by `stop` (and at shutdown). */
  signal: AbortSignal;
  /** Streams a text delta as the next `stream_chunk`. */
  emit(delta: string): void;
  /** Pass as `WriteContext.publish`: events are held and released after the reply's card. */
  publish: EventSink;
}

/** What a turn produced; the runner stores it and sends the closing frames. */
export interface TurnOutcome {
  content: string;
  intent: string | null;
  card?: Card | null;
  /** Default: `action_card` with a card, else `text`; a failure is always `system`. */
  messageType?: MessageType;
  /** Default `complete`; an error makes it `failed`. */
  status?: MessageStatus;
  usage?: Usage | null;
  /** Extra metadata to store (`truncated`, `pending`, ...); the card is added by the runner. */
  metadata?: Record<string, unknown>;
  /** A failed turn: the content is the explanation, and an `error` frame follows stream_end. */
  error?: { code: ErrorCode; message: string } | null;
  /** The LLM answered during this turn (an LLM-written title is worth trying). */
  llmAvailable?: boolean;
}

/** What answers a turn: the orchestrator. */
export interface TurnHandler {
  handleMessage(io: TurnIO, input: { text: string }): Promise<TurnOutcome>;
  /** The text again, over the history up to the user message (`io.userMessageId`). */
  regenerate(io: TurnIO): Promise<TurnOutcome>;
  handleAction(
    io: TurnIO,
    input: { source: Message; card: StoredCard; action: CardActionName; params: ActionParams },
  ): Promise<TurnOutcome>;
}

/** The stored explanation and the error frame for something that went wrong inside a turn. */
export function failureOutcome(err: unknown, intent: string | null = null): TurnOutcome {
  if (err instanceof AiUnavailableError)
    return {
      content:
        "I can't reach the AI provider right now, so I can't answer that. I can still manage your todos, events and memos.",
      intent,
      error: { code: 'AI_UNAVAILABLE', message: err.message || 'The AI provider is unreachable' },
    };
  if (err instanceof AppError && err.status < 500)
    return {
      content: `I couldn't do that: ${err.message}.`,
      intent,
      error: { code: err.code, message: err.message },
    };
  return {
    content: 'Something went wrong while answering. Please try again.',
    intent,
    error: { code: 'INTERNAL_ERROR', message: 'The reply could not be completed' },
  };
}
