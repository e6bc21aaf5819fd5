/**
 * Auto-titles after the first turn, and what a shutdown, a crash or a kill -9 leaves of
 * streaming replies.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeOpenAI, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { CHAT_NOW as NOW, isTitleRequest, parseSse, useChatServer } from '../../../test/helpers/chat.js';
import { spawnServer, sqliteProcessEnv, type ServerProcess } from '../../../test/helpers/process.js';
import { aiEnv } from '../../../test/helpers/llm-server.js';
import { makeTempDir, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, type Frame, type WsClient } from '../../../test/helpers/ws.js';
import { createDatabase } from '../../db/database.js';

const { server, send } = useChatServer('Fake title');
let fake: FakeOpenAI, s: TestServer, ws: WsClient;
beforeAll(() => void ({ fake, s, ws } = server));

describe('auto-title', () => {
  it('titles an untitled conversation after its first turn, last in the turn, at most 6 words', async () => {
    fake.script((req) =>
      isTitleRequest(req.body) ? reply.text('"Planning A Very Long Weekend Trip To The Coast."') : undefined,
    );
    const sent = await send({ content: 'help me plan a weekend trip' });
    const titled = await ws.waitForType(
      'conversation_updated',
      (d) => d.conversation_id === sent.conversation_id && d.title !== '',
    );
    expect(titled.data.title).toBe('Planning A Very Long Weekend Trip');
    expect(titled.data.conversation).toMatchObject({
      id: sent.conversation_id,
      title: 'Planning A Very Long Weekend Trip',
    });
    const titleAt = ws.frames.indexOf(titled);
    const endAt = ws.frames.findIndex(
      (f: Frame) => f.type === 'stream_end' && f.data.message_id === sent.message_id,
    );
    expect(titleAt).toBeGreaterThan(endAt);

    fake.script((req) => (isTitleRequest(req.body) ? reply.text('Another title') : undefined));
    await send({ conversation_id: sent.conversation_id, content: 'and what should I pack?' });
    expect((await s.request('GET', `/api/chat/conversations/${sent.conversation_id}`)).json.title).toBe(
      'Planning A Very Long Weekend Trip',
    );
  });

  it('a slow title never holds the next turn up: after ~1.5 s the first words do; a title set meanwhile stays', async () => {
    fake.script((req) => (isTitleRequest(req.body) ? reply.noResponse() : undefined));
    const first = await send({ content: 'help me plan a birthday party please' });
    const endedAt = Date.now();
    const second = await send({ conversation_id: first.conversation_id, content: 'and the cake?' });
    expect(Date.now() - endedAt).toBeLessThan(1_400); // not behind the title's LLM call
    const titled = await ws.waitForType(
      'conversation_updated',
      (d) => d.conversation_id === first.conversation_id && d.title !== '',
      5_000,
    );
    expect(titled.data.title).toBe('help me plan a birthday party');
    const secondEnd = ws.frames.findIndex(
      (f) => f.type === 'stream_end' && f.data.message_id === second.message_id,
    );
    expect(ws.frames.indexOf(titled)).toBeGreaterThan(secondEnd);
    // The title call was given up (the fake sees its connection close).
    for (let i = 0; i < 40 && fake.aborted < 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fake.aborted).toBe(1);

    // The user names the conversation while the title's LLM call hangs: their title stays.
    const other = await send({ content: 'what should I cook tonight' });
    const renamed = await s.request('PATCH', `/api/chat/conversations/${other.conversation_id}`, {
      title: 'Dinner',
    });
    expect(renamed.status).toBe(200);
    // Until the title call is given up, and a little more for the (refused) write.
    for (let i = 0; i < 40 && fake.aborted < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(fake.aborted).toBe(2);
    await new Promise((r) => setTimeout(r, 200));
    expect((await s.request('GET', `/api/chat/conversations/${other.conversation_id}`)).json.title).toBe(
      'Dinner',
    );
  });
});

describe('start-up and shutdown', () => {
  it('shutting down stops streaming turns, so open SSE responses end', async () => {
    const local = await startFakeOpenAI();
    local.onChat(reply.text(['Half ', 'an answer'], { stallAfter: 1 }));
    const server = await startTestServer({ now: NOW, env: aiEnv(local.url) });
    const res = await fetch(`${server.url}/api/chat/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'talk to me' }),
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('token')) text += new TextDecoder().decode((await reader.read()).value);
    const started = Date.now();
    const closing = server.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await closing;
    expect(Date.now() - started).toBeLessThan(5_000); // not the 60 s idle timeout
    const { lines, events } = parseSse(text);
    expect(lines.at(-1)).toBe('[DONE]');
    expect(events.find((e) => e.done)).toMatchObject({ intent: 'general_chat' });
    await local.close();
  });

  it('marks replies a crash left streaming as failed, keeping their text', async () => {
    const dataDir = makeTempDir();
    const first = await startTestServer({ now: NOW, dataDir });
    const sock = await connectWs(first);
    const res = await first.request('POST', '/api/chat/send', { content: 'hello' });
    await sock.turn(res.json.message_id);
    await sock.close();
    await first.close();
    // What a kill -9 in the middle of a stream leaves behind.
    const direct = await createDatabase(first.config.database, { migrate: false });
    await direct.db
      .updateTable('messages')
      .set({ status: 'streaming', content: 'partial answer', message_type: 'text' })
      .where('id', '=', res.json.message_id)
      .execute();
    await direct.close();

    const second = await startTestServer({ now: NOW, dataDir });
    const stored = (
      await second.request('GET', `/api/chat/conversations/${res.json.conversation_id}/messages`)
    ).json.items;
    expect(stored[1]).toMatchObject({
      id: res.json.message_id,
      status: 'failed',
      content: 'partial answer',
      metadata: { truncated: true },
    });
    await second.close();
  });

  it('keeps the text streamed before a kill -9; a shutdown mid-stream stores failed (not stopped), truncated', async () => {
    const local = await startFakeOpenAI();
    const dataDir = makeTempDir();
    const env = sqliteProcessEnv(dataDir, aiEnv(local.url));
    const procs: ServerProcess[] = [];
    const boot = async () => {
      const proc = await spawnServer(env);
      procs.push(proc);
      const login = await fetch(`${proc.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pin: '424242' }),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      const call = async (method: string, p: string, body?: unknown) =>
        (await fetch(`${proc.url}${p}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then((r) => r.json())) as any;
      return {
        proc,
        call,
        sock: await connectWs({ wsUrl: proc.url.replace('http', 'ws'), token: access_token }),
      };
    };
    try {
      local.onChat({ chunks: ['First part, ', 'second part, ', 'third part.'], delayMs: 600 });
      const one = await boot();
      const sent = await one.call('POST', '/api/chat/send', { content: 'tell me slowly' });
      await one.sock.waitForType('stream_chunk', (d) => d.message_id === sent.message_id && d.index === 1);
      await new Promise((r) => setTimeout(r, 250)); // before the third chunk (600 ms apart)
      await one.proc.kill();

      const two = await boot();
      const after = await two.call('GET', `/api/chat/conversations/${sent.conversation_id}`);
      expect(after.messages[1]).toMatchObject({
        id: sent.message_id,
        status: 'failed',
        content: 'First part, second part, ',
        metadata: { truncated: true },
      });

      // SIGTERM while a reply streams: `stopped` is only for `stop`.
      const again = await two.call('POST', '/api/chat/send', { content: 'and again' });
      await two.sock.waitForType('stream_chunk', (d) => d.message_id === again.message_id);
      await two.proc.stop();
      const three = await boot();
      const stored = (await three.call('GET', `/api/chat/conversations/${again.conversation_id}`))
        .messages[1];
      expect(stored).toMatchObject({ id: again.message_id, status: 'failed', metadata: { truncated: true } });
      expect(stored.content.startsWith('First part, ')).toBe(true);
      await three.sock.close();
    } finally {
      for (const proc of procs) if (proc.child.exitCode === null) await proc.stop();
      await local.close();
    }
  }, 60_000);
});
