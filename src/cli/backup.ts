/**
 * `npm run backup [file]`: a consistent online copy of the SQLite database (the SQLite backup
 * API; the server may keep running). On PostgreSQL, prints the pg_dump command to use.
 */
import path from 'node:path';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';

const config = loadConfig();
if (config.database.kind === 'postgres') {
  console.log(
    `PostgreSQL: back up with\n  pg_dump --format=custom --file=clawchat.dump "${config.database.url}"`,
  );
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const target = path.resolve(process.argv[2] ?? path.join(config.dataDir, 'backups', `clawchat-${stamp}.db`));
const database = await createDatabase(config.database, { migrate: false });
try {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(path.dirname(target), { recursive: true });
  await database.sqlite!.backup(target);
  console.log(`Backup written to ${target}`);
} finally {
  await database.close();
}
