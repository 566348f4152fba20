/**
 * `leadtrail serve`: opens the database, makes sure the admin account exists, listens, and on
 * SIGTERM / SIGINT stops taking requests, commits every accepted event and closes the file.
 */
import { readConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { createRepositories } from './repositories/index.js';
import { createIngestWriter } from './ingest/writer.js';
import { ensureAdminAccount } from './admin.js';
import { buildApp } from './app.js';
import { PUBLIC_DIRECTORY } from './paths.js';

export async function startServer(environment: NodeJS.ProcessEnv): Promise<void> {
  const config = readConfig(environment);
  const database = openDatabase(config.databaseFile);
  const repositories = createRepositories(database);
  const writer = createIngestWriter(repositories.ingest);
  const app = await buildApp({
    repositories,
    writer,
    publicUrl: config.publicUrl,
    publicDirectory: PUBLIC_DIRECTORY,
    logger: { level: config.logLevel },
    ipMode: config.ipMode,
    collectRateLimit: config.collectRateLimit,
  });

  const admin = await ensureAdminAccount(repositories.accounts, config.adminPassword);
  if (admin.generatedPassword) {
    app.log.warn({ user: 'admin', password: admin.generatedPassword }, 'Created the admin account with this generated password; it is shown only once');
  } else if (admin.created) {
    app.log.info({ user: 'admin' }, 'Created the admin account with LEADTRAIL_ADMIN_PASSWORD');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'Stopping: finishing requests and committing accepted events');
    // close() stops accepting connections and waits for requests in flight, whose handlers wait
    // for their commit; drain() then catches anything still queued.
    await app.close();
    await writer.drain();
    database.close();
    app.log.info('Stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info({ url: `${config.publicUrl}/`, database: config.databaseFile }, 'Leadtrail dashboard');
}
