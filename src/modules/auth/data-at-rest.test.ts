/**
 * Data at rest and PIN changes (issue 12, items 7 and 8): the data directory, database files,
 * JWT secret and backups are owner-only; a PIN is never stored in clear (a generated one is
 * printed once); a PIN changed in the environment revokes every session.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../db/database.js';
import { runCli, spawnServer, type ServerProcess } from '../../../test/helpers/process.js';
import { makeTempDir, startTestServer, TEST_PIN, type TestServer } from '../../../test/helpers/server.js';
import { connectWs, type WsClient } from '../../../test/helpers/ws.js';

const processes: ServerProcess[] = [];
const servers: TestServer[] = [];
const sockets: WsClient[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((w) => w.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(processes.splice(0).map((p) => p.stop()));
});

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** Every byte SQLite keeps for this database, as text (digits survive as ASCII). */
function databaseBytes(file: string): string {
  return ['', '-wal', '-shm', '-journal']
    .map((suffix) => file + suffix)
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('latin1'))
    .join('\n');
}

const databaseFile = (dataDir: string) => path.join(dataDir, 'clawchat.db');

/** A data directory not made yet (what opens it first creates it, with its modes) and its database. */
function newInstallation(): { dataDir: string; db: string } {
  const dataDir = path.join(makeTempDir(), 'data');
  return { dataDir, db: databaseFile(dataDir) };
}

function serverEnv(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:///${databaseFile(dataDir)}`,
    PIN: '',
    JWT_SECRET: '',
    NODE_ENV: 'development',
    AI_PROVIDER: 'none',
    ENABLE_SCHEDULER: 'false',
  };
}

async function spawn(dataDir: string): Promise<ServerProcess> {
  const p = await spawnServer(serverEnv(dataDir));
  processes.push(p);
  return p;
}

async function stop(p: ServerProcess): Promise<void> {
  await p.stop();
  processes.splice(processes.indexOf(p), 1);
}

const loginAt = (url: string, pin: string) =>
  fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pin }),
  });

