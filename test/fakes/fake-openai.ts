/**
 * A fake OpenAI-compatible server for tests: a real `node:http` server on 127.0.0.1 speaking
 * `POST /v1/chat/completions` (JSON or SSE streaming, text or a `classify_intent` tool call)
 * and `GET /v1/models`. Point `AI_BASE_URL` at `fake.url` (it has no `/v1`; add one if you like).
 *
 * What it answers, first match wins:
 *   1. `fake.script(handler)`: your function of the request; return a reply, or undefined to pass.
 *   2. `fake.queue(...replies)`: one-shot replies for the next chat requests, in order.
 *   3. Requests with `tools` (or `response_format` json) -> `fake.onClassify(...)`;
 *      default `{intent: 'general_chat'}`, as a tool call (or as JSON text for `response_format`).
 *   4. Other chat requests -> `fake.onChat(...)`; default "Hello from the fake model." in
 *      3 chunks, with a usage chunk when `stream_options.include_usage` is set.
 *
 * ```ts
 * const fake = await startFakeOpenAI();
 * fake.onClassify({ intent: 'create_todo', title: 'Buy milk', due_date: '2026-03-03' });
 * fake.onChat({ chunks: ['Hi', ' there'], delayMs: 20 });
 * fake.queue(reply.error(500));                       // the next request fails, then defaults
 * fake.onChat({ chunks: ['a', 'b', 'c'], cutAfter: 1 }); // socket destroyed after "a"
 * fake.onChat(reply.stall());                         // headers, then silence until the client leaves
 * expect(fake.aborted).toBe(1);                       // ...and the client gave up on it
 * expect(fake.requests[0]?.tool_choice).toEqual({ type: 'function', function: { name: 'classify_intent' } });
 * await fake.close();
 * const down = await closedPortUrl();                 // "connection refused"
 * ```
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ClassifyArgs = Record<string, unknown>;
export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** What the fake sends back. Streaming or not follows the request's `stream` flag. */
export type FakeReply =
  | {
      kind: 'tool_call';
      /** The tool's arguments: an object (sent as JSON) or a raw string (e.g. broken JSON). */
      arguments: ClassifyArgs | string;
      name?: string;
      /** How many SSE chunks the arguments are split across (default 3). */
      chunks?: number;
      delayMs?: number;
    }
  | {
      kind: 'text';
      chunks: string[];
      /** Pause before each chunk (default 0). */
      delayMs?: number;
      /** Send this many chunks, then destroy the socket (a stream cut midway). */
      cutAfter?: number;
      /** Send this many chunks, then nothing more (a stall) until the client leaves. */
      stallAfter?: number;
      /** Explicit usage; default is derived from the text lengths; null sends none. */
      usage?: FakeUsage | null;
    }
  | { kind: 'error'; status: number; message?: string }
  /** Headers (for a streaming request) and then silence until the client gives up. */
  | { kind: 'stall' }
  /** Accepts the request and never answers, not even headers. */
  | { kind: 'no_response' };

const REPLY_KINDS = ['tool_call', 'text', 'error', 'stall', 'no_response'];

/** Builders for replies. */
export const reply = {
  toolCall: (
    args: ClassifyArgs | string,
    opts: { name?: string; chunks?: number; delayMs?: number } = {},
  ): FakeReply => ({
    kind: 'tool_call',
    arguments: args,
    ...opts,
  }),
  /** Text as given chunks, or one string split into `opts.parts` chunks (default 3). */
  text: (
    text: string | string[],
    opts: {
      parts?: number;
      delayMs?: number;
      cutAfter?: number;
      stallAfter?: number;
      usage?: FakeUsage | null;
    } = {},
  ): FakeReply => {
    const { parts, ...rest } = opts;
    return { kind: 'text', chunks: typeof text === 'string' ? splitText(text, parts ?? 3) : text, ...rest };
  },
  error: (status: number, message?: string): FakeReply => ({
    kind: 'error',
    status,
    ...(message ? { message } : {}),
  }),
  stall: (): FakeReply => ({ kind: 'stall' }),
  noResponse: (): FakeReply => ({ kind: 'no_response' }),
};

export interface ChatOptions {
  text?: string;
  chunks?: string[];
  delayMs?: number;
  cutAfter?: number;
  stallAfter?: number;
  usage?: FakeUsage | null;
  /** Answer with this HTTP error status instead. */
  status?: number;
}

/** A chat completions request body as the client sent it (loosely typed for assertions). */
export type RequestBody = Record<string, any>;

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or null (GET, or a body that is not JSON). */
  body: RequestBody | null;
}

