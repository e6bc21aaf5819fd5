/**
 * Attachments (COMPAT.md): files on memos and todos, streamed to disk, downloaded safely,
 * removed with their owner, carried by backups. Real server, real multipart over HTTP.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { spawnServer } from '../../../test/helpers/process.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function form(
  bytes: Blob | Buffer | string,
  filename: string,
  type = 'application/octet-stream',
  field = 'file',
): FormData {
  const body = new FormData();
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes], { type });
  body.set(field, blob, filename);
  return body;
}

async function upload(server: { url: string; token: string }, query: string, body: FormData) {
  const res = await fetch(`${server.url}/api/attachments?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}` },
    body,
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function download(server: { url: string; token: string }, id: string) {
  const res = await fetch(`${server.url}/api/attachments/${id}/download`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('attachments', () => {
  let server: TestServer;
  let memoId: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { MAX_UPLOAD_SIZE_MB: '1' } });
    memoId = (await server.request('POST', '/api/memos', { content: 'trip plans' })).json.id;
  });
  afterAll(async () => server?.close());

  it('stores an upload by id and gives back the bytes with the original name', async () => {
    const { status, json } = await upload(
      server,
      `memo_id=${memoId}`,
      form('hello itinerary', 'Plan 한국.txt', 'text/plain'),
    );
    expect(status).toBe(201);
    expect(json).toMatchObject({
      filename: 'Plan 한국.txt',
      content_type: 'text/plain',
      size_bytes: 15,
      memo_id: memoId,
      todo_id: null,
      url: `/api/attachments/${json.id}/download`,
    });
    expect(json.id).toMatch(/^att_/);
    expect(json.stored_filename).toBe(json.id);
    expect(fs.readFileSync(path.join(server.dataDir, 'attachments', json.id), 'utf8')).toBe(
      'hello itinerary',
    );

    const { res, bytes } = await download(server, json.id);
    expect(res.status).toBe(200);
    expect(bytes.toString()).toBe('hello itinerary');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('content-disposition')).toBe(
      `inline; filename="Plan __.txt"; filename*=UTF-8''${encodeURIComponent('Plan 한국.txt')}`,
    );

    const list = await server.request('GET', `/api/attachments?memo_id=${memoId}`);
    expect(list.status).toBe(200);
    expect(list.json.map((a: { id: string }) => a.id)).toContain(json.id);
  });

  it('keeps a hostile name as a label only and never lets a browser render HTML', async () => {
    const html = '<script>alert(1)</script>';
    const { status, json } = await upload(
      server,
      `memo_id=${memoId}`,
      form(html, '../../x.html', 'text/html'),
    );
    expect(status).toBe(201);
    expect(json.filename).toBe('x.html');
    // Nothing was written outside the attachments folder under the client's name.
    expect(fs.existsSync(path.join(server.dataDir, 'x.html'))).toBe(false);
    expect(fs.existsSync(path.resolve(server.dataDir, '../../x.html'))).toBe(false);
    expect(fs.readdirSync(path.join(server.dataDir, 'attachments'))).toContain(json.id);

    const { res, bytes } = await download(server, json.id);
    expect(bytes.toString()).toBe(html);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="x.html"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');

    const svg = await upload(
      server,
      `memo_id=${memoId}`,
      form('<svg onload="alert(1)"/>', 'a.svg', 'image/svg+xml'),
    );
    expect((await download(server, svg.json.id)).res.headers.get('content-disposition')).toMatch(
      /^attachment;/,
    );
  });

  it('answers 413 with the envelope when a file is over MAX_UPLOAD_SIZE_MB, and keeps nothing', async () => {
    const before = fs.readdirSync(path.join(server.dataDir, 'attachments')).length;
    const { status, json } = await upload(
      server,
      `memo_id=${memoId}`,
      form(Buffer.alloc(2 * 1_048_576, 7), 'big.bin'),
    );
    expect(status).toBe(413);
    expect(json.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(fs.readdirSync(path.join(server.dataDir, 'attachments')).length).toBe(before);
    // The connection is still usable: the server read the rest of the body instead of hanging up.
    expect((await server.request('GET', '/api/health')).status).toBe(200);
  });

  it('refuses what is not a proper upload with a clear error', async () => {
    const empty = await upload(server, `memo_id=${memoId}`, form('', 'empty.txt'));
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'file' } });

    const noOwner = await upload(server, '', form('x', 'a.txt'));
    expect(noOwner.status).toBe(400);
    expect(noOwner.json.error.details.field).toBe('memo_id');

    const both = await upload(server, `memo_id=${memoId}&todo_id=todo_x`, form('x', 'a.txt'));
    expect(both.status).toBe(400);

    const unknown = await upload(server, 'memo_id=memo_nope', form('x', 'a.txt'));
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('NOT_FOUND');

    const wrongField = await upload(server, `memo_id=${memoId}`, form('x', 'a.txt', 'text/plain', 'upload'));
    expect(wrongField.status).toBe(400);
    expect(wrongField.json.error.message).toContain('"file"');

    const json = await server.request('POST', `/api/attachments?memo_id=${memoId}`, { file: 'x' });
    expect(json.status).toBe(400);
    expect(json.json.error.details.field).toBe('file');

    expect((await server.request('GET', '/api/attachments/att_missing/download')).status).toBe(404);
    expect((await server.request('DELETE', '/api/attachments/att_missing')).status).toBe(404);
  });

  it('deletes the files with their memo or todo, and on DELETE', async () => {
    const memo = (await server.request('POST', '/api/memos', { content: 'receipts' })).json.id;
    const todo = (await server.request('POST', '/api/todos', { title: 'file taxes' })).json.id;
    const onMemo = (await upload(server, `memo_id=${memo}`, form('receipt', 'r.pdf', 'application/pdf'))).json
      .id;
    const onTodo = (await upload(server, `todo_id=${todo}`, form('form', 'f.pdf', 'application/pdf'))).json
      .id;
    const single = (await upload(server, `todo_id=${todo}`, form('note', 'n.txt'))).json.id;
    const file = (id: string) => path.join(server.dataDir, 'attachments', id);
    expect([onMemo, onTodo, single].every((id) => fs.existsSync(file(id)))).toBe(true);

    expect((await server.request('DELETE', `/api/attachments/${single}`)).status).toBe(204);
    expect(fs.existsSync(file(single))).toBe(false);

    expect((await server.request('DELETE', `/api/memos/${memo}`)).status).toBe(204);
    expect(fs.existsSync(file(onMemo))).toBe(false);
    expect((await server.request('GET', `/api/attachments/${onMemo}/download`)).status).toBe(404);

    expect((await server.request('DELETE', `/api/todos/${todo}`)).status).toBe(204);
    expect(fs.existsSync(file(onTodo))).toBe(false);
  });

  it("deletes a subtask's files with its parent, and a bulk deletion's", async () => {
    const parent = (await server.request('POST', '/api/todos', { title: 'move house' })).json.id;
    const child = (await server.request('POST', '/api/todos', { title: 'book the van', parent_id: parent }))
      .json.id;
    const other = (await server.request('POST', '/api/todos', { title: 'cancel the gym' })).json.id;
    const onChild = (await upload(server, `todo_id=${child}`, form('quote', 'quote.pdf', 'application/pdf')))
      .json.id;
    const onOther = (await upload(server, `todo_id=${other}`, form('letter', 'letter.txt'))).json.id;
    const file = (id: string) => path.join(server.dataDir, 'attachments', id);

    expect((await server.request('DELETE', `/api/todos/${parent}`)).status).toBe(204);
    expect(fs.existsSync(file(onChild))).toBe(false);
    expect((await server.request('GET', `/api/attachments/${onChild}/download`)).status).toBe(404);

    const bulk = await server.request('PATCH', '/api/todos/bulk', { ids: [other], delete: true });
    expect(bulk.json.deleted).toBe(1);
    expect(fs.existsSync(file(onOther))).toBe(false);
  });

  it('is carried by `npm run backup` and restores with the database', async () => {
    const memo = (await server.request('POST', '/api/memos', { content: 'keep me' })).json.id;
    const att = (await upload(server, `memo_id=${memo}`, form('precious bytes', 'p.txt', 'text/plain'))).json
      .id;
    const target = path.join(makeTempDir(), 'backup.db');
    const res = spawnSync('npm', ['run', '--silent', 'backup', '--', target], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        DATA_DIR: server.dataDir,
        DATABASE_URL:
          server.config.database.kind === 'sqlite'
            ? `sqlite:///${server.config.database.file}`
            : server.config.database.url,
      },
    });
    expect(res.status, res.stderr).toBe(0);
    if (server.config.database.kind !== 'sqlite') {
      // PostgreSQL is backed up by pg_dump; the CLI says so and where the files are.
      expect(res.stdout).toContain('pg_dump');
      expect(res.stdout).toContain(path.join(server.dataDir, 'attachments'));
      return;
    }
    expect(fs.readFileSync(path.join(`${target}.attachments`, att), 'utf8')).toBe('precious bytes');

    const restored = makeTempDir();
    fs.copyFileSync(target, path.join(restored, 'clawchat.db'));
    fs.cpSync(`${target}.attachments`, path.join(restored, 'attachments'), { recursive: true });
    const again = await startTestServer({ dataDir: restored, database: 'sqlite' });
    try {
      const { res: r, bytes } = await download(again, att);
      expect(r.status).toBe(200);
      expect(bytes.toString()).toBe('precious bytes');
    } finally {
      await again.close();
    }
  });
});

describe('attachment uploads stream', () => {
  // The peak RSS of a server given a large file levels off at about 30 MB however large the file
  // (V8 frees the socket's chunk buffers lazily, so a 20 MB upload already shows ~20 MB of
  // garbage): 100 MB that added less than half of itself did not sit in memory.
  it('takes a 100 MB file without holding it in memory (peak RSS grows < 50 MB)', async () => {
    const dataDir = makeTempDir();
    const proc = await spawnServer({
      MAX_UPLOAD_SIZE_MB: '200',
      DATA_DIR: dataDir,
      PIN: '123456',
      AI_PROVIDER: 'none',
      ENABLE_SCHEDULER: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    try {
      const login = await fetch(`${proc.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pin: '123456' }),
      });
      const token = ((await login.json()) as { access_token: string }).access_token;
      const client = { url: proc.url, token };
      const memo = await fetch(`${proc.url}/api/memos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ content: 'video' }),
      });
      const memoId = ((await memo.json()) as { id: string }).id;
      // Warm the route (multipart parser, file streams) with a small upload first.
      expect((await upload(client, `memo_id=${memoId}`, form('warm', 'w.txt'))).status).toBe(201);

      const file = path.join(dataDir, 'big.bin');
      fs.writeFileSync(file, Buffer.alloc(100 * 1_048_576, 1));
      const peak = () =>
        Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${proc.child.pid}/status`, 'utf8'))![1]) *
        1024;
      const before = peak();
      const res = await upload(client, `memo_id=${memoId}`, form(await fs.openAsBlob(file), 'big.bin'));
      expect(res.status).toBe(201);
      expect(res.json.size_bytes).toBe(100 * 1_048_576);
      expect(peak() - before).toBeLessThan(50 * 1_048_576);
    } finally {
      await proc.stop();
    }
  }, 120_000);
});
