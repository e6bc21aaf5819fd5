/** `npm run migrate`: applies pending migrations to the configured database and exits. */
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';
import { restrictUmask } from '../lib/secret.js';
import { migrateToLatest } from '../db/migrate.js';

restrictUmask();
const config = loadConfig();
const database = await createDatabase(config.database, { migrate: false });
try {
  const applied = await migrateToLatest(database.db, database.dialect);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
} finally {
  await database.close();
}
