/**
 * The fake LLM for the chat benchmark: an OpenAI-compatible server in its own process that
 * streams every reply at a set rate and records, per turn, the moment it wrote each chunk
 * (CLOCK_MONOTONIC, the same clock the clients read in the driver process).
 *
 * - classification requests (with `tools` or JSON mode) get `general_chat` at once;
 * - chat requests stream `chunks` deltas, one every `intervalMs` (the first after one interval:
 *   the model's time to first token); the turn is named by `[b:<key>]` in the last user message;
 * - `GET /bench/timings` hands over (and forgets) what was recorded.
 *
 * Run as a child: `node --import tsx bench/provider.ts <intervalMs> <chunks>`; prints `listening <port>`.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { nowMs } from './lib.js';

const WORDS = [
  'Sure',
  ',',
  ' here',
  ' is',
  ' what',
  ' I',
  ' found',
  ' about',
  ' your',
  ' 일정',
  ' for',
  ' next',
  ' week',
  ':',
  ' the',
  ' meeting',
  ' moved',
  ' to',
  ' 회의실',
  ' B',
  '.',
];

/** The text of chunk `i` of every reply (the driver checks what arrives against it). */
export function chunkText(i: number): string {
  return WORDS[i % WORDS.length]!;
}

export interface ProviderHandle {
  url: string;
  pid: number;
  /** Chunk write times per turn key since the last call. */
  timings(): Promise<Record<string, number[]>>;
  stop(): Promise<void>;
}

export async function startProvider(intervalMs: number, chunks: number): Promise<ProviderHandle> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, String(intervalMs), String(chunks)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the fake provider exited (${code})`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid: child.pid!,
    async timings() {
      const res = await fetch(`${url}/bench/timings`);
      return (await res.json()) as Record<string, number[]>;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface ChatBody {
  stream?: boolean;
  tools?: unknown[];
  response_format?: { type?: string };
  messages?: { role?: string; content?: unknown }[];
  stream_options?: { include_usage?: boolean };
}

function serve(intervalMs: number, chunks: number): void {
  let timings: Record<string, number[]> = {};
  let anonymous = 0;
  let counter = 0;

  const sse = (res: http.ServerResponse, payload: unknown) =>
    res.write(`data: ${JSON.stringify(payload)}\n\n`);
  const head = (res: http.ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.flushHeaders();
  };

  function classify(res: http.ServerResponse, body: ChatBody, id: string): void {
    const args = JSON.stringify({ intent: 'general_chat' });
    const created = Math.floor(Date.now() / 1000);
    const base = { id, object: 'chat.completion.chunk', created, model: 'fake' };
    if (body.tools?.length) {
      const call = {
        index: 0,
        id: `call_${id}`,
        type: 'function',
        function: { name: 'classify_intent', arguments: args },
      };
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: null, tool_calls: [call] },
                finish_reason: 'tool_calls',
              },
            ],
          }),
        );
        return;
      }
      head(res);
      sse(res, {
        ...base,
        choices: [
          { index: 0, delta: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: null },
        ],
      });
      sse(res, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
    } else {
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: args }, finish_reason: 'stop' }],
          }),
        );
        return;
      }
      head(res);
      sse(res, {
        ...base,
        choices: [{ index: 0, delta: { role: 'assistant', content: args }, finish_reason: null }],
      });
      sse(res, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    }
    if (body.stream_options?.include_usage)
      sse(res, {
        ...base,
        choices: [],
        usage: { prompt_tokens: 200, completion_tokens: 8, total_tokens: 208 },
      });
    res.end('data: [DONE]\n\n');
  }

  function chat(res: http.ServerResponse, body: ChatBody, id: string): void {
    const lastUser = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
    const content = typeof lastUser?.content === 'string' ? lastUser.content : '';
    const key = /\[b:([\w-]+)\]/.exec(content)?.[1] ?? `anonymous-${++anonymous}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, object: 'chat.completion.chunk', created, model: 'fake' };
    if (!body.stream) {
      // Non-streaming chat (e.g. a title): answered at once, not timed.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            { index: 0, message: { role: 'assistant', content: 'Benchmark chat' }, finish_reason: 'stop' },
          ],
        }),
      );
      return;
    }
    const times: number[] = [];
    timings[key] = times;
    head(res);
    let i = 0;
    let closed = false;
    res.on('close', () => (closed = true));
    const timer = setInterval(() => {
      if (closed) return clearInterval(timer);
      if (i < chunks) {
        const delta = i === 0 ? { role: 'assistant', content: chunkText(i) } : { content: chunkText(i) };
        times.push(nowMs());
        sse(res, { ...base, choices: [{ index: 0, delta, finish_reason: null }] });
        i += 1;
        return;
      }
      clearInterval(timer);
      sse(res, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      if (body.stream_options?.include_usage)
        sse(res, {
          ...base,
          choices: [],
          usage: { prompt_tokens: 400, completion_tokens: chunks, total_tokens: 400 + chunks },
        });
      res.end('data: [DONE]\n\n');
    }, intervalMs);
  }

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const url = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'GET' && url.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            object: 'list',
            data: [{ id: 'fake', object: 'model', created: 0, owned_by: 'bench' }],
          }),
        );
        return;
      }
      if (req.method === 'GET' && url === '/bench/timings') {
        const out = timings;
        timings = {};
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out));
        return;
      }
      if (req.method !== 'POST' || !url.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `No route for ${req.method} ${url}` } }));
        return;
      }
      let body: ChatBody;
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8')) as ChatBody;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'The body must be JSON' } }));
        return;
      }
      const id = `chatcmpl-bench-${++counter}`;
      const jsonMode = ['json_object', 'json_schema'].includes(String(body.response_format?.type));
      if (body.tools?.length || jsonMode) classify(res, body, id);
      else chat(res, body, id);
    });
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`),
  );
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  serve(Number(process.argv[2] ?? 50), Number(process.argv[3] ?? 40));
}
