/**
 * The server under test: the built `dist/server.js`, one process, production mode, on a copy
 * of the dataset. Also the build step (skipped when dist/ is newer than every source file).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, log, sleep } from './lib.js';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface ServerHandle {
  pid: number;
  url: string;
  wsUrl: string;
  token: string;
  /** Whether the database still runs the server's queries (PostgreSQL; see waitIdle). */
  dbBusy?: () => Promise<boolean>;
  /** Everything the server wrote to stdout/stderr (warnings and errors only, at LOG_LEVEL=warn). */
  output: () => string;
  stop(): Promise<number | null>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** `npm run build`, skipped (unless `force`) when dist/server.js is newer than every source file. */
export function buildServer(force = false): void {
  const entry = path.join(ROOT, 'dist', 'server.js');
  if (!force && fs.existsSync(entry) && fs.statSync(entry).mtimeMs > newestMtime(path.join(ROOT, 'src'))) {
    log('build: dist/ is up to date');
    return;
  }
  log('build: npm run build');
  const res = spawnSync('npm', ['run', '--silent', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`npm run build failed (exit ${res.status ?? res.signal})`);
}

export interface StartOptions {
  /** `sqlite:///<file>` or `postgres://...`, as the server reads DATABASE_URL. */
  databaseUrl: string;
  dataDir: string;
  aiBaseUrl: string;
  dbBusy?: () => Promise<boolean>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Extra environment, over the defaults below (e.g. ENABLE_SCHEDULER for bench/loop.ts). */
  env?: Record<string, string>;
}

export async function startServer(opts: StartOptions): Promise<ServerHandle> {
  const port = await freePort();
  // One PIN for every run on a dataset: a PIN changed between starts revokes every session
  // (issue 12), which would close the sockets of a section still using the previous server.
  const pin = '271828';
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    JWT_SECRET: crypto.randomBytes(36).toString('base64url'), // 48 characters
    PIN: pin,
    DATA_DIR: opts.dataDir,
    DATABASE_URL: opts.databaseUrl,
    AI_PROVIDER: 'openai',
    AI_BASE_URL: opts.aiBaseUrl,
    AI_API_KEY: 'bench',
    AI_MODEL: 'fake',
    RATE_LIMIT_PER_MINUTE: '0',
    ENABLE_SCHEDULER: 'false',
    LOG_LEVEL: 'warn',
    TIMEZONE: 'Asia/Seoul',
    ...opts.env,
  };
  let output = '';
  // cwd: the data dir, so no `.env` of the working tree leaks into the run.
  const child: ChildProcess = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), path.join(ROOT, 'dist', 'server.js')],
    {
      cwd: opts.dataDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`the server exited during start-up:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /api/health within 60 s:\n${output}`);
    }
    await sleep(100);
  }

  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pin }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const { access_token: token } = (await login.json()) as { access_token: string };

  return {
    pid: child.pid!,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    token,
    dbBusy: opts.dbBusy,
    output: () => output,
    async stop() {
      if (gone) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A JSON request to the server with the bench token. */
export async function api<T = unknown>(
  server: Pick<ServerHandle, 'url' | 'token'>,
  method: string,
  pathname: string,
  body?: unknown,
  timeoutMs = 60_000,
): Promise<{ status: number; json: T; text: string }> {
  const res = await fetch(server.url + pathname, {
    method,
    signal: AbortSignal.timeout(timeoutMs),
    headers: {
      authorization: `Bearer ${server.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json: json as T, text };
}
