/**
 * The collector as one Fastify app: ingest (`/lt.js`, `/collect`), the authenticated API
 * (`/api/*`) and the dashboard's files. server.ts listens with it; tests build the same app and
 * call `inject()` or listen on port 0.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import { HttpError, installErrorHandlers } from './errors.js';
import { createAuthenticate } from './authenticate.js';
import { FixedWindowStore } from './rate-limit-store.js';
import type { Repositories } from './repositories/index.js';
import { createIngestWriter } from './ingest/writer.js';
import type { IpMode } from './ingest/network.js';
import { collectRoutes } from './routes/collect.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { leadRoutes } from './routes/leads.js';
import { overviewRoutes } from './routes/overview.js';
import { passwordRoutes } from './routes/password.js';
import { peopleRoutes } from './routes/people.js';
import { sessionRoutes } from './routes/session.js';
import { siteRoutes } from './routes/sites.js';
import { snippetRoutes } from './routes/snippet.js';
import { tokenRoutes } from './routes/tokens.js';

/** How often the overview's rollups catch up with new data between overview requests. */
const ROLLUP_REFRESH_MS = 10_000;

export interface AppOptions {
  repositories: Repositories;
  /** Where browsers reach this collector (no trailing slash): tags and trail links use it. */
  publicUrl: string;
  /** The built lt.js and dashboard (dist/public). */
  publicDirectory: string;
  logger?: FastifyServerOptions['logger'];
  /** How much of a visitor's IP address is stored (default: truncated). */
  ipMode?: IpMode;
  /** `POST /collect` requests a minute from one IP before 429 (default 6,000; 0: no limit). */
  collectRateLimit?: number;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { repositories, publicUrl, publicDirectory } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    // Two log lines per beacon would drown the log (and cost throughput); failures are logged by
    // the error handler with their request id.
    logController: new LogController({ disableRequestLogging: true }),
    // Behind a reverse proxy the visitor's address is in X-Forwarded-For; the default host binding
    // is loopback, where only a local proxy can reach us.
    trustProxy: ['127.0.0.1', '::1'],
  });
  installErrorHandlers(app);
  const writer = createIngestWriter(repositories.ingest, (error, batches) =>
    app.log.error({ err: error, batches }, 'a group commit failed; its batches were stored one by one'),
  );
  // close() waits for requests in flight, whose handlers wait for their commit; this then catches
  // anything still queued, so every accepted event is on disk before the database is closed.
  app.addHook('onClose', () => writer.drain());
  // The overview refreshes the rollups before answering; this keeps what it has to fold small.
  let folding = Promise.resolve();
  const rollupTimer = setInterval(() => {
    folding = repositories.rollups.refreshRollups().catch((error: unknown) => app.log.error({ err: error }, 'refreshing the overview rollups failed'));
  }, ROLLUP_REFRESH_MS).unref();
  app.addHook('onClose', async () => {
    clearInterval(rollupTimer);
    await folding;
  });
  app.decorateRequest('user', null);
  // Limits are set per route (/collect, /api/login); everything else is unlimited.
  await app.register(fastifyRateLimit, {
    global: false,
    store: FixedWindowStore,
    errorResponseBuilder: (_request, context) => new HttpError(429, 'rate limited', { retry_after: context.after }),
  });

  await app.register(snippetRoutes, { publicDirectory });
  await app.register(collectRoutes, {
    sites: repositories.sites,
    writer,
    ipMode: options.ipMode ?? 'truncated',
    rateLimitPerMinute: options.collectRateLimit ?? 6000,
  });

  await app.register(
    async (api) => {
      // Only the API reads cookies; beacons and static files skip the parsing.
      await api.register(fastifyCookie);
      await api.register(sessionRoutes, { accounts: repositories.accounts, secureCookies: publicUrl.startsWith('https:') });
      await api.register(async (authenticated) => {
        authenticated.addHook('onRequest', createAuthenticate(repositories.accounts));
        await authenticated.register(tokenRoutes, { accounts: repositories.accounts });
        await authenticated.register(passwordRoutes, { accounts: repositories.accounts });
        await authenticated.register(siteRoutes, { sites: repositories.sites, publicUrl });
        await authenticated.register(peopleRoutes, { sites: repositories.sites, people: repositories.people });
        await authenticated.register(leadRoutes, { sites: repositories.sites, leads: repositories.leads, publicUrl });
        await authenticated.register(overviewRoutes, { sites: repositories.sites, overview: repositories.overview, rollups: repositories.rollups });
      });
    },
    { prefix: '/api' },
  );

  // Not registered as a child plugin: the dashboard's page fallback is the app-wide 404 handler.
  await dashboardRoutes(app, { publicDirectory });
  return app;
}
