/**
 * `leadtrail serve`: opens the database, makes sure the admin account exists, listens, and on
 * SIGTERM / SIGINT stops taking requests, commits every accepted event and closes the file.
 */
import { readConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { createRepositories } from './repositories/index.js';
import { ensureAdminAccount } from './admin.js';
import { buildApp } from './app.js';
import { PUBLIC_DIRECTORY } from './paths.js';
import { loadNetworkDatabases } from './ingest/network.js';

export async function startServer(environment: NodeJS.ProcessEnv): Promise<void> {
  const config = readConfig(environment);
  const database = openDatabase(config.databaseFile);
  const repositories = createRepositories(database);
  const app = await buildApp({
    repositories,
    databaseFile: config.databaseFile,
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
    // close() stops accepting connections, finishes the requests in flight and commits every
    // accepted event (the app's onClose hook) before the file is closed.
    await app.close();
    database.close();
    app.log.info('Stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  loadNetworkDatabases();
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ url: `${config.publicUrl}/`, database: config.databaseFile }, 'Leadtrail dashboard');
}
