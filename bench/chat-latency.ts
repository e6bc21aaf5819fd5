/**
 * Chat streaming latency: the time from the fake provider's first streamed byte of a reply to
 * the client's first `stream_chunk` frame on the WebSocket, over N turns (default 200).
 *
 *   npx tsx bench/chat-latency.ts [turns]
 *
 * The fake OpenAI server and the real app (HTTP + WebSocket) run in this process; the client
 * runs in a worker thread with its own event loop, as a phone would, so it reads its socket
 * while the server is still busy (for instance committing the reply). Times are absolute
 * (`performance.timeOrigin + performance.now()`), comparable across threads. The fake writes
 * its first chunk in the same tick as it picks the reply, so that moment is its first byte.
 * The hub's publish of chunk 0 splits the total into provider -> server and server -> client.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { reply, startFakeOpenAI } from '../test/fakes/fake-openai.js';
import { startTestServer } from '../test/helpers/server.js';

const TURNS = Number(process.argv[2] ?? 200);
const WARMUP = 10;
const now = () => performance.timeOrigin + performance.now();

// The client: reports when chunk 0 and stream_end of each reply arrive.
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const WebSocket = require('ws');
const ws = new WebSocket(workerData.url);
ws.on('open', () => parentPort.postMessage({ type: 'open' }));
ws.on('message', (raw) => {
  const at = performance.timeOrigin + performance.now();
  const frame = JSON.parse(raw.toString('utf8'));
  if (frame.type === 'stream_chunk' && frame.data.index === 0) parentPort.postMessage({ type: 'first', id: frame.data.message_id, at });
  if (frame.type === 'stream_end') parentPort.postMessage({ type: 'end', id: frame.data.message_id, at });
});
parentPort.on('message', () => ws.close());
ws.on('close', () => process.exit(0));
`;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function main(): Promise<void> {
  const fake = await startFakeOpenAI();
  const server = await startTestServer({
    env: { AI_PROVIDER: 'openai', AI_BASE_URL: fake.url, AI_MODEL: 'fake', AI_API_KEY: 'bench' },
  });

  const client = new Worker(CLIENT, {
    eval: true,
    workerData: { url: `${server.wsUrl}/ws?token=${server.token}` },
  });
  const firstAt = new Map<string, number>();
  const ended = new Map<string, () => void>();
  const endedIds = new Set<string>();
  await new Promise<void>((resolve) => {
    client.on('message', (m: { type: string; id?: string; at?: number }) => {
      if (m.type === 'open') resolve();
      if (m.type === 'first') firstAt.set(m.id!, m.at!);
      if (m.type === 'end') {
        endedIds.add(m.id!);
        ended.get(m.id!)?.();
      }
    });
  });

  let firstByteAt = 0;
  fake.onChat(() => {
    firstByteAt = now();
    return reply.text(['Streaming ', 'latency ', 'is ', 'measured ', 'here.']);
  });
  let current = '';
  let publishedAt = 0;
  server.built.services.hub.subscribe((frame) => {
    if (frame.type === 'stream_chunk' && frame.data.message_id === current && frame.data.index === 0)
      publishedAt = now();
  });

  const conversationId = (
    await server.request<{ id: string }>('POST', '/api/chat/conversations', { title: 'Bench' })
  ).json.id;
  const total: number[] = [];
  const inbound: number[] = [];
  const outbound: number[] = [];
  for (let i = 0; i < TURNS + WARMUP; i++) {
    firstByteAt = 0;
    publishedAt = 0;
    current = '';
    const res = await server.request<{ message_id: string }>('POST', '/api/chat/send', {
      conversation_id: conversationId,
      content: `message ${i}`,
    });
    current = res.json.message_id;
    await new Promise<void>((resolve) => {
      if (endedIds.has(current)) resolve();
      else ended.set(current, resolve);
    });
    const first = firstAt.get(current);
    if (i >= WARMUP && first !== undefined && firstByteAt > 0 && publishedAt > 0) {
      total.push(first - firstByteAt);
      inbound.push(publishedAt - firstByteAt);
      outbound.push(first - publishedAt);
    }
  }

  for (const list of [total, inbound, outbound]) list.sort((a, b) => a - b);
  const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
  const mean = total.reduce((a, b) => a + b, 0) / total.length;
  console.log(`turns measured: ${total.length} (after ${WARMUP} warm-up)`);
  console.log('provider first byte -> client first stream_chunk:');
  console.log(
    `  median ${fmt(percentile(total, 50))}  p90 ${fmt(percentile(total, 90))}  p99 ${fmt(percentile(total, 99))}`,
  );
  console.log(`  min ${fmt(total[0]!)}  mean ${fmt(mean)}  max ${fmt(total.at(-1)!)}`);
  console.log(
    `  provider byte -> hub publish:  median ${fmt(percentile(inbound, 50))}  p99 ${fmt(percentile(inbound, 99))}`,
  );
  console.log(
    `  hub publish -> client frame:   median ${fmt(percentile(outbound, 50))}  p99 ${fmt(percentile(outbound, 99))}`,
  );

  client.postMessage('close');
  await new Promise((resolve) => client.once('exit', resolve));
  await server.close();
  await fake.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
