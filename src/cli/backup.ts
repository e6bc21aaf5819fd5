/**
 * `npm run backup [file]`: a consistent online copy of the SQLite database (the SQLite backup
 * API; the server may keep running) and, beside it, the attachment files (`<file>.attachments/`).
 * On PostgreSQL, prints the pg_dump command to use and where the attachments are.
 * To restore: stop the server, put the copy at the database path and the folder at ATTACHMENTS_DIR.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';

const config = loadConfig();
if (config.database.kind === 'postgres') {
  console.log(`PostgreSQL: back up with\n  pg_dump --format=custom --file=clawchat.dump "${config.database.url}"`);
  console.log(`and copy the attachment files in ${config.attachmentsDir}`);
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const target = path.resolve(process.argv[2] ?? path.join(config.dataDir, 'backups', `clawchat-${stamp}.db`));
const database = await createDatabase(config.database, { migrate: false });
try {
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  await database.sqlite!.backup(target);
  fs.chmodSync(target, 0o600);
  console.log(`Backup written to ${target}`);
} finally {
  await database.close();
}
// Files are copied after the database: a file uploaded in between is extra, never missing.
if (fs.existsSync(config.attachmentsDir)) {
  const files = `${target}.attachments`;
  fs.cpSync(config.attachmentsDir, files, { recursive: true, filter: (src) => !path.basename(src).startsWith('.part-') });
  console.log(`Attachments copied to ${files}`);
}
