/** Process entry: read the config, build the app, listen, and shut down gracefully. */
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createDatabase } from './db/database.js';
import { loadJwtSecret } from './lib/secret.js';

async function main(): Promise<void> {
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
  if (generatedPin !== null) {
    // Printed at every start until the first successful login, so the owner can get in.
    console.log(
      `\n  No PIN configured. Log in with this generated PIN: ${generatedPin}\n  (set PIN in .env to choose your own)\n`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
