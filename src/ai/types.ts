/**
 * The contract between the AI layer (provider client, classifier) and its users (chat turns,
 * agent tasks, the briefing). Implementations: provider.ts, classifier.ts.
 */
import type { Classification, UnderstandContext } from './intents.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface StreamResult {
  /** All text received, also when the stream was cut or aborted. */
  content: string;
  usage: Usage | null;
  /** The stream ended early (connection cut or idle timeout) after some text arrived. */
  truncated: boolean;
  /** Stopped through the abort signal. */
  aborted: boolean;
}

/** Thrown when the provider cannot be reached or answers with an error before any text. */
export class AiUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AiUnavailableError';
  }
}

export interface AiProvider {
  /** False with AI_PROVIDER=none: callers go straight to the offline path. */
  readonly enabled: boolean;
  readonly model: string;
  /** Streams a chat completion; `onDelta` gets each text delta in order. */
  streamChat(
    messages: ChatMessage[],
    opts: { signal?: AbortSignal; onDelta: (text: string) => void },
  ): Promise<StreamResult>;
  /** A whole completion as text (titles, agent tasks, the briefing). */
  complete(messages: ChatMessage[], opts?: { signal?: AbortSignal; maxTokens?: number }): Promise<string>;
  /** Cached reachability (never blocks long); null when no provider is configured. */
  health(): Promise<boolean | null>;
}

export interface ClassifyInput extends UnderstandContext {
  text: string;
  /** Recent turns of the conversation, oldest first, so "move it to Friday" resolves. */
  history: ChatMessage[];
}

export interface ClassifyResult extends Classification {
  /**
   * Which understander answered: the LLM, the offline understander as the fallback (provider
   * down or `none`), or the offline fast path for an obvious command with the LLM up.
   */
  source: 'llm' | 'offline' | 'fast';
}

export interface Classifier {
  classify(input: ClassifyInput, signal?: AbortSignal): Promise<ClassifyResult>;
}
