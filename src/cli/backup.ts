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
import {
  ensurePrivateDir,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  restrictUmask,
  tighten,
} from '../lib/secret.js';

// A backup holds the whole diary: owner-only, like the database itself.
restrictUmask();
const config = loadConfig();
if (config.database.kind === 'postgres') {
  console.log(
    `PostgreSQL: back up with\n  pg_dump --format=custom --file=clawchat.dump "${config.database.url}"`,
  );
  console.log(`and copy the attachment files in ${config.attachmentsDir}`);
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const target = path.resolve(process.argv[2] ?? path.join(config.dataDir, 'backups', `clawchat-${stamp}.db`));
const database = await createDatabase(config.database, { migrate: false });
try {
  // Our own backups folder is made owner-only; a folder the user named is only created so.
  if (process.argv[2] === undefined) ensurePrivateDir(path.dirname(target));
  else fs.mkdirSync(path.dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
  // Created owner-only before SQLite writes a byte into it, then tightened in case it existed.
  fs.closeSync(fs.openSync(target, 'a', PRIVATE_FILE_MODE));
  tighten(target, PRIVATE_FILE_MODE);
  await database.sqlite!.backup(target);
  tighten(target, PRIVATE_FILE_MODE);
  console.log(`Backup written to ${target}`);
} finally {
  await database.close();
}
// Files are copied after the database: a file uploaded in between is extra, never missing.
if (fs.existsSync(config.attachmentsDir)) {
  const files = `${target}.attachments`;
  fs.mkdirSync(files, { recursive: true, mode: PRIVATE_DIR_MODE });
  fs.cpSync(config.attachmentsDir, files, {
    recursive: true,
    filter: (src) => !path.basename(src).startsWith('.part-'),
  });
  console.log(`Attachments copied to ${files}`);
}
