/**
 * The search tests' server: the real app on a temp database plus a second connection to the same
 * file (writes through it must reach the index too), and the reads and writes those tests make.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { startTestServer, type TestServer } from './server.js';

export interface Hit {
  type: 'todo' | 'event' | 'memo' | 'message';
  id: string;
  title: string;
  snippet: string;
  score: number;
  created_at: string;
  conversation_id: string | null;
}
export interface HitPage {
  items: Hit[];
  total: number;
  page: number;
  limit: number;
}

export const HOSTILE = [
  '"',
  'a"b',
  'AND',
  'NOT x',
  'NEAR(a b)',
  '*',
  '(',
  ')',
  'x:y',
  'title:secret',
  "'; DROP TABLE todos; --",
  '🎉',
  '🎉 party 🎉',
  '^a',
  '-x',
  '+',
  '\\',
  '%_',
  '\u0000',
  'a'.repeat(5000),
  'word '.repeat(1000),
];

/** One server and direct connection for the file; read `server.s` / `server.direct` inside tests. */
export function useSearchServer() {
  let s: TestServer;
  /** A second connection to the same file: writes through it must reach the index too. */
  let direct: Database;
  let seq = 0;

  /** The raw response: a HitPage on 200, the error envelope otherwise. */
  const search = async (query: Record<string, string | number>) =>
    s.request(
      'GET',
      `/api/search?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`,
    );
  const find = async (q: string, extra: Record<string, string | number> = {}): Promise<HitPage> => {
    const res = await search({ q, limit: 100, ...extra });
    expect(res.status, res.text).toBe(200);
    return res.json as HitPage;
  };
  const ids = async (q: string, extra: Record<string, string | number> = {}) =>
    (await find(q, extra)).items.map((h) => h.id);
  const post = async (
    path: string,
    body: Record<string, unknown>,
  ): Promise<{ id: string; created_at: string }> => {
    s.clock.advance(1000); // distinct created_at, so "newest first" is observable
    const res = await s.request('POST', path, body);
    expect(res.status, res.text).toBe(201);
    return res.json;
  };

  /** A conversation with messages, stored the way the chat module stores them. */
  async function conversationWith(
    title: string,
    contents: string[],
  ): Promise<{ id: string; messages: string[] }> {
    seq += 1;
    const now = s.clock.now().toISOString();
    const id = `conv_test${seq}`;
    await direct.db
      .insertInto('conversations')
      .values({ id, title, is_archived: 0, created_at: now, updated_at: now })
      .execute();
    const messages: string[] = [];
    for (const [i, content] of contents.entries()) {
      const mid = `msg_test${seq}_${i}`;
      await direct.db
        .insertInto('messages')
        .values({
          id: mid,
          conversation_id: id,
          role: i % 2 === 0 ? 'user' : 'assistant',
          content,
          message_type: 'text',
          status: 'complete',
          intent: null,
          metadata: null,
          created_at: now,
        })
        .execute();
      messages.push(mid);
    }
    return { id, messages };
  }

  beforeAll(async () => {
    s = await startTestServer({ now: '2026-03-02T09:00:00.000Z', timezone: 'Asia/Seoul' });
    direct = await createDatabase(s.config.database, { migrate: false });
  });
  afterAll(async () => {
    await direct.close();
    await s.close();
  });

  return {
    server: {
      get s() {
        return s;
      },
      get direct() {
        return direct;
      },
    },
    search,
    find,
    ids,
    post,
    conversationWith,
    /** A fresh number for ids of rows a test writes directly. */
    nextSeq: () => ++seq,
  };
}
