/**
 * The AI provider client: any OpenAI-compatible `/v1/chat/completions` (Ollama, OpenAI, LM
 * Studio, vLLM...) through the official `openai` package, with the failure rules of
 * BEHAVIOUR.md "Orchestration": a connect timeout (to the first response), an idle timeout
 * between chunks, no client retries; failures before any text become `AiUnavailableError`,
 * a stream cut after some text keeps that text (`truncated`), an abort keeps it (`aborted`).
 */
import type OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { Config } from '../config.js';
import { createAiHealthProbe, openAiBaseUrl } from './health.js';
import {
  AiUnavailableError,
  type AiProvider,
  type ChatMessage,
  type StreamResult,
  type Usage,
} from './types.js';

export interface ProviderOptions {
  /** Longest wait for the first response (headers) of a streaming call; default 5 s. */
  connectTimeoutMs?: number;
  /** Longest silence between two chunks of a stream; default AI_TIMEOUT_SECONDS, at most 60 s. */
  idleTimeoutMs?: number;
  /** Whole-call limit of `complete()` (its first byte gets `connectTimeoutMs`); default AI_TIMEOUT_SECONDS. */
  requestTimeoutMs?: number;
  /** How long a health probe result stays fresh; default 10 s. */
  healthFreshMs?: number;
}

/** One raw call, for callers that need tools or JSON mode (the classifier). */
export interface RawRequest {
  messages: ChatMessage[];
  tools?: ChatCompletionFunctionTool[];
  toolChoice?: ChatCompletionToolChoiceOption;
  /** `response_format: {type: 'json_object'}`. */
  jsonObject?: boolean;
  temperature?: number;
  maxTokens?: number;
}

export interface RawCompletion {
  content: string;
  toolCalls: { name: string; arguments: string }[];
  usage: Usage | null;
}

export interface RawRequestOptions {
  signal?: AbortSignal;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Limit for the whole call (default: none beyond the idle timeout). */
  totalTimeoutMs?: number;
}