export type ScriptHandler = (req: RecordedRequest) => FakeReply | undefined;

export interface FakeOpenAI {
  /** `http://127.0.0.1:<port>`, without `/v1`. */
  readonly url: string;
  /** The body of every chat completions request, in arrival order. */
  readonly requests: RequestBody[];
  /** Every request (chat and `/v1/models`), with method, path and headers. */
  readonly log: RecordedRequest[];
  /** Chat requests the client gave up on (closed) before the answer was complete. */
  readonly aborted: number;
  /** Arguments (or a reply, or a function of the body) for classification requests. */
  onClassify(args: ClassifyArgs | FakeReply | ((body: RequestBody) => ClassifyArgs | FakeReply)): void;
  /** Text chunks, a string, options, a reply, or a function of the body, for plain chat requests. */
  onChat(script: string | string[] | ChatOptions | FakeReply | ((body: RequestBody) => FakeReply)): void;
  /** One-shot replies for the next chat requests (any kind), consumed in order. */
  queue(...replies: FakeReply[]): void;
  /** Full control: called first for every request; return undefined to fall through. */
  script(handler: ScriptHandler | null): void;
  /** Clears scripts, the queue and the recorded requests. */
  reset(): void;
  /** Stops the server and drops every open connection (stalled streams included). */
  close(): Promise<void>;
}

