// Dashboard answers on a full database (issue 5: ≤ 300 ms with 1 M events): seeds realistic traffic
// (bench/realistic-traffic.mjs), then times the API routes the screens call, through the real app
// (inject(), logged in), several times each; medians and the slowest. The first overview call
// also folds the whole seeded database into the rollups; a rebuild then times that fold alone,
// with the longest the event loop was held.
//
//   node bench/dashboard-queries.mjs [--events 1000000] [--runs 7]
import { mkdtempSync, rmSync } from 'node:fs';
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

const directory = mkdtempSync(join(tmpdir(), 'leadtrail-dashboard-'));
const databaseFile = join(directory, 'leadtrail.db');
const database = openDatabase(databaseFile);
const repositories = createRepositories(database);
const site = await repositories.sites.createSite({ name: 'Acme', domains: ['acme-valves.com'] });
const stored = await storeRealisticTraffic(database, databaseFile, site, Number(values.events));
await ensureAdminAccount(repositories.accounts, 'bench-password');
const app = await buildApp({ repositories, databaseFile, publicUrl: 'http://127.0.0.1:3000', publicDirectory: PUBLIC_DIRECTORY });
const login = await app.inject({ method: 'POST', url: '/api/login', payload: { password: 'bench-password' } });
const cookie = `lt_session=${login.cookies.find((entry) => entry.name === 'lt_session').value}`;

const lead = database.prepare('SELECT id FROM people WHERE email IS NOT NULL ORDER BY last_seen DESC LIMIT 1').pluck().get();
const people = database.prepare('SELECT count(*) FROM people').pluck().get();
const daysAgo = (days) => new Date(Date.now() - days * 24 * 60 * 60_000).toISOString().slice(0, 10);
const today = daysAgo(0);
const monthAgo = daysAgo(30);
const peopleList = `/api/visitors?site=${site.key}`;
// A second page of each order, from the cursor its first page returned.
const secondPage = async (query) => {
  const response = await app.inject({ url: `${peopleList}&${query}`, headers: { cookie } });
  return `${peopleList}&${query}&cursor=${response.json().next}`;
};
const routes = {
  'overview, last 30 days': `/api/overview?site=${site.key}&from=${monthAgo}&to=${today}`,
  'people, first page': peopleList,
  'people, search "importer-12"': `${peopleList}&q=importer-12`,
  'people, identified only': `${peopleList}&identified=true`,
  'people, country DE': `${peopleList}&country=DE`,
  'people, last seen, oldest first': `${peopleList}&sort=last_seen&order=asc`,
  'people, first seen, newest first': `${peopleList}&sort=first_seen`,
  'people, first seen, oldest first': `${peopleList}&sort=first_seen&order=asc`,
  'people, name A–Z': `${peopleList}&sort=name`,
  'people, name Z–A': `${peopleList}&sort=name&order=desc`,
  'people, name A–Z, second page': await secondPage('sort=name'),
  'people, company A–Z': `${peopleList}&sort=company`,
  'people, company Z–A, second page': await secondPage('sort=company&order=desc'),
  'people, stated country A–Z': `${peopleList}&sort=country`,
  'people, visits, most first': `${peopleList}&sort=sessions`,
  'people, visits, fewest first, second page': await secondPage('sort=sessions&order=asc'),
  // realistic-traffic.mjs spreads first visits over about a day 25 days ago, returns 3 and 6 days later.
  'people, active on one day (22 days ago)': `${peopleList}&from=${daysAgo(22)}&to=${daysAgo(22)}`,
  'people, one day, by name': `${peopleList}&from=${daysAgo(22)}&to=${daysAgo(22)}&sort=name`,
  'people, one day, identified, by visits': `${peopleList}&from=${daysAgo(22)}&to=${daysAgo(22)}&identified=true&sort=sessions`,
  'people, one day, search "importer-12", by first seen': `${peopleList}&from=${daysAgo(22)}&to=${daysAgo(22)}&q=importer-12&sort=first_seen`,
  'people, active in the last 7 days (nobody), by company': `${peopleList}&from=${daysAgo(6)}&sort=company`,
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
// About 150 MB a run: a benchmark left on a shared machine's /tmp fills it.
rmSync(directory, { recursive: true, force: true });