export interface OpenAiCompatibleProvider extends AiProvider {
  /** The OpenAI-compatible root actually called (`.../v1`). */
  readonly baseUrl: string;
  /**
   * One streamed call assembled whole (text and tool calls). Any failure, also after partial
   * output, is an `AiUnavailableError`; an abort rejects with the signal's reason.
   */
  request(req: RawRequest, opts?: RawRequestOptions): Promise<RawCompletion>;
  /** True while the cached probe (or the last refused call) says the provider is down: skip it at once. */
  isDown(): boolean;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const MAX_IDLE_TIMEOUT_MS = 60_000;
/**
 * The SDK insists on a key; without AI_API_KEY this placeholder satisfies it and the
 * `Authorization` header is then removed (`defaultHeaders: {Authorization: null}`), so no
 * made-up bearer token reaches the server.
 */
const PLACEHOLDER_API_KEY = 'no-key';

type Stop = 'user' | 'idle' | 'total';
type StreamEnd =
  | { end: 'done' }
  | { end: 'aborted' }
  | { end: 'timeout'; why: 'idle' | 'total' }
  | { end: 'cut'; error: unknown };

type Sdk = typeof import('openai');
// The SDK is loaded at the first model call, not at start: it was a tenth of the start-up time,
// and a server without a model (AI_PROVIDER=none) never needs it.
let sdk: Sdk | null = null;
const loadSdk = async (): Promise<Sdk> => (sdk ??= await import('openai'));
/** An error of the SDK's (none can exist before it is loaded). */
const isSdkError = <K extends 'APIError' | 'APIConnectionError' | 'APIConnectionTimeoutError'>(
  err: unknown,
  kind: K,
): err is InstanceType<Sdk[K]> => sdk !== null && err instanceof sdk[kind];

export function createAiProvider(ai: Config['ai'], opts: ProviderOptions = {}): OpenAiCompatibleProvider {
  const baseUrl = openAiBaseUrl(ai.baseUrl);
  if (ai.provider === 'none') return disabledProvider(ai.model, baseUrl);

  const where = displayUrl(baseUrl);
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const idleTimeoutMs = opts.idleTimeoutMs ?? Math.min(ai.timeoutSeconds * 1000, MAX_IDLE_TIMEOUT_MS);
  const requestTimeoutMs = opts.requestTimeoutMs ?? ai.timeoutSeconds * 1000;
  const health = createAiHealthProbe(ai, { freshMs: opts.healthFreshMs });
  let client: OpenAI | null = null;
  const getClient = async () =>
    (client ??= new (await loadSdk()).default({
      baseURL: baseUrl,
      apiKey: ai.apiKey ?? PLACEHOLDER_API_KEY,
      ...(ai.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
      // Never pick up OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment: AI_* is the one source.
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: requestTimeoutMs,
    }));
  // OpenAI's newer models refuse `max_tokens`; Ollama and most local servers only know it.
  const tokenLimit = (n: number | undefined) =>
    n === undefined ? {} : ai.provider === 'openai' ? { max_completion_tokens: n } : { max_tokens: n };

  /** Turns an SDK or network error into a readable `AiUnavailableError` (and tells the probe). */
  function unavailable(err: unknown, connectMs: number): AiUnavailableError {
    if (err instanceof AiUnavailableError) return err;
    if (isSdkError(err, 'APIConnectionTimeoutError')) {
      return new AiUnavailableError(
        `The AI provider at ${where} did not respond within ${seconds(connectMs)}.`,
        {
          cause: err,
        },
      );
    }
    if (isSdkError(err, 'APIConnectionError')) {
      health.report(false);
      const code = errorCode(err);
      const why = code ? ` (${CONNECTION_CODES[code] ?? code})` : '';
      return new AiUnavailableError(`The AI provider at ${where} cannot be reached${why}.`, { cause: err });
    }
    if (isSdkError(err, 'APIError')) {
      const detail = apiErrorDetail(err.error);
      if (typeof err.status !== 'number') {
        // An error event inside the stream.
        return new AiUnavailableError(`The AI provider reported an error: ${detail || err.message}`, {
          cause: err,
        });
      }
      health.report(true);
      return new AiUnavailableError(
        `The AI provider answered with HTTP ${err.status}${detail ? `: ${detail}` : ''}.`,
        { cause: err },
      );
    }
    const message = err instanceof Error ? err.message : String(err);
    return new AiUnavailableError(`The AI provider failed: ${message}`, { cause: err });
  }

  /** A stream that broke off before it was complete. */
  function cutError(err: unknown): AiUnavailableError {
    if (isSdkError(err, 'APIError') || err instanceof AiUnavailableError)
      return unavailable(err, connectTimeoutMs);
    return new AiUnavailableError(
      `The AI provider at ${where} closed the connection before finishing its answer.`,
      {
        cause: err,
      },
    );
  }

  function timeoutError(why: 'idle' | 'total', ms: number): AiUnavailableError {
    return new AiUnavailableError(
      why === 'idle'
        ? `The AI provider at ${where} stopped responding (nothing for ${seconds(ms)}).`
        : `The AI provider at ${where} did not finish within ${seconds(ms)}.`,
    );
  }

  /**
   * Runs one streaming call, feeding each chunk to `onChunk`, and says how it ended. Throws
   * `AiUnavailableError` only when the stream never opened; errors from `onChunk` propagate.
   */
  async function runStream(
    body: ChatCompletionCreateParamsStreaming,
    o: { signal?: AbortSignal; connectMs: number; idleMs: number; totalMs?: number },
    onChunk: (chunk: ChatCompletionChunk) => void,
  ): Promise<StreamEnd> {
    if (o.signal?.aborted) return { end: 'aborted' };
    const controller = new AbortController();
    let stop: Stop | null = null;
    const halt = (why: Stop) => {
      if (stop !== null) return;
      stop = why;
      controller.abort();
    };
    const onAbort = () => halt('user');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => halt('idle'), o.idleMs);
    };
    const totalTimer = o.totalMs === undefined ? undefined : setTimeout(() => halt('total'), o.totalMs);
    // The SDK swallows its own abort errors, so how a stream ended is read from `stop`.
    const stopped = (): StreamEnd | null => {
      const why = stop;
      if (why === null) return null;
      return why === 'user' ? { end: 'aborted' } : { end: 'timeout', why };
    };

    try {
      let stream: AsyncIterable<ChatCompletionChunk>;
      try {
        const sdkClient = await getClient();
        stream = await sdkClient.chat.completions.create(body, {
          signal: controller.signal,
          timeout: o.connectMs,
        });
      } catch (err) {
        const ended = stopped();
        if (ended) return ended;
        throw unavailable(err, o.connectMs);
      }
      health.report(true);
      armIdle();
      let callbackError: { error: unknown } | null = null;
      try {
        for await (const chunk of stream) {
          armIdle();
          try {
            onChunk(chunk);
          } catch (error) {
            callbackError = { error };
            break;
          }
        }
      } catch (error) {
        return stopped() ?? { end: 'cut', error };
      }
      if (callbackError) throw callbackError.error;
      return stopped() ?? { end: 'done' };
    } finally {
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    enabled: true,
    model: ai.model,
    baseUrl,

    async streamChat(messages, { signal, onDelta }): Promise<StreamResult> {
      let content = '';
      let usage: Usage | null = null;
      const ended = await runStream(
        { model: ai.model, messages, stream: true, stream_options: { include_usage: true } },
        { signal, connectMs: connectTimeoutMs, idleMs: idleTimeoutMs },
        (chunk) => {
          if (chunk.usage) usage = readUsage(chunk.usage);
          const delta = chunk.choices[0]?.delta?.content;
          if (typeof delta === 'string' && delta.length > 0) {
            content += delta;
            onDelta(delta);
          }
        },
      );
      switch (ended.end) {
        case 'done':
          return { content, usage, truncated: false, aborted: false };
        case 'aborted':
          return { content, usage, truncated: false, aborted: true };
        case 'timeout':
          if (content) return { content, usage, truncated: true, aborted: false };
          throw timeoutError(ended.why, idleTimeoutMs);
        case 'cut':
          if (content) return { content, usage, truncated: true, aborted: false };
          throw cutError(ended.error);
      }
    },

    async complete(messages, o = {}): Promise<string> {
      if (o.signal?.aborted) throw abortError(o.signal);
      // The first byte gets the connect timeout, as for streaming (the SDK's timeout stops at
      // the response headers); the timer below also covers reading the body.
      const firstByteMs = Math.min(connectTimeoutMs, requestTimeoutMs);
      const controller = new AbortController();
      let stop: 'user' | 'total' | null = null;
      const halt = (why: 'user' | 'total') => {
        stop ??= why;
        controller.abort();
      };
      const onAbort = () => halt('user');
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => halt('total'), requestTimeoutMs);
      try {
        const sdkClient = await getClient();
        const res = await sdkClient.chat.completions.create(
          { model: ai.model, messages, ...tokenLimit(o.maxTokens) },
          { signal: controller.signal, timeout: firstByteMs },
        );
        health.report(true);
        return res.choices[0]?.message?.content ?? '';
      } catch (err) {
        const why = stop as 'user' | 'total' | null;
        if (why === 'user') throw abortError(o.signal);
        if (why === 'total') throw timeoutError('total', requestTimeoutMs);
        throw unavailable(err, firstByteMs);
      } finally {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
      }
    },

    async request(req, o = {}): Promise<RawCompletion> {
      let content = '';
      let usage: Usage | null = null;
      const calls: { name: string; arguments: string }[] = [];
      const idleMs = o.idleTimeoutMs ?? idleTimeoutMs;
      const connectMs = o.connectTimeoutMs ?? connectTimeoutMs;
      const ended = await runStream(
        {
          model: ai.model,
          messages: req.messages,
          stream: true,
          stream_options: { include_usage: true },
          ...(req.tools ? { tools: req.tools } : {}),
          ...(req.toolChoice ? { tool_choice: req.toolChoice } : {}),
          ...(req.jsonObject ? { response_format: { type: 'json_object' as const } } : {}),
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          ...tokenLimit(req.maxTokens),
        },
        { signal: o.signal, connectMs, idleMs, totalMs: o.totalTimeoutMs },
        (chunk) => {
          if (chunk.usage) usage = readUsage(chunk.usage);
          const delta = chunk.choices[0]?.delta;
          if (typeof delta?.content === 'string') content += delta.content;
          for (const part of delta?.tool_calls ?? []) {
            const call = (calls[part.index] ??= { name: '', arguments: '' });
            if (part.function?.name) call.name += part.function.name;
            if (part.function?.arguments) call.arguments += part.function.arguments;
          }
        },
      );
      switch (ended.end) {
        case 'done':
          return { content, toolCalls: calls.filter(Boolean), usage };
        case 'aborted':
          throw abortError(o.signal);
        case 'timeout':
          throw timeoutError(ended.why, ended.why === 'idle' ? idleMs : (o.totalTimeoutMs ?? idleMs));
        case 'cut':
          throw cutError(ended.error);
      }
    },

    health: () => health(),
    isDown: () => health.current() === false,
  };
}