const DEFAULT_CHAT = 'Hello from the fake model.';

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: RequestBody[] = [];
  const log: RecordedRequest[] = [];
  let handler: ScriptHandler | null = null;
  let queued: FakeReply[] = [];
  let classify: (body: RequestBody) => ClassifyArgs | FakeReply = () => ({ intent: 'general_chat' });
  let chat: (body: RequestBody) => FakeReply = () => reply.text(DEFAULT_CHAT);
  let counter = 0;
  let aborted = 0;

  function choose(req: RecordedRequest): FakeReply {
    const scripted = handler?.(req);
    if (scripted) return scripted;
    const body = req.body ?? {};
    const next = queued.shift();
    if (next) return next;
    const jsonMode = ['json_object', 'json_schema'].includes(String(body.response_format?.type));
    if (Array.isArray(body.tools) && body.tools.length > 0) {
      const out = classify(body);
      return isReply(out) ? out : reply.toolCall(out);
    }
    if (jsonMode) {
      const out = classify(body);
      if (!isReply(out)) return reply.text(JSON.stringify(out), { parts: 1 });
      return out.kind === 'tool_call' ? reply.text(jsonText(out.arguments), { parts: 1 }) : out;
    }
    return chat(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: RequestBody | null = null;
      try {
        body = raw ? (JSON.parse(raw) as RequestBody) : null;
      } catch {
        body = null;
      }
      const path = (req.url ?? '/').split('?')[0]!;
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body };
      log.push(recorded);

      if (req.method === 'GET' && path === '/v1/models') {
        const scripted = handler?.(recorded);
        if (scripted?.kind === 'error') return sendError(res, scripted.status, scripted.message);
        return sendJson(res, 200, {
          object: 'list',
          data: [{ id: 'fake-model', object: 'model', created: 1_700_000_000, owned_by: 'fake' }],
        });
      }
      if (req.method !== 'POST' || path !== '/v1/chat/completions') {
        return sendError(res, 404, `No route for ${req.method} ${path}`);
      }
      if (!body) return sendError(res, 400, 'The body must be JSON');
      requests.push(body);
      counter += 1;
      res.on('close', () => {
        if (!res.writableFinished && !cutResponses.has(res)) aborted += 1;
      });
      void respond(res, body, choose(recorded), `chatcmpl-fake-${counter}`);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    log,
    get aborted() {
      return aborted;
    },
    onClassify(args) {
      classify = typeof args === 'function' ? args : () => args;
    },
    onChat(script) {
      if (typeof script === 'function') chat = script;
      else {
        const fixed = chatReply(script);
        chat = () => fixed;
      }
    },
    queue(...replies) {
      queued.push(...replies);
    },
    script(h) {
      handler = h;
    },
    reset() {
      handler = null;
      queued = [];
      classify = () => ({ intent: 'general_chat' });
      chat = () => reply.text(DEFAULT_CHAT);
      requests.length = 0;
      log.length = 0;
      aborted = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** A URL where nothing listens: connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function isReply(value: unknown): value is FakeReply {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    REPLY_KINDS.includes((value as { kind: string }).kind)
  );
}

function chatReply(script: string | string[] | ChatOptions | FakeReply): FakeReply {
  if (typeof script === 'string') return reply.text(script);
  if (Array.isArray(script)) return reply.text(script);
  if (isReply(script)) return script;
  if (script.status !== undefined) return reply.error(script.status);
  const { text, chunks, status: _status, ...rest } = script;
  return reply.text(chunks ?? text ?? DEFAULT_CHAT, rest);
}

function splitText(text: string, parts: number): string[] {
  const words = text.split(/(?=\s)/);
  const n = Math.max(1, Math.min(parts, words.length));
  const size = Math.ceil(words.length / n);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out;
}

function splitEven(text: string, parts: number): string[] {
  const n = Math.max(1, Math.min(parts, text.length));
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

function jsonText(args: ClassifyArgs | string): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function promptText(body: RequestBody): string {
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  return messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
}

function sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, message?: string): void {
  sendJson(res, status, {
    error: { message: message ?? `Fake error ${status}`, type: 'server_error', param: null, code: null },
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Responses the fake cut off itself (`cutAfter`): not counted as given up by the client. */
const cutResponses = new WeakSet<http.ServerResponse>();

function cutOff(res: http.ServerResponse): void {
  cutResponses.add(res);
  res.destroy();
}

async function respond(
  res: http.ServerResponse,
  body: RequestBody,
  out: FakeReply,
  id: string,
): Promise<void> {
  const model = typeof body.model === 'string' ? body.model : 'fake-model';
  const created = Math.floor(Date.now() / 1000);
  const stream = body.stream === true;
  const includeUsage = body.stream_options?.include_usage === true;
  let closed = false;
  res.on('close', () => (closed = true));

  switch (out.kind) {
    case 'error':
      return sendError(res, out.status, out.message);
    case 'no_response':
      return; // the socket stays open until the client leaves or close()
    case 'stall':
      if (stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.flushHeaders();
      }
      return;
    case 'text':
    case 'tool_call':
      break;
  }

  const content = out.kind === 'text' ? out.chunks.join('') : '';
  const args = out.kind === 'tool_call' ? jsonText(out.arguments) : '';
  const usage =
    out.kind === 'text' && out.usage !== undefined
      ? out.usage
      : {
          prompt_tokens: estimateTokens(promptText(body)),
          completion_tokens: estimateTokens(content + args),
        };
  const usageBody = usage && { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  const toolCall = {
    id: `call_${id}`,
    type: 'function',
    function: { name: out.kind === 'tool_call' ? (out.name ?? 'classify_intent') : '', arguments: args },
  };

  if (!stream) {
    if (out.kind === 'text' && out.stallAfter !== undefined) return;
    if (out.kind === 'text' && out.cutAfter !== undefined) {
      cutOff(res);
      return;
    }
    const message =
      out.kind === 'tool_call'
        ? { role: 'assistant', content: null, tool_calls: [toolCall] }
        : { role: 'assistant', content };
    return sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message,
          logprobs: null,
          finish_reason: out.kind === 'tool_call' ? 'tool_calls' : 'stop',
        },
      ],
      ...(usageBody ? { usage: usageBody } : {}),
    });
  }

  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  // Each write is awaited, so a cut (`res.destroy()`) happens after the chunks before it left.
  const send = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      const line = `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`;
      res.write(line, () => resolve());
    });
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    send([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
  const delayMs = out.delayMs ?? 0;

  if (out.kind === 'text') {
    for (const [i, chunk] of out.chunks.entries()) {
      if (out.cutAfter !== undefined && i >= out.cutAfter) {
        cutOff(res);
        return;
      }
      if (out.stallAfter !== undefined && i >= out.stallAfter) return;
      if (delayMs > 0) await sleep(delayMs);
      if (closed) return;
      await delta(i === 0 ? { role: 'assistant', content: chunk } : { content: chunk });
    }
    if (out.cutAfter !== undefined && out.cutAfter >= out.chunks.length) {
      cutOff(res);
      return;
    }
    await delta({}, 'stop');
  } else {
    // The OpenAI shape: the first delta names the call, later ones carry argument pieces.
    await delta({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, ...toolCall, function: { ...toolCall.function, arguments: '' } }],
    });
    for (const piece of splitEven(args, out.chunks ?? 3)) {
      if (delayMs > 0) await sleep(delayMs);
      if (closed) return;
      await delta({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
    }
    await delta({}, 'tool_calls');
  }
  if (includeUsage && usageBody) await send([], { usage: usageBody });
  if (!closed) res.end('data: [DONE]\n\n');
}
