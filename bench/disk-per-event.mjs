// Disk bytes per event: 1 M realistic events stored through the real ingest path (validation
// skipped: stitch + group commit over the repositories of the built dist/), then the SQLite file
// size (with its indexes and the WAL, after a checkpoint) divided by the number of events.
//
//   node bench/disk-per-event.mjs [--events 1000000]
//
// The traffic: 200 product pages with real-length titles; each visitor makes 1–3 visits of about
// 5 page views, each followed by an engagement event; 10 % open WhatsApp, 4 % send the contact
// form (and so identify); the first visit often arrives from a marketplace or an ad.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../dist/collector/db/open.js';
import { createRepositories } from '../dist/collector/repositories/index.js';
import { createIngestWriter } from '../dist/collector/ingest/writer.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' } } });
const TARGET_EVENTS = Number(values.events);
const SITE = 'https://www.acme-valves.com';
const MINUTE = 60_000;

let seed = 42;
/** A fixed pseudo-random sequence, so every run stores the same data. */
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = (items) => items[Math.floor(random() * items.length)];

const PAGES = Array.from({ length: 200 }, (_, index) => ({
  url: `${SITE}/products/${['ball-valves', 'gate-valves', 'check-valves', 'butterfly-valves'][index % 4]}/dn${15 + (index % 40) * 5}-stainless-${index}`,
  title: `Stainless steel ${['ball', 'gate', 'check', 'butterfly'][index % 4]} valve DN${15 + (index % 40) * 5}, PN16 — Acme Valves Co., Ltd.`,
}));
const ARRIVALS = [
  { query: '?utm_source=alibaba.com&utm_medium=referral&utm_campaign=store-link', referrer: 'https://message.alibaba.com/' },
  { query: '?gclid=Cj0KCQiA4NWrBhD-ARIsAFCKwWt8Yv2vVZ9eL3jz', referrer: 'https://www.google.com/' },
  { query: '', referrer: 'https://www.google.com/' },
  { query: '', referrer: 'https://www.linkedin.com/' },
  { query: '', referrer: '' },
];

const directory = mkdtempSync(join(tmpdir(), 'leadtrail-disk-'));
const file = join(directory, 'leadtrail.db');
const database = openDatabase(file);
const repositories = createRepositories(database);
const writer = createIngestWriter(repositories.ingest, (error) => { throw error; });
const site = await repositories.sites.createSite({ name: 'Acme', domains: ['acme-valves.com'] });
const device = { browser: 'Chrome', os: 'Windows', device: 'desktop', ip: '80.156.1.0', ipCountry: 'DE', asn: 3320, organisation: 'Deutsche Telekom AG', language: 'de-DE', timeZone: 'Europe/Berlin', screen: '1920x1080' };

let stored = 0;
let eventNumber = 0;
const startedAt = Date.now();
const clockStart = startedAt - 25 * 24 * 60 * MINUTE;
const id = () => `e${(eventNumber++).toString(36)}x${Math.floor(random() * 1e9).toString(36)}`;
let pending = [];

for (let visitorNumber = 0; stored < TARGET_EVENTS; visitorNumber++) {
  const visitor = `v${visitorNumber.toString(36)}${Math.floor(random() * 1e12).toString(36)}`;
  let time = clockStart + visitorNumber * 2000;
  const visits = 1 + Math.floor(random() * 3);
  for (let visit = 0; visit < visits && stored < TARGET_EVENTS; visit++) {
    const arrival = visit === 0 ? pick(ARRIVALS) : ARRIVALS[4];
    // A page view and its engagement go out together, as the snippet batches them.
    for (let view = 0; view < 5; view++) {
      const page = pick(PAGES);
      const url = view === 0 ? page.url + arrival.query : page.url;
      const events = [
        { id: id(), type: 'pageview', ts: time, url, title: page.title, referrer: view === 0 ? arrival.referrer || undefined : `${SITE}/products` },
        { id: id(), type: 'engagement', ts: time + 40_000, url, seconds: 35, scroll: 70 },
      ];
      if (view === 2 && random() < 0.1) events.push({ id: id(), type: 'chat_open', ts: time + 41_000, url, provider: 'whatsapp', target: '8613800000000' });
      if (view === 4 && random() < 0.04) {
        events.push({ id: id(), type: 'form_submit', ts: time + 42_000, url: `${SITE}/contact`, form: 'wpforms-form-12', provider: 'wpforms', outcome: 'success',
          fields: { email: `buyer${visitorNumber}@importer-${visitorNumber % 977}.com`, name: 'Ana Souza', company: 'Importadora Souza Ltda', country: 'Brazil', message: 'Please quote 200 pcs DN50 ball valves, CIF Santos, delivery in March.' } });
      }
      pending.push(writer.write({ siteId: site.id, siteDomains: site.domains, visitorClientId: visitor, device, events }));
      stored += events.length;
      time += 60_000;
    }
    time += 3 * 24 * 60 * MINUTE;
  }
  // Group commits of about a thousand batches, as a busy server makes.
  if (pending.length >= 1000) {
    await Promise.all(pending);
    pending = [];
  }
}
await Promise.all(pending);
database.pragma('wal_checkpoint(TRUNCATE)');
const events = database.prepare('SELECT count(*) FROM events').pluck().get();
const tables = database.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all();
database.close();
const bytes = statSync(file).size;
console.log(`${events} events, ${(bytes / 2 ** 20).toFixed(1)} MiB, ${(bytes / events).toFixed(1)} bytes per event, stored in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
console.table(tables.map((table) => ({ ...table, perEvent: +(table.bytes / events).toFixed(1) })));
