/**
 * The floor: a bare `node:http` server, one process like the real one, answering every request
 * with fixed bytes (the exact body `GET /api/todos?limit=20` answered in the same run). Nothing
 * can answer HTTP on this machine with Node much faster, so each endpoint is reported as a
 * fraction of it.
 *
 * Run as a child: `node --import tsx bench/floor.ts <body file>`; prints `listening <port>`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface FloorHandle {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts the floor in its own process, serving `body`. */
export async function startFloor(bodyFile: string): Promise<FloorHandle> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, bodyFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code})`)));
  });
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function serve(bodyFile: string): void {
  const body = fs.readFileSync(bodyFile);
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(body.length),
  };
  const server = http.createServer((req, res) => {
    // Drain any request body (POSTs), then answer.
    req.resume();
    res.writeHead(200, headers);
    res.end(body);
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node --import tsx bench/floor.ts <body file>');
    process.exit(2);
  }
  serve(file);
}
