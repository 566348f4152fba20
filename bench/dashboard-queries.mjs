// Dashboard answers on a full database (issue 5: ≤ 300 ms with 1 M events): seeds realistic traffic
// (bench/realistic-traffic.mjs), then times the API routes the screens call, through the real app
// (inject(), logged in), several times each; medians and the slowest. The first overview call
// also folds the whole seeded database into the rollups; a rebuild then times that fold alone,
// with the longest the event loop was held.
//
//   node bench/dashboard-queries.mjs [--events 1000000] [--runs 7]
import { mkdtempSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../dist/collector/db/open.js';
import { createRepositories } from '../dist/collector/repositories/index.js';
import { buildApp } from '../dist/collector/app.js';
import { ensureAdminAccount } from '../dist/collector/admin.js';
import { PUBLIC_DIRECTORY } from '../dist/collector/paths.js';
import { storeRealisticTraffic } from './realistic-traffic.mjs';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '7' } } });
const RUNS = Number(values.runs);

const database = openDatabase(join(mkdtempSync(join(tmpdir(), 'leadtrail-dashboard-')), 'leadtrail.db'));
const repositories = createRepositories(database);
const site = await repositories.sites.createSite({ name: 'Acme', domains: ['acme-valves.com'] });
const stored = await storeRealisticTraffic(repositories, site, Number(values.events));
await ensureAdminAccount(repositories.accounts, 'bench-password');
const app = await buildApp({ repositories, publicUrl: 'http://127.0.0.1:3000', publicDirectory: PUBLIC_DIRECTORY });
const login = await app.inject({ method: 'POST', url: '/api/login', payload: { password: 'bench-password' } });
const cookie = `lt_session=${login.cookies.find((entry) => entry.name === 'lt_session').value}`;

const lead = database.prepare('SELECT id FROM people WHERE email IS NOT NULL ORDER BY last_seen DESC LIMIT 1').pluck().get();
const people = database.prepare('SELECT count(*) FROM people').pluck().get();
const today = new Date().toISOString().slice(0, 10);
const monthAgo = new Date(Date.now() - 30 * 24 * 60 * 60_000).toISOString().slice(0, 10);
const routes = {
  'overview, last 30 days': `/api/overview?site=${site.key}&from=${monthAgo}&to=${today}`,
  'people, first page': `/api/visitors?site=${site.key}`,
  'people, search "importer-12"': `/api/visitors?site=${site.key}&q=importer-12`,
  'people, identified only': `/api/visitors?site=${site.key}&identified=true`,
  'people, country DE': `/api/visitors?site=${site.key}&country=DE`,
  'one lead\'s trail': `/api/people/${lead}/trail`,
  'leads (JSON, all)': `/api/leads?site=${site.key}`,
};

console.log(`${stored} events, ${people} people`);
const firstStarted = performance.now();
const first = await app.inject({ url: routes['overview, last 30 days'], headers: { cookie } });
if (first.statusCode !== 200) throw new Error(`first overview: ${first.statusCode} ${first.body.slice(0, 200)}`);
console.log(`overview, first call after seeding (rollups catch up): ${(performance.now() - firstStarted).toFixed(0)} ms`);
routes['overview, visitors now'] = `/api/overview/now?site=${site.key}`;

const results = [];
for (const [name, url] of Object.entries(routes)) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const response = await app.inject({ url, headers: { cookie } });
    times.push(performance.now() - started);
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 200)}`);
  }
  times.sort((a, b) => a - b);
  results.push({ route: name, medianMs: +times[Math.floor(times.length / 2)].toFixed(1), slowestMs: +times.at(-1).toFixed(1) });
}
console.table(results);

const clearStarted = performance.now();
await repositories.rollups.rebuildSiteRollups(site.id);
console.log(`rebuildSiteRollups (clears the site's rollups; the refresh below refills them): ${(performance.now() - clearStarted).toFixed(0)} ms`);
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const foldStarted = performance.now();
await repositories.rollups.refreshRollups();
const foldMs = performance.now() - foldStarted;
loopDelay.disable();
console.log(`refreshRollups, all ${stored} events and ${people} people from scratch: ${foldMs.toFixed(0)} ms; event loop held at most ${(loopDelay.max / 1e6).toFixed(0)} ms`);
await app.close();
database.close();
