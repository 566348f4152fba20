/**
 * The ingest path behind `POST /collect`: group commit into the inbox (ingest/group-commit.ts),
 * stitching out of it (ingest/stitcher.ts) in the worker thread, resumed after a crash.
 * Real SQLite files, the real app and its real worker.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../collector/db/open.js';
import { createGroupCommit } from '../../collector/ingest/group-commit.js';
import type { IngestBatch } from '../../collector/ingest/stitch.js';
import type { ValidEvent } from '../../collector/ingest/schema.js';
import { createInboxRepository } from '../../collector/repositories/inbox.js';
import { createSiteRepository } from '../../collector/repositories/sites.js';
import { createTestCollector, postBatch, type TestCollector } from '../helpers/collector.js';
import { BASE_TIME, batch, pageview } from '../helpers/batches.js';
import { DESKTOP_CHROME_USER_AGENT } from '../helpers/browser.js';

const device = { browser: null, os: null, device: null, ip: null, ipCountry: null, asn: null, organisation: null, language: null, timeZone: null, screen: null };

const storedBatch = (siteId: number, visitor: string, url: string): IngestBatch => ({
  siteId,
  siteDomains: ['acme.com'],
  visitorClientId: visitor,
  device,
  // A page view has no defaults, so its wire form is already its validated form.
  events: [pageview(BASE_TIME, url) as ValidEvent],
});

describe('createGroupCommit', () => {
  /** A stand-in fsync that the test completes by hand, to see what waits for it. */
  function controlledSync() {
    const waiting: Array<() => void> = [];
    return {
      record: () => new Promise<void>((resolve) => waiting.push(resolve)),
      get inFlight() {
        return waiting.length;
      },
      completeOne: () => waiting.shift()!(),
    };
  }
  const instantSync = async () => {};

  it('commits the items written in one turn together and resolves each only after its fsync', async () => {
    const commits: number[][] = [];
    const syncs = controlledSync();
    const group = createGroupCommit<number>((items) => commits.push(items), syncs.record);
    let resolved = 0;
    const writes = Array.from({ length: 25 }, (_, index) => group.write(index).then(() => resolved++));
    expect(commits).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits).toEqual([Array.from({ length: 25 }, (_, index) => index)]);
    expect([syncs.inFlight, resolved]).toEqual([1, 0]);

    // The next group commits while the first fsync is in flight; one later fsync covers it.
    const late = [group.write(25), group.write(26)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits).toHaveLength(2);
    expect(syncs.inFlight).toBe(1);
    syncs.completeOne();
    await Promise.all(writes);
    expect(resolved).toBe(25);
    await new Promise((resolve) => setImmediate(resolve));
    expect(syncs.inFlight).toBe(1);
    syncs.completeOne();
    await Promise.all(late);
  });

  it('rejects every write of a group whose commit failed, and commits the next group', async () => {
    let fail = true;
    const committed: string[] = [];
    const group = createGroupCommit<string>((items) => {
      if (fail) throw new Error('disk full');
      committed.push(...items);
    }, instantSync);
    const results = await Promise.allSettled([group.write('a'), group.write('b')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await group.write('c');
    expect(committed).toEqual(['c']);
  });

  it('rejects the writes an fsync failed for', async () => {
    const group = createGroupCommit<number>(() => {}, () => Promise.reject(new Error('I/O error')));
    await expect(group.write(1)).rejects.toThrow('I/O error');
  });

  it('drains: everything written is committed when drain() resolves', async () => {
    const committed: number[] = [];
    const group = createGroupCommit<number>((items) => committed.push(...items), instantSync);
    for (let index = 0; index < 10; index++) void group.write(index);
    await group.drain();
    expect(committed).toHaveLength(10);
  });
});

