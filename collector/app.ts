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
import { createBeaconJudge } from './ingest/accept.js';
import { startIngestPipeline, type IngestPipeline } from './ingest/pipeline.js';
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

declare module 'fastify' {
  interface FastifyInstance {
    /** The ingest worker behind `POST /collect`; `settled()` waits until acknowledged beacons are in their trails. */
    ingest: IngestPipeline;
  }
}

export interface AppOptions {
  repositories: Repositories;
  /** The SQLite file behind `repositories`: the ingest worker opens its own connection to it. */
  databaseFile: string;
  /** Where browsers reach this collector (no trailing slash): tags and trail links use it. */
  publicUrl: string;
  /** The built lt.js and dashboard (dist/public). */
  publicDirectory: string;
  logger?: FastifyServerOptions['logger'];
  /** How much of a visitor's IP address a site without its own IP mode stores (default: truncated). */
  ipMode?: IpMode;
  /** `POST /collect` requests a minute from one IP before 429 (default 6,000; 0: no limit). */
  collectRateLimit?: number;
  /** How often the retention purge runs after the one at start (default: hourly). */
  purgeIntervalMs?: number;
  /** When the inbox starts a new segment file (default 32 MB; tests use small ones). */
  inboxSegmentBytes?: number;
  /** How often a segment holding records is closed, so it can be deleted once stitched (default 10 minutes). */
  inboxSegmentMaxAgeMs?: number;
}

const PURGE_INTERVAL_MS = 60 * 60_000;

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
  const ipMode = options.ipMode ?? 'truncated';
  const ingest = startIngestPipeline({ databaseFile: options.databaseFile, log: app.log, segmentBytes: options.inboxSegmentBytes, segmentMaxAgeMs: options.inboxSegmentMaxAgeMs });
  app.decorate('ingest', ingest);
  // close() waits for requests in flight, whose handlers wait for their fsync; this then stitches
  // what is left and stops the worker, so every accepted event is in its trail before the database is closed.
  app.addHook('onClose', () => ingest.close());
  scheduleRetentionPurge(app, repositories, options.purgeIntervalMs ?? PURGE_INTERVAL_MS);
  app.decorateRequest('user', null);
  // Limits are set per route (/collect, /api/login); everything else is unlimited.
  await app.register(fastifyRateLimit, {
    global: false,
    store: FixedWindowStore,
    errorResponseBuilder: (_request, context) => new HttpError(429, 'rate limited', { retry_after: context.after }),
  });

  await app.register(snippetRoutes, { publicDirectory });
  await app.register(collectRoutes, {
    judge: createBeaconJudge(repositories.sites, ipMode),
    ingest,
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
        await authenticated.register(siteRoutes, { sites: repositories.sites, publicUrl, defaultIpMode: ipMode });
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

/**
 * Sites' retention (repositories/retention.ts) is applied when the app is ready and then on a
 * timer. One purge at a time; closing stops it between two steps, before the database closes.
 */
function scheduleRetentionPurge(app: FastifyInstance, repositories: Repositories, intervalMs: number): void {
  const stop = new AbortController();
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  const purge = () => {
    running ??= repositories.retention
      .purgeExpired({ signal: stop.signal })
      .then(
        (purged) => {
          if (purged.events + purged.sessions + purged.people + purged.setAside > 0) app.log.info({ purged }, 'Retention purge: deleted expired events');
        },
        (error: unknown) => app.log.error({ err: error }, 'retention purge failed'),
      )
      .finally(() => {
        running = null;
      });
  };
  app.addHook('onReady', async () => {
    purge();
    // unref: a timer alone must not keep a process (a test, a CLI command) alive.
    timer = setInterval(purge, intervalMs).unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    stop.abort();
    await running;
  });
}
