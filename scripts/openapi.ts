/**
 * Writes the server's OpenAPI document (and, with --types <file>, the web client's TypeScript
 * types generated from it) without listening on a port: the app is built on a throw-away
 * SQLite file and asked for `app.swagger()`, the same document `/openapi.json` serves.
 *
 *   tsx scripts/openapi.ts [--out openapi.json] [--types web/src/lib/api-types.ts]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createDatabase } from '../src/db/database.js';

function arg(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? null) : null;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawchat-openapi-'));
  try {
    const config = parseConfig({
      DATA_DIR: dir,
      PIN: '000000',
      AI_PROVIDER: 'none',
      ENABLE_SCHEDULER: 'false',
      LOG_LEVEL: 'silent',
      JWT_SECRET: 'openapi-generation-only-secret-not-used-for-anything',
    });
    const database = await createDatabase(config.database);
    const { app } = await buildApp({
      config,
      database,
      logger: false,
      jwtSecret: new TextEncoder().encode(config.jwtSecret!),
    });
    await app.ready();
    const doc = app.swagger() as Record<string, unknown>;
    await app.close();

    const out = arg('--out');
    if (out) fs.writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
    const types = arg('--types');
    if (types) {
      const ast = await openapiTS(doc as never);
      const header =
        "/* Generated from the server's OpenAPI document by scripts/openapi.ts. Do not edit. */\n";
      fs.mkdirSync(path.dirname(types), { recursive: true });
      fs.writeFileSync(types, header + astToString(ast));
    }
    if (!out && !types) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
