/** Process entry: read the config, build the app, listen, and shut down gracefully. */
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createDatabase } from './db/database.js';
import { ensurePrivateDir, loadJwtSecret, restrictUmask } from './lib/secret.js';

async function main(): Promise<void> {
  restrictUmask();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  ensurePrivateDir(config.dataDir);
  const database = await createDatabase(config.database);
  const { app, generatedPin } = await buildApp({
    config,
    database,
    jwtSecret: loadJwtSecret(config.jwtSecret, config.dataDir),
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  await app.listen({ host: config.host, port: config.port });
  const where = config.database.kind === 'sqlite' ? config.database.file : 'PostgreSQL';
  app.log.info(
    `ClawChat listening on ${config.host}:${config.port} (database: ${where}, AI: ${config.ai.provider})`,
  );
  // The one line a newcomer needs after `npm start`: where to open the app.
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  console.log(
    `\n  ClawChat is running: open http://${shown.includes(':') ? `[${shown}]` : shown}:${config.port}\n`,
  );
  if (generatedPin !== null) {
    // Shown this once: only its hash is kept. A lost one is replaced with `npm run reset-pin`.
    console.log(
      `\n  No PIN configured. Log in with this generated PIN: ${generatedPin}\n` +
        '  It is shown only now. Set PIN in .env to choose your own, or run `npm run reset-pin` for a new one.\n',
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