describe('the ingest worker', () => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  const count = (table: string) => collector!.database.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

  it('stitches, at start, batches an earlier process acknowledged but did not stitch (a crash)', async () => {
    const databaseFile = join(mkdtempSync(join(tmpdir(), 'leadtrail-inbox-')), 'leadtrail.db');
    const database = openDatabase(databaseFile);
    const site = await createSiteRepository(database).createSite({ name: 'Acme', domains: ['acme.com'] });
    createInboxRepository(database).append([storedBatch(site.id, 'visitor-crashed-1', 'https://acme.com/a'), storedBatch(site.id, 'visitor-crashed-2', 'https://acme.com/b')].map((batch) => JSON.stringify(batch)), Date.now());
    database.close();

    collector = await createTestCollector({ databaseFile });
    await collector.app.ingest.settled();
    expect([count('ingest_inbox'), count('events'), count('visitors')]).toEqual([0, 2, 2]);
  });

  it('sets a batch that cannot be stitched aside, marked with the reason, and stitches the rest', async () => {
    const databaseFile = join(mkdtempSync(join(tmpdir(), 'leadtrail-inbox-')), 'leadtrail.db');
    const database = openDatabase(databaseFile);
    const site = await createSiteRepository(database).createSite({ name: 'Acme', domains: ['acme.com'] });
    // A site id that does not exist breaks a foreign key: that batch alone must fail.
    createInboxRepository(database).append(
      [storedBatch(site.id, 'visitor-good-1', 'https://acme.com/a'), storedBatch(999_999, 'visitor-broken', 'https://acme.com/b'), storedBatch(site.id, 'visitor-good-2', 'https://acme.com/c')].map((batch) =>
        JSON.stringify(batch),
      ),
      Date.now(),
    );
    database.close();

    collector = await createTestCollector({ databaseFile });
    await collector.app.ingest.settled();
    expect(count('events')).toBe(2);
    const setAside = collector.database.prepare('SELECT batch, failure FROM ingest_inbox').all() as Array<{ batch: string; failure: string }>;
    expect(setAside).toHaveLength(1);
    expect(JSON.parse(setAside[0]!.batch).visitorClientId).toBe('visitor-broken');
    expect(setAside[0]!.failure).toMatch(/FOREIGN KEY/);
    // The app keeps taking beacons after it.
    expect((await postBatch(collector.app, batch(site.key, 'visitor-after-1', [pageview(BASE_TIME, 'https://acme.com/d')]), { origin: 'https://acme.com' })).statusCode).toBe(204);
    expect(count('events')).toBe(3);
  });

  it('stores a batch sent twice at once (a retry racing the original) once', async () => {
    collector = await createTestCollector();
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    const body = batch(site.key, 'visitor-twice', [pageview(BASE_TIME, 'https://acme.com/a'), pageview(BASE_TIME + 1000, 'https://acme.com/b')]);
    const responses = await Promise.all([postBatch(collector.app, body, { origin: 'https://acme.com' }), postBatch(collector.app, body, { origin: 'https://acme.com' })]);
    expect(responses.map((response) => response.statusCode)).toEqual([204, 204]);
    expect([count('events'), count('ingest_inbox')]).toEqual([2, 0]);
  });

  it('answers 500 while the inbox cannot be written, loses nothing it answered 204 for, and recovers', async () => {
    collector = await createTestCollector();
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    const send = (visitor: string) => postBatch(collector!.app, batch(site.key, visitor, [pageview(BASE_TIME, 'https://acme.com/a')]), { origin: 'https://acme.com' });
    expect((await send('visitor-before')).statusCode).toBe(204);

    // The worker's table disappears under it: its commits fail as they would on a broken disk.
    collector.database.exec('ALTER TABLE ingest_inbox RENAME TO ingest_inbox_away');
    const refused = await collector.app.inject({
      method: 'POST',
      url: '/collect',
      headers: { 'content-type': 'text/plain', origin: 'https://acme.com', 'user-agent': DESKTOP_CHROME_USER_AGENT },
      payload: JSON.stringify(batch(site.key, 'visitor-during', [pageview(BASE_TIME, 'https://acme.com/b')])),
    });
    expect(refused.statusCode).toBe(500);
    expect(refused.json()).toEqual({ error: 'internal error', details: { reason: 'the batch could not be stored; send it again' } });

    collector.database.exec('ALTER TABLE ingest_inbox_away RENAME TO ingest_inbox');
    // The snippet sends the refused batch again; it and the next are stored, the first is still there.
    expect((await send('visitor-during')).statusCode).toBe(204);
    expect((await send('visitor-after')).statusCode).toBe(204);
    const visitors = collector.database.prepare('SELECT client_id FROM visitors ORDER BY id').pluck().all();
    expect(visitors).toEqual(['visitor-before', 'visitor-during', 'visitor-after']);
  });
});
