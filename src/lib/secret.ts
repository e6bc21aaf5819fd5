import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Owner-only modes for everything the server keeps on disk (docs/SECURITY.md). */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Files this process creates from now on are readable by its owner only. Called first thing
 * by the server and every CLI, so that files made by others on our behalf (SQLite's -wal and
 * -shm, a backup) are private too, not only those we create with an explicit mode.
 */
export function restrictUmask(): void {
  process.umask(0o077);
}

/**
 * Creates `dir` (and its parents) owner-only, and tightens an existing one that we own: a
 * data directory made by an earlier version was 0755.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** Sets `mode` on a file or directory we own; a missing file or someone else's is left alone. */
export function tighten(file: string, mode: number): void {
  try {
    const st = fs.statSync(file);
    if ((st.mode & 0o777) === mode) return;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return;
    fs.chmodSync(file, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * The JWT signing key: JWT_SECRET when set, otherwise a random secret generated once and kept
 * in DATA_DIR (readable by the owner only), so tokens survive restarts.
 */
export function loadJwtSecret(configured: string | null, dataDir: string): Uint8Array {
  if (configured !== null) return new TextEncoder().encode(configured);
  const file = path.join(dataDir, 'jwt-secret');
  ensurePrivateDir(dataDir);
  if (!fs.existsSync(file)) {
    try {
      fs.writeFileSync(file, crypto.randomBytes(48).toString('base64url'), {
        mode: PRIVATE_FILE_MODE,
        flag: 'wx',
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process won the race
    }
  }
  tighten(file, PRIVATE_FILE_MODE);
  return new TextEncoder().encode(fs.readFileSync(file, 'utf8').trim());
}
