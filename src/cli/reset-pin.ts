/** `npm run reset-pin [PIN]`: sets a new PIN (random if none given) and revokes every session. */
import crypto from 'node:crypto';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';
import { systemClock } from '../lib/clock.js';
import { createAuthRepository } from '../modules/auth/auth.repository.js';
import { createAuthService } from '../modules/auth/auth.service.js';

const pin = process.argv[2] ?? String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
if (!/^\d{4,12}$/.test(pin)) {
  console.error('A PIN is 4 to 12 digits.');
  process.exit(1);
}
const config = loadConfig();
const database = await createDatabase(config.database);
try {
  const auth = createAuthService({
    repo: createAuthRepository(database.db),
    clock: systemClock,
    secret: new Uint8Array(32),
    accessTtlSeconds: 3600,
    maxFailures: config.loginMaxFailures,
    globalMaxFailures: config.loginGlobalMaxFailures,
    lockoutMinutes: config.loginLockoutMinutes,
  });
  await auth.resetPin(pin);
  console.log(`PIN reset. New PIN: ${pin}\nEvery session was revoked; log in again on each device.`);
  if (config.pin !== null && config.pin !== pin)
    console.log(
      'Note: PIN is also set in the environment/.env; that value replaces this one at the next start.',
    );
} finally {
  await database.close();
}