function disabledProvider(model: string, baseUrl: string): OpenAiCompatibleProvider {
  const off = () => new AiUnavailableError('No AI provider is configured (AI_PROVIDER=none).');
  return {
    enabled: false,
    model,
    baseUrl,
    streamChat: () => Promise.reject(off()),
    complete: () => Promise.reject(off()),
    request: () => Promise.reject(off()),
    health: async () => null,
    isDown: () => true,
  };
}

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
};

/** The first `code` along the `cause` chain (fetch nests the socket error). */
function errorCode(err: unknown): string | null {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** `body`: the APIError's `error` (the provider's JSON error body, or its text). */
function apiErrorDetail(body: unknown): string {
  const text =
    typeof body === 'string'
      ? body
      : body !== null && typeof body === 'object' && 'message' in body && typeof body.message === 'string'
        ? body.message
        : '';
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function readUsage(u: { prompt_tokens?: number; completion_tokens?: number }): Usage {
  return { prompt_tokens: u.prompt_tokens ?? 0, completion_tokens: u.completion_tokens ?? 0 };
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted.', 'AbortError');
}

/** The base URL for messages: never credentials embedded in it. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** The HTTP status behind an `AiUnavailableError` (null: no answer at all, or a stream error). */
export function httpStatusOf(err: unknown): number | null {
  const cause = err instanceof AiUnavailableError ? err.cause : err;
  return isSdkError(cause, 'APIError') && typeof cause.status === 'number' ? cause.status : null;
}
