// A diagnostic server for bench/ingest.mjs: the real POST /collect route (parsing, validation,
// site and origin checks, clock correction, enrichment) with a writer that stores nothing, on the
// port given as the first argument. Comparing it with bare Fastify and with the real collector
// splits the cost of ingest between the request path and storage.
import Fastify from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../dist/collector/db/open.js';
import { createRepositories } from '../dist/collector/repositories/index.js';
import { collectRoutes } from '../dist/collector/routes/collect.js';
import { installErrorHandlers } from '../dist/collector/errors.js';

const repositories = createRepositories(openDatabase(join(mkdtempSync(join(tmpdir(), 'leadtrail-nostore-')), 'leadtrail.db')));
const site = await repositories.sites.createSite({ name: 'Bench', domains: ['acme-valves.com'] });
const app = Fastify({ logger: false });
installErrorHandlers(app);
const storesNothing = { write: async () => {}, drain: async () => {} };
await app.register(collectRoutes, { sites: repositories.sites, writer: storesNothing, ipMode: 'truncated', rateLimitPerMinute: 0 });
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
console.log(`ready ${site.key}`);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(0));
