/**
 * Builds the real collector for a test: a fresh SQLite file in a temp folder, the real app with
 * the built dist/public assets, and the admin account. Use `inject()` on `app`, or `startCollector`
 * to listen on a real port for browsers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildApp, type AppOptions } from '../../collector/app.js';
import { ensureAdminAccount } from '../../collector/admin.js';
import { openDatabase, type SqliteDatabase } from '../../collector/db/open.js';
import { PUBLIC_DIRECTORY } from '../../collector/paths.js';
import { createRepositories, type Repositories } from '../../collector/repositories/index.js';
import type { CollectBatch } from '../../collector/ingest/schema.js';
import { DESKTOP_CHROME_USER_AGENT } from './browser.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestCollector {
  app: FastifyInstance;
  database: SqliteDatabase;
  repositories: Repositories;
  databaseFile: string;
  adminPassword: string;
  /** Base URL (no trailing slash) once listening; the public URL used for tags and links. */
  url: string;
  close(): Promise<void>;
}

export async function createTestCollector(
  options: { listen?: boolean; databaseFile?: string; app?: Partial<Pick<AppOptions, 'ipMode' | 'collectRateLimit' | 'inboxSegmentBytes' | 'inboxSegmentMaxAgeMs'>> } = {},
): Promise<TestCollector> {
  const directory = mkdtempSync(join(tmpdir(), 'leadtrail-test-'));
  const databaseFile = options.databaseFile ?? join(directory, 'leadtrail.db');
  const database = openDatabase(databaseFile);
  const repositories = createRepositories(database);
  await ensureAdminAccount(repositories.accounts, ADMIN_PASSWORD);

  // The public URL must be known before the app is built; listening on a fixed free port would
  // race other test files, so the port is learned first from a throwaway listener.
  const port = options.listen ? await findFreePort() : 0;
  const url = options.listen ? `http://127.0.0.1:${port}` : 'http://collector.test';
  const app = await buildApp({ repositories, databaseFile, publicUrl: url, publicDirectory: PUBLIC_DIRECTORY, ...options.app });
  if (options.listen) await app.listen({ port, host: '127.0.0.1' });

  return {
    app,
    database,
    repositories,
    databaseFile,
    adminPassword: ADMIN_PASSWORD,
    url,
    async close() {
      await app.close();
      database.close();
      if (!options.databaseFile) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The real collector on 127.0.0.1 and a free port, for browser tests. */
export function startCollector(): Promise<TestCollector> {
  return createTestCollector({ listen: true });
}

async function findFreePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A collector, the admin's login cookie and one site for acme-valves.com: where most API tests start. */
export async function createCollectorWithSite(
  options: Parameters<typeof createTestCollector>[0] = {},
): Promise<{ collector: TestCollector; cookie: string; siteKey: string }> {
  const collector = await createTestCollector(options);
  const cookie = await loginCookie(collector.app);
  const response = await collector.app.inject({ method: 'POST', url: '/api/sites', payload: { name: 'Acme', domains: ['acme-valves.com'] }, headers: { cookie } });
  if (response.statusCode !== 201) throw new Error(`creating the site failed: ${response.statusCode} ${response.body}`);
  return { collector, cookie, siteKey: response.json().key };
}

/** Logs in through the API and returns the Cookie header value to send. */
export async function loginCookie(app: FastifyInstance, password = ADMIN_PASSWORD): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/login', payload: { password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((entry) => entry.name === 'lt_session');
  if (!cookie) throw new Error('login set no session cookie');
  return `lt_session=${cookie.value}`;
}

/**
 * Sends one batch to `POST /collect` as the snippet does: a text/plain body, from the test site's
 * origin (https://acme-valves.com unless `headers` says otherwise), with a desktop Chrome user agent.
 * Resolves once the batch is stitched into its trail (stitching follows the 204 by a moment), so
 * a test can read the trail next.
 */
export async function postBatch(app: FastifyInstance, body: CollectBatch, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/collect',
    headers: { 'content-type': 'text/plain', origin: 'https://acme-valves.com', 'user-agent': DESKTOP_CHROME_USER_AGENT, ...headers },
    payload: JSON.stringify(body),
  });
  await app.ingest.settled();
  return response;
}

/** `postBatch` for a batch the test expects stored: fails the test, with the answer's body, unless it is answered 204. */
export async function postAcceptedBatch(app: FastifyInstance, body: CollectBatch, headers: Record<string, string> = {}): Promise<void> {
  const response = await postBatch(app, body, headers);
  expect(response.statusCode, response.body).toBe(204);
}