describe('data at rest (SQLite files)', () => {
  it(
    'keeps the data directory, database, WAL/SHM, JWT secret and backups owner-only, and never stores a PIN',
    { timeout: 240_000 },
    async () => {
      const { dataDir, db } = newInstallation();
      const first = await spawn(dataDir);
      for (let i = 0; i < 50 && !/generated PIN: \d{6}/.test(first.output()); i++)
        await new Promise((r) => setTimeout(r, 100));
      const pin = /generated PIN: (\d{6})/.exec(first.output())?.[1];
      expect(pin, first.output()).toBeDefined();
      const login = await loginAt(first.url, pin!);
      expect(login.status).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };
      const created = await fetch(`${first.url}/api/todos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
        body: JSON.stringify({ title: 'Private' }),
      });
      expect(created.status).toBe(201);

      expect(modeOf(dataDir)).toBe(0o700);
      expect(fs.existsSync(`${db}-wal`)).toBe(true);
      for (const f of [db, `${db}-wal`, `${db}-shm`, path.join(dataDir, 'jwt-secret')])
        expect(modeOf(f), f).toBe(0o600);
      expect(databaseBytes(db)).not.toContain(pin);

      // Printed once: a restart does not show it again (it is not kept anywhere to show).
      await stop(first);
      const second = await spawn(dataDir);
      await new Promise((r) => setTimeout(r, 500));
      expect(second.output()).not.toContain(pin);
      expect((await loginAt(second.url, pin!)).status).toBe(200);

      // Replaced by reset-pin: neither PIN is anywhere in the files.
      const reset = await runCli('reset-pin', ['97531864'], serverEnv(dataDir));
      expect(reset.code, reset.output).toBe(0);
      expect((await loginAt(second.url, '97531864')).status).toBe(200);
      const backupFile = path.join(dataDir, 'backups', 'copy.db');
      const backup = await runCli('backup', [], serverEnv(dataDir));
      expect(backup.code, backup.output).toBe(0);
      const written = /Backup written to (.+)/.exec(backup.output)![1]!.trim();
      fs.renameSync(written, backupFile);
      await stop(second);

      expect(modeOf(path.join(dataDir, 'backups'))).toBe(0o700);
      expect(modeOf(backupFile)).toBe(0o600);
      for (const bytes of [databaseBytes(db), fs.readFileSync(backupFile).toString('latin1')]) {
        expect(bytes).not.toContain(pin);
        expect(bytes).not.toContain('97531864');
      }
    },
  );

  it(
    'tightens an older installation: loose modes, and a generated PIN an earlier version kept in clear',
    { timeout: 60_000 },
    async () => {
      const { dataDir, db } = newInstallation();
      const legacy = await createDatabase({ kind: 'sqlite', file: db });
      legacy.sqlite!.pragma('secure_delete = OFF');
      legacy
        .sqlite!.prepare("INSERT INTO settings (key, value) VALUES ('auth.generated_pin', '864213')")
        .run();
      await legacy.close();
      expect(databaseBytes(db)).toContain('864213');
      fs.chmodSync(dataDir, 0o755);
      fs.chmodSync(db, 0o644);

      const p = await spawn(dataDir);
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(db)).toBe(0o600);
      await stop(p);
      expect(databaseBytes(db)).not.toContain('864213');
    },
  );
});

describe('a PIN changed in the environment', () => {
  function sameDatabase(s: TestServer): Record<string, string> {
    const url =
      s.config.database.kind === 'sqlite' ? `sqlite:///${s.config.database.file}` : s.config.database.url;
    return { DATABASE_URL: url };
  }

  it(
    'revokes every session at the next start: old access and refresh tokens get 401',
    { timeout: 90_000 },
    async () => {
      const dataDir = makeTempDir();
      const a = await startTestServer({ dataDir });
      const old = { access: a.token, refresh: a.refreshToken };
      expect((await a.request('GET', '/api/todos')).status).toBe(200);
      await a.close();

      const b = await startTestServer({ dataDir, login: false, env: { PIN: '24681357' } });
      servers.push(b);
      const auth = { authorization: `Bearer ${old.access}` };
      expect((await b.request('GET', '/api/todos', undefined, auth)).status).toBe(401);
      expect((await b.request('POST', '/api/auth/refresh', { refresh_token: old.refresh })).status).toBe(401);
      expect((await b.request('POST', '/api/auth/login', { pin: TEST_PIN })).status).toBe(401);
      expect((await b.request('POST', '/api/auth/login', { pin: '24681357' })).status).toBe(200);
    },
  );

  it('keeps sessions when the PIN is unchanged', { timeout: 90_000 }, async () => {
    const dataDir = makeTempDir();
    const a = await startTestServer({ dataDir });
    const old = { access: a.token, refresh: a.refreshToken };
    await a.close();
    const b = await startTestServer({ dataDir, login: false });
    servers.push(b);
    expect(
      (await b.request('GET', '/api/todos', undefined, { authorization: `Bearer ${old.access}` })).status,
    ).toBe(200);
    expect((await b.request('POST', '/api/auth/refresh', { refresh_token: old.refresh })).status).toBe(200);
  });

  it(
    'closes the sockets another running instance holds (4001 within seconds)',
    { timeout: 90_000 },
    async () => {
      const a = await startTestServer({ realClock: true });
      servers.push(a);
      const ws = await connectWs(a);
      sockets.push(ws);
      await ws.settle();
      const b = await startTestServer({
        realClock: true,
        login: false,
        env: { ...sameDatabase(a), PIN: '24681357' },
      });
      servers.push(b);
      const closed = await Promise.race([
        ws.closed,
        new Promise<null>((r) => setTimeout(() => r(null), 5_000)),
      ]);
      expect(closed).toEqual({ code: 4001, reason: 'Session revoked' });
      expect((await a.request('GET', '/api/todos')).status).toBe(401);
    },
  );
});
