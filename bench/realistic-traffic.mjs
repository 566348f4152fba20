// Realistic traffic for the benchmarks that need a full database (disk-per-event,
// dashboard-queries): 200 product pages with real-length titles; each visitor makes 1–3 visits of
// 5 page views, each with an engagement event; 10 % open WhatsApp, 4 % send the contact form (and
// so identify); the first visit arrives from a marketplace, an ad, search, LinkedIn or direct.
// Stored through the real ingest path of the built dist/ without HTTP: records appended to the
// inbox folder in groups of a thousand batches, as a busy server writes them, and stitched out of it
// by the stitcher. A fixed pseudo-random sequence makes every run store the same data.
import { inboxDirectory } from '../dist/collector/ingest/inbox-files.js';
import { openInboxReader } from '../dist/collector/ingest/inbox-reader.js';
import { encodeInboxRecord } from '../dist/collector/ingest/inbox-record.js';
import { openInboxWriter } from '../dist/collector/ingest/inbox-writer.js';
import { createStitchLoop } from '../dist/collector/ingest/stitcher.js';
import { createInboxRepository } from '../dist/collector/repositories/inbox.js';
import { createIngestRepository } from '../dist/collector/repositories/ingest.js';

const SITE = 'https://www.acme-valves.com';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

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
const DEVICE = { browser: 'Chrome', os: 'Windows', device: 'desktop', ip: '80.156.1.0', ipCountry: 'DE', asn: 3320, organisation: 'Deutsche Telekom AG' };
const INQUIRY = { name: 'Ana Souza', company: 'Importadora Souza Ltda', country: 'Brazil', message: 'Please quote 200 pcs DN50 ball valves, CIF Santos, delivery in March.' };

/** Stores about `targetEvents` events for `site` in `database` (the SQLite file `databaseFile`) over the last 25 days; resolves with how many. */
export async function storeRealisticTraffic(database, databaseFile, site, targetEvents) {
  const directory = inboxDirectory(databaseFile);
  const writer = openInboxWriter(directory, () => {});
  const reader = openInboxReader(directory, writer.durableEnd, () => { throw new Error('torn record'); });
  const fail = (error) => { throw error; };
  // No HTTP thread here to wait for; each group is stitched by idle() before the next is stored.
  const stitching = createStitchLoop(reader, createInboxRepository(database), createIngestRepository(database), {
    syncDatabase: async () => {}, onFailure: fail, onFault: fail, httpIsBusy: () => false, waitForRecords: () => true,
  });
  const storeGroup = async (batches) => {
    const receivedAt = Date.now();
    await Promise.all(batches.map((batch) => writer.append(encodeInboxRecord({ siteId: site.id, siteDomains: site.domains, receivedAt, device: DEVICE, body: Buffer.from(JSON.stringify({ ...batch, sent_at: receivedAt })) }))));
    await stitching.idle();
  };
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const pick = (items) => items[Math.floor(random() * items.length)];
  let eventNumber = 0;
  const id = () => `e${(eventNumber++).toString(36)}x${Math.floor(random() * 1e9).toString(36)}`;
  const clockStart = Date.now() - 25 * DAY;

  let stored = 0;
  let pending = [];
  for (let visitorNumber = 0; stored < targetEvents; visitorNumber++) {
    const visitor = `v${visitorNumber.toString(36)}${Math.floor(random() * 1e12).toString(36)}`;
    let time = clockStart + visitorNumber * 2000;
    const visits = 1 + Math.floor(random() * 3);
    for (let visit = 0; visit < visits && stored < targetEvents; visit++) {
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
          const fields = { email: `buyer${visitorNumber}@importer-${visitorNumber % 977}.com`, ...INQUIRY };
          events.push({ id: id(), type: 'form_submit', ts: time + 42_000, url: `${SITE}/contact`, form: 'wpforms-form-12', provider: 'wpforms', outcome: 'success', fields });
        }
        pending.push({ site: site.key, visitor, tz: 'Europe/Berlin', lang: 'de-DE', screen: '1920x1080', events });
        stored += events.length;
        time += MINUTE;
      }
      time += 3 * DAY;
    }
    if (pending.length >= 1000) {
      await storeGroup(pending);
      pending = [];
    }
  }
  await storeGroup(pending);
  stitching.stop();
  await writer.close();
  reader.close();
  return stored;
}
