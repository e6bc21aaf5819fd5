/**
 * Group commit (sqlite-group-commit.ts): concurrent writes all resolve, each one readable by a
 * second connection once it resolves, and the checkpoint worker copies the WAL into the
 * database file on its own (test/durability.test.ts covers SIGKILL through the real server).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from './database.js';

let dir = '';
let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function open(): Promise<string> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawchat-group-commit-'));
  const file = path.join(dir, 'clawchat.db');
  database = await createDatabase({ kind: 'sqlite', file });
  return file;
}

function memo(i: number) {
  const at = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
  return {
    id: `memo_${i}`,
    title: `memo ${i}`,
    content: 'x',
    tags: '[]',
    conversation_id: null,
    message_id: null,
    created_at: at,
    updated_at: at,
  };
}

describe('SQLite group commit', () => {
  it('lets concurrent writers finish, each visible to another connection when it resolves', async () => {
    const file = await open();
    const other = new SQLite(file, { readonly: true });
    try {
      const seen: boolean[] = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          if (i % 2 === 0) await database!.db.insertInto('memos').values(memo(i)).execute();
          else
            await database!.db
              .transaction()
              .execute((trx) => trx.insertInto('memos').values(memo(i)).execute());
          return other.prepare('select 1 from memos where id = ?').get(`memo_${i}`) !== undefined;
        }),
      );
      expect(seen.filter(Boolean)).toHaveLength(200);
    } finally {
      other.close();
    }
  });

  it('checkpoints the WAL into the database file without being asked', async () => {
    const file = await open();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => database!.db.insertInto('memos').values(memo(i)).execute()),
    );
    // The main file alone (no -wal beside it) holds the rows once the worker has checkpointed.
    const copy = path.join(dir, 'main-only.db');
    let count = 0;
    for (let attempt = 0; attempt < 50 && count < 50; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      fs.copyFileSync(file, copy);
      const db = new SQLite(copy, { readonly: true });
      try {
        count = (db.prepare('select count(*) as n from memos').get() as { n: number }).n;
      } catch {
        count = 0; // copied mid-checkpoint: try again
      } finally {
        db.close();
      }
    }
    expect(count).toBe(50);
  });

  it('lets a command-line tool that ends by closing the database finish its work', () => {
    // A tool's last await is close(): the checkpoint worker must keep the process alive until
    // it has stopped, or Node exits mid-await (code 13) before the tool's last line.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawchat-group-commit-'));
    const database = fileURLToPath(new URL('./database.ts', import.meta.url));
    const script = `
      const { createDatabase } = await import(${JSON.stringify(database)});
      const d = await createDatabase({ kind: 'sqlite', file: ${JSON.stringify(path.join(dir, 'cli.db'))} });
      await d.close();
      console.log('closed');`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.trim()).toBe('closed');
  }, 90_000);
});
