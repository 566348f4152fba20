/** Group commit (collector/ingest/writer.ts) over a real SQLite file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../collector/db/open.js';
import { createRepositories } from '../../collector/repositories/index.js';
import { createIngestWriter } from '../../collector/ingest/writer.js';
import type { IngestBatch } from '../../collector/ingest/stitch.js';
import type { ValidEvent } from '../../collector/ingest/schema.js';
import { BASE_TIME, pageview } from '../helpers/batches.js';

const device = { browser: null, os: null, device: null, ip: null, ipCountry: null, asn: null, organisation: null, language: null, timeZone: null, screen: null };

function setUp() {
  const database = openDatabase(join(mkdtempSync(join(tmpdir(), 'leadtrail-writer-')), 'leadtrail.db'));
  const repositories = createRepositories(database);
  const failures: number[] = [];
  const writer = createIngestWriter(repositories.ingest, (_error, batches) => failures.push(batches));
  return { database, repositories, writer, failures };
}

const batchFor = (siteId: number, visitor: string): IngestBatch => ({
  siteId,
  siteDomains: ['acme.com'],
  visitorClientId: visitor,
  device,
  // A page view has no defaults, so its wire form is already its validated form.
  events: [pageview(BASE_TIME, 'https://acme.com/') as ValidEvent],
});

describe('createIngestWriter', () => {
  it('commits the batches of one turn together and resolves each after the commit', async () => {
    const { database, repositories, writer, failures } = setUp();
    const site = await repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    const writes = Array.from({ length: 25 }, (_, index) => writer.write(batchFor(site.id, `visitor-${index}`)));
    expect(database.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0);
    await Promise.all(writes);
    expect(database.prepare('SELECT count(*) FROM events').pluck().get()).toBe(25);
    expect(failures).toEqual([]);
  });

  it('refuses only the batch that cannot be stored and keeps the rest of its group', async () => {
    const { database, repositories, writer, failures } = setUp();
    const site = await repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    // A site id that does not exist breaks a foreign key: that batch alone must fail.
    const results = await Promise.allSettled([
      writer.write(batchFor(site.id, 'visitor-a')),
      writer.write(batchFor(999_999, 'visitor-broken')),
      writer.write(batchFor(site.id, 'visitor-b')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(database.prepare('SELECT count(*) FROM events').pluck().get()).toBe(2);
    expect(failures).toEqual([3]);
  });

  it('drains: everything accepted is committed when drain() resolves', async () => {
    const { database, repositories, writer } = setUp();
    const site = await repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    for (let index = 0; index < 10; index++) void writer.write(batchFor(site.id, `visitor-${index}`));
    await writer.drain();
    expect(database.prepare('SELECT count(*) FROM events').pluck().get()).toBe(10);
  });
});
