/**
 * The ingest path behind `POST /collect`: records appended to the inbox folder with a group commit
 * (ingest/group-commit.ts, ingest/inbox-writer.ts) and synced on the sync thread, read back in
 * order (ingest/inbox-reader.ts) and stitched by the worker thread (ingest/stitcher.ts), resumed
 * after a crash. Real files, real SQLite files, the real app and its real threads.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../collector/db/open.js';
import { MAX_GROUP_ITEMS, createGroupCommit } from '../../collector/ingest/group-commit.js';
import { inboxDirectory, listSegments, segmentFile, type InboxPosition } from '../../collector/ingest/inbox-files.js';
import { createIngestProgressMemory, progressPublisher, progressReader } from '../../collector/ingest/ingest-progress.js';
import { openInboxReader } from '../../collector/ingest/inbox-reader.js';
import { encodeInboxRecord } from '../../collector/ingest/inbox-record.js';
import { openInboxWriter, type InboxWriter } from '../../collector/ingest/inbox-writer.js';
import type { ValidEvent } from '../../collector/ingest/schema.js';
import type { IngestBatch } from '../../collector/ingest/stitch.js';
import { createStitchLoop, type StitchLoop } from '../../collector/ingest/stitcher.js';
import { SYNC_THREAD_NICE_ABOVE_HTTP } from '../../collector/ingest/sync-thread-protocol.js';
import { INGEST_WORKER_NICE_ABOVE_HTTP } from '../../collector/ingest/worker-protocol.js';
import { createInboxRepository } from '../../collector/repositories/inbox.js';
import { createIngestRepository } from '../../collector/repositories/ingest.js';
import { createSiteRepository } from '../../collector/repositories/sites.js';
import { createTestCollector, postBatch, type TestCollector } from '../helpers/collector.js';
import { BASE_TIME, batch, pageview } from '../helpers/batches.js';
import { DESKTOP_CHROME_USER_AGENT } from '../helpers/browser.js';
import { threadsBelowThisOne } from '../helpers/threads.js';

const device = { browser: null, os: null, device: null, ip: null, ipCountry: null, asn: null, organisation: null };

/** The inbox record `POST /collect` would write for one page view, as text. */
const record = (siteId: number, visitor: string, url: string) =>
  encodeInboxRecord({ siteId, siteDomains: ['acme.com'], receivedAt: Date.now(), device, body: Buffer.from(JSON.stringify(batch('key', visitor, [pageview(BASE_TIME, url)]))) }).toString();

const temporaryFolder = () => mkdtempSync(join(tmpdir(), 'leadtrail-inbox-'));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

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

  it('commits the items written in one turn together and resolves each only after its sync', async () => {
    const commits: number[][] = [];
    const syncs = controlledSync();
    const group = createGroupCommit<number>((items) => commits.push(items), syncs.record);
    let resolved = 0;
    const writes = Array.from({ length: 5 }, (_, index) => group.write(index).then(() => resolved++));
    expect(commits).toEqual([]);
    await nextTurn();
    expect(commits).toEqual([[0, 1, 2, 3, 4]]);
    expect([syncs.inFlight, resolved]).toEqual([1, 0]);

    // The next group commits while the first sync is in flight, and asks for its own at once.
    let lateResolved = 0;
    const late = [group.write(5), group.write(6)].map((write) => write.then(() => lateResolved++));
    await nextTurn();
    expect(commits).toHaveLength(2);
    expect(syncs.inFlight).toBe(2);
    syncs.completeOne();
    await Promise.all(writes);
    expect([resolved, lateResolved]).toEqual([5, 0]);
    syncs.completeOne();
    await Promise.all(late);
  });

  it(`commits a group as soon as it holds ${MAX_GROUP_ITEMS} items, and the rest of the turn at its end`, async () => {
    const commits: number[][] = [];
    const syncs = controlledSync();
    const group = createGroupCommit<number>((items) => commits.push(items), syncs.record);
    const items = Array.from({ length: 2 * MAX_GROUP_ITEMS + 3 }, (_, index) => index);
    const writes = items.map((item) => group.write(item));
    expect(commits.map((committed) => committed.length)).toEqual([MAX_GROUP_ITEMS, MAX_GROUP_ITEMS]);
    expect(syncs.inFlight).toBe(2);
    await nextTurn();
    expect(commits.map((committed) => committed.length)).toEqual([MAX_GROUP_ITEMS, MAX_GROUP_ITEMS, 3]);
    expect(commits.flat()).toEqual(items);
    expect(syncs.inFlight).toBe(3);
    for (let sync = 0; sync < 3; sync++) syncs.completeOne();
    await Promise.all(writes);
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

describe('the inbox files', () => {
  const writers: InboxWriter[] = [];
  afterEach(async () => {
    await Promise.all(writers.splice(0).map((writer) => writer.close()));
  });
  function openWriter(directory: string, segmentBytes?: number) {
    const ends: InboxPosition[] = [];
    const writer = openInboxWriter(directory, (end) => ends.push(end), { segmentBytes });
    writers.push(writer);
    return { writer, ends };
  }

  it('resolves an append once its record is written and synced, one sync for the records of one turn', async () => {
    const directory = temporaryFolder();
    const { writer, ends } = openWriter(directory);
    const records = Array.from({ length: MAX_GROUP_ITEMS - 1 }, (_, index) => `{"n":${index}}\n`);
    await Promise.all(records.map((text) => writer.append(Buffer.from(text))));
    const file = segmentFile(directory, 1);
    expect(readFileSync(file, 'utf8')).toBe(records.join(''));
    expect(ends).toEqual([{ segment: 1, offset: records.join('').length }]);
    expect(writer.durableEnd()).toEqual(ends[0]);
  });

  it('writes on in a new segment after a failed sync, so that no record acknowledged later sits behind the lost ones', async () => {
    const directory = temporaryFolder();
    const { writer } = openWriter(directory);
    await writer.append(Buffer.from('{"n":1}\n'));
    // The segment's descriptor is made to point at /dev/null: the next write "succeeds" and is lost,
    // and its fdatasync fails (EINVAL), as a disk's failed write-back loses a write the kernel took.
    const segment = segmentFile(directory, 1);
    const segmentFd = Number(readdirSync('/proc/self/fd').find((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`) === segment; } catch { return false; } }));
    closeSync(segmentFd);
    expect(openSync('/dev/null', 'r+')).toBe(segmentFd);
    await expect(writer.append(Buffer.from('{"n":2}\n'))).rejects.toThrow(/EINVAL/);
    // The disk answers again (the kernel reports a lost write-back once: the next fdatasync succeeds).
    closeSync(segmentFd);
    expect(openSync(segment, 'r+')).toBe(segmentFd);
    await writer.append(Buffer.from('{"n":3}\n'));
    // Where record 2 should be, segment 1 has a hole of zeros, and the reader ends a segment there.
    const reader = openInboxReader(directory, () => writer.durableEnd(), () => {});
    expect(reader.read({ segment: 0, offset: 0 }, 100).lines.map((line) => line.text)).toEqual(['{"n":1}', '{"n":3}']);
    reader.close();
    expect(listSegments(directory)).toEqual([1, 2]);
  });

  it('keeps the durable end moving forward when a sync asked before a new segment reports after it', async () => {
    const directory = temporaryFolder();
    const { writer, ends } = openWriter(directory);
    const appended = writer.append(Buffer.from('{"n":1}\n'));
    // Runs right after the group's write and its ask to the sync thread (both in a setImmediate of
    // this turn) and before the thread's answer can be read: the answer comes in a later phase.
    await new Promise<void>((resolve) => setImmediate(() => {
      writer.startNewSegment();
      resolve();
    }));
    expect(ends).toEqual([{ segment: 2, offset: 0 }]);
    await appended;
    // The sync of segment 1 has answered by now; segment 2 is where the records synced so far end.
    expect(ends).toEqual([{ segment: 2, offset: 0 }]);
    expect(writer.durableEnd()).toEqual({ segment: 2, offset: 0 });
  });

  it('starts a new segment past its size, and never appends to a segment an earlier writer left', async () => {
    const directory = temporaryFolder();
    const first = openWriter(directory, 100);
    for (let index = 0; index < 6; index++) await first.writer.append(Buffer.from(`${JSON.stringify({ index, padding: 'x'.repeat(30) })}\n`));
    expect(listSegments(directory).length).toBeGreaterThan(1);
    const segmentsBefore = listSegments(directory);
    const second = openWriter(directory);
    await second.writer.append(Buffer.from('{"second":true}\n'));
    expect(listSegments(directory)).toEqual([...segmentsBefore, segmentsBefore.at(-1)! + 1]);
    expect(second.writer.durableEnd().segment).toBe(segmentsBefore.at(-1)! + 1);
  });

  it('reads records in order across segments, never past the durable end it is told', async () => {
    const directory = temporaryFolder();
    const { writer, ends } = openWriter(directory, 60);
    const texts = Array.from({ length: 8 }, (_, index) => JSON.stringify({ index, text: 'a'.repeat(20) }));
    for (const text of texts.slice(0, 5)) await writer.append(Buffer.from(`${text}\n`));
    let durableEnd = ends.at(-1)!;
    const reader = openInboxReader(directory, () => durableEnd, () => {});
    for (const text of texts.slice(5)) await writer.append(Buffer.from(`${text}\n`));

    const firstRead = reader.read({ segment: 0, offset: 0 }, 100);
    expect(firstRead.lines.map((line) => line.text)).toEqual(texts.slice(0, 5));
    durableEnd = ends.at(-1)!;
    const secondRead = reader.read(firstRead.next, 2);
    expect(secondRead.lines.map((line) => line.text)).toEqual(texts.slice(5, 7));
    expect(reader.read(secondRead.next, 100).lines.map((line) => line.text)).toEqual(texts.slice(7));
    expect(reader.read(ends.at(-1)!, 100)).toEqual({ lines: [], next: ends.at(-1)!, durableEnd: ends.at(-1)! });
    reader.close();
  });

  it('reads past the end of finished segments with no record left, so they can be deleted before the next record comes', () => {
    const directory = temporaryFolder();
    // Segment 1 was made ahead (zeros after its records); the writer has moved on to segment 3, empty so far.
    writeFileSync(segmentFile(directory, 1), Buffer.concat([Buffer.from('{"n":1}\n'), Buffer.alloc(100)]));
    writeFileSync(segmentFile(directory, 2), '{"n":2}\n');
    writeFileSync(segmentFile(directory, 3), '');
    const reader = openInboxReader(directory, () => ({ segment: 3, offset: 0 }), () => {});
    expect(reader.read({ segment: 1, offset: 0 }, 1)).toEqual({ lines: [{ text: '{"n":1}', next: { segment: 1, offset: 8 } }], next: { segment: 1, offset: 8 }, durableEnd: { segment: 3, offset: 0 } });
    expect(reader.read({ segment: 1, offset: 8 }, 100)).toEqual({ lines: [{ text: '{"n":2}', next: { segment: 2, offset: 8 } }], next: { segment: 3, offset: 0 }, durableEnd: { segment: 3, offset: 0 } });
    expect(reader.read({ segment: 2, offset: 8 }, 100)).toEqual({ lines: [], next: { segment: 3, offset: 0 }, durableEnd: { segment: 3, offset: 0 } });
    reader.close();
  });

  it('skips, and reports, a last line a crash cut short in a finished segment, and reads on in the next', () => {
    const directory = temporaryFolder();
    mkdirSync(directory, { recursive: true });
    writeFileSync(segmentFile(directory, 1), '{"n":1}\n{"n":2}\n{"n":3,"cut');
    writeFileSync(segmentFile(directory, 2), '{"n":4}\n');
    const torn: Array<[number, number]> = [];
    const reader = openInboxReader(directory, () => ({ segment: 2, offset: 8 }), (segment, bytes) => torn.push([segment, bytes]));
    expect(reader.read({ segment: 0, offset: 0 }, 100).lines.map((line) => JSON.parse(line.text).n)).toEqual([1, 2, 4]);
    expect(torn).toEqual([[1, 11]]);
    reader.close();
  });

  it('reads a record longer than its first read (a batch may be 500 KB)', async () => {
    const directory = temporaryFolder();
    const { writer, ends } = openWriter(directory);
    const long = JSON.stringify({ text: 'x'.repeat(300_000) });
    await writer.append(Buffer.from(`${long}\n`));
    await writer.append(Buffer.from('{"after":1}\n'));
    const reader = openInboxReader(directory, () => ends.at(-1)!, () => {});
    expect(reader.read({ segment: 1, offset: 0 }, 10).lines.map((line) => line.text)).toEqual([long, '{"after":1}']);
    reader.close();
  });

  it('deletes the segments before a given one', async () => {
    const directory = temporaryFolder();
    const { writer, ends } = openWriter(directory, 5);
    for (let index = 0; index < 3; index++) await writer.append(Buffer.from(`{"n":${index}}\n`));
    const reader = openInboxReader(directory, () => ends.at(-1)!, () => {});
    reader.read({ segment: 1, offset: 0 }, 1);
    reader.removeBefore(3);
    expect(listSegments(directory)).toEqual([3]);
    reader.close();
  });

  it('fills the next segment with zeros ahead of use, and the reader stops at them', async () => {
    const directory = temporaryFolder();
    const { writer, ends } = openWriter(directory, 400);
    const texts = Array.from({ length: 12 }, (_, index) => JSON.stringify({ index, text: 'b'.repeat(60) }));
    const spare = join(directory, 'next-segment.tmp');
    for (const text of texts) {
      await writer.append(Buffer.from(`${text}\n`));
      // Once the current segment is half full the next one is filled in libuv's pool: give it time.
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const files = listSegments(directory).map((segment) => readFileSync(segmentFile(directory, segment)));
    // The first segment is an empty file to start with; later ones were made ahead: their
    // records, then zeros to the full size.
    expect(files[0]!.at(-1)).toBe(0x0a);
    const madeAhead = files.slice(1).filter((file) => file.at(-1) === 0);
    expect(madeAhead.length).toBeGreaterThan(0);
    for (const file of madeAhead) expect(file.length).toBeGreaterThanOrEqual(400);
    const reader = openInboxReader(directory, () => ends.at(-1)!, () => {
      throw new Error('no record was torn');
    });
    expect(reader.read({ segment: 0, offset: 0 }, 100).lines.map((line) => line.text)).toEqual(texts);
    reader.close();
    await writer.close();
    writers.length = 0;
    expect(existsSync(spare)).toBe(false);
  });

  it('skips a record a crash cut short before the zeros of a segment made ahead', () => {
    const directory = temporaryFolder();
    writeFileSync(segmentFile(directory, 1), Buffer.concat([Buffer.from('{"n":1}\n{"n":2,"cu'), Buffer.alloc(100)]));
    writeFileSync(segmentFile(directory, 2), Buffer.concat([Buffer.from('{"n":3}\n'), Buffer.alloc(100)]));
    const torn: Array<[number, number]> = [];
    const reader = openInboxReader(directory, () => ({ segment: 3, offset: 0 }), (segment, bytes) => torn.push([segment, bytes]));
    expect(reader.read({ segment: 0, offset: 0 }, 100).lines.map((line) => JSON.parse(line.text).n)).toEqual([1, 3]);
    expect(torn).toEqual([[1, 10]]);
    reader.close();
  });

  it('refuses appends once closed', async () => {
    const { writer } = openWriter(temporaryFolder());
    await writer.append(Buffer.from('{"n":1}\n'));
    await writer.close();
    writers.length = 0;
    await expect(writer.append(Buffer.from('{"n":2}\n'))).rejects.toThrow(/closed/);
  });

  it('rejects the appends it cannot write, keeps what it wrote before, and writes again once it can', async () => {
    const directory = temporaryFolder();
    const { writer } = openWriter(directory, 5);
    await writer.append(Buffer.from('{"n":1}\n'));
    // The folder is gone and a file has its name: the next segment cannot be created.
    renameSync(directory, `${directory}-away`);
    writeFileSync(directory, '');
    await expect(writer.append(Buffer.from('{"n":2}\n'))).rejects.toThrow(/ENOTDIR|ENOENT/);
    rmSync(directory);
    renameSync(`${directory}-away`, directory);
    await writer.append(Buffer.from('{"n":3}\n'));
    expect(listSegments(directory).map((segment) => readFileSync(segmentFile(directory, segment), 'utf8'))).toEqual(['{"n":1}\n', '{"n":3}\n']);
  });
});

describe('what the HTTP thread and the worker share (ingest-progress.ts)', () => {
  it('hands over the synced end, and wakes the worker only when it waits for records', () => {
    const memory = createIngestProgressMemory({ segment: 3, offset: 0 });
    const publisher = progressPublisher(memory);
    const reader = progressReader(memory);
    expect(reader.durableEnd()).toEqual({ segment: 3, offset: 0 });
    // A worker busy stitching is not told of each sync: it reads the end when it next reads.
    expect(publisher.publishDurableEnd({ segment: 3, offset: 700 })).toBe(false);
    const read = reader.durableEnd();
    expect(read).toEqual({ segment: 3, offset: 700 });
    // Caught up: it waits, and the next sync says to wake it — once.
    expect(reader.waitForRecords(read)).toBe(true);
    expect(publisher.publishDurableEnd({ segment: 4, offset: 2 ** 33 })).toBe(true);
    expect(publisher.publishDurableEnd({ segment: 4, offset: 2 ** 33 + 10 })).toBe(false);
    expect(reader.durableEnd()).toEqual({ segment: 4, offset: 2 ** 33 + 10 });
  });

  it('does not let the worker wait for records synced after it last looked (no message would come)', () => {
    const memory = createIngestProgressMemory({ segment: 1, offset: 0 });
    const publisher = progressPublisher(memory);
    const reader = progressReader(memory);
    const read = reader.durableEnd();
    publisher.publishDurableEnd({ segment: 1, offset: 90 });
    expect(reader.waitForRecords(read)).toBe(false);
    // Not left waiting either: the next sync sends no message to a worker that is reading.
    expect(publisher.publishDurableEnd({ segment: 1, offset: 180 })).toBe(false);
  });

  it('calls the HTTP thread busy when it spends most of its time on a flood of beacons, or when a flood comes while stitching runs', () => {
    const memory = createIngestProgressMemory({ segment: 1, offset: 0 });
    const publisher = progressPublisher(memory);
    const reader = progressReader(memory);
    expect(reader.httpIsBusy(false)).toBe(false);
    publisher.publishHttpLoad(0.9, 20_000);
    expect(reader.httpIsBusy(false)).toBe(true);
    // A busy dashboard, or a real site's few beacons a second: no reason to hold trails back.
    publisher.publishHttpLoad(0.9, 40);
    expect(reader.httpIsBusy(false)).toBe(false);
    expect(reader.httpIsBusy(true)).toBe(false);
    // Many beacons on a thread that has time to spare (a machine with cores to spare)...
    publisher.publishHttpLoad(0.2, 5_000);
    expect(reader.httpIsBusy(false)).toBe(false);
    // ...unless stitching ran meanwhile: the thread's answers then waited for a core, which made it look idle.
    expect(reader.httpIsBusy(true)).toBe(true);
  });
});

describe('stitching while the HTTP thread is busy (stitcher.ts)', () => {
  const loops: StitchLoop[] = [];
  afterEach(() => loops.splice(0).forEach((loop) => loop.stop()));

  /**
   * A database with a site, an inbox holding `records` page views, and a stitch loop over them whose
   * HTTP thread is as busy as `busy` says; `synced` says how many of the records are synced (all by default).
   */
  async function stitchLoopOver(
    records: number,
    busy: { now: boolean | ((stitchedLately: boolean) => boolean) },
    {
      maxDeferralMs,
      synced,
      waitForRecords = () => true,
      onFault = (error) => {
        throw error;
      },
    }: { maxDeferralMs?: number; synced?: { records: number }; waitForRecords?: () => boolean; onFault?: (error: unknown) => void } = {},
  ) {
    const databaseFile = join(temporaryFolder(), 'leadtrail.db');
    const database = openDatabase(databaseFile);
    const site = await createSiteRepository(database).createSite({ name: 'Acme', domains: ['acme.com'] });
    const directory = inboxDirectory(databaseFile);
    mkdirSync(directory);
    const lines = Array.from({ length: records }, (_, index) => record(site.id, `visitor-flood-${index}`, `https://acme.com/p${index}`));
    writeFileSync(segmentFile(directory, 1), lines.join(''));
    const syncedEnd = () => ({ segment: 1, offset: Buffer.byteLength(lines.slice(0, synced?.records ?? records).join('')) });
    const reader = openInboxReader(directory, syncedEnd, () => {});
    const loop = createStitchLoop(reader, createInboxRepository(database), createIngestRepository(database), {
      syncDatabase: async () => {},
      onFailure: (error) => {
        throw error;
      },
      onFault,
      httpIsBusy: (stitchedLately) => (typeof busy.now === 'function' ? busy.now(stitchedLately) : busy.now),
      waitForRecords,
      maxDeferralMs,
    });
    loops.push(loop);
    const stitchedEvents = () => database.prepare('SELECT count(*) FROM events').pluck().get() as number;
    /** Where the first `count` records end. */
    const endOf = (count: number) => ({ segment: 1, offset: Buffer.byteLength(lines.slice(0, count).join('')) });
    return { loop, stitchedEvents, endOf, databaseFile, database };
  }
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('waits for a flood that starts while it stitches at full speed, though the HTTP thread then looks half idle', async () => {
    const memory = createIngestProgressMemory({ segment: 1, offset: 0 });
    // A flood's rate, and the load the HTTP thread shows while stitching takes a core.
    progressPublisher(memory).publishHttpLoad(0.4, 12_000);
    const { httpIsBusy } = progressReader(memory);
    const { loop, stitchedEvents } = await stitchLoopOver(3_000, { now: httpIsBusy });
    loop.nudge();
    while (stitchedEvents() === 0) await sleep(5);
    // The first slice (1,000 records) ran before the flood was seen; the next waits, until the
    // load figures no longer cover a full-speed slice and show the thread's own load.
    const afterFirstSlice = stitchedEvents();
    await sleep(300);
    expect(stitchedEvents()).toBe(afterFirstSlice);
    // With the HTTP thread truly half idle, stitching goes on between looks: it is not held back for long.
    await vi.waitFor(() => expect(stitchedEvents()).toBe(3_000), { timeout: 10_000, interval: 50 });
  });

  it('waits while the HTTP thread is busy, and stitches everything once it is not', async () => {
    const busy = { now: true };
    const { loop, stitchedEvents } = await stitchLoopOver(60, busy);
    loop.nudge();
    await sleep(400);
    expect(stitchedEvents()).toBe(0);
    busy.now = false;
    // It looks again every 250 ms.
    const deadline = Date.now() + 5_000;
    while (stitchedEvents() < 60 && Date.now() < deadline) await sleep(50);
    expect(stitchedEvents()).toBe(60);
  });

  it('stitches at a slower pace once the HTTP thread has been busy longer than it may wait', async () => {
    const { loop, stitchedEvents } = await stitchLoopOver(60, { now: true }, { maxDeferralMs: 200 });
    loop.nudge();
    await sleep(100);
    expect(stitchedEvents()).toBe(0);
    const deadline = Date.now() + 10_000;
    while (stitchedEvents() < 60 && Date.now() < deadline) await sleep(50);
    expect(stitchedEvents()).toBe(60);
  });

  it('reads again, with no nudge, when records were synced while it decided to wait for them', async () => {
    const synced = { records: 1 };
    let asked = 0;
    // What the shared memory answers when the end moved since the last read (ingest-progress.ts): do not wait.
    const waitForRecords = () => {
      asked++;
      if (asked > 1) return true;
      synced.records = 2;
      return false;
    };
    const { loop, stitchedEvents } = await stitchLoopOver(2, { now: false }, { synced, waitForRecords });
    loop.nudge();
    const deadline = Date.now() + 5_000;
    while (stitchedEvents() < 2 && Date.now() < deadline) await sleep(20);
    expect([stitchedEvents(), asked]).toEqual([2, 2]);
  });

  it('stitches at once, busy or not, for whoever waits for the trails (settle, shutdown)', async () => {
    const { loop, stitchedEvents } = await stitchLoopOver(60, { now: true });
    loop.nudge();
    await loop.idle();
    expect(stitchedEvents()).toBe(60);
  });

  it('does not answer a wait with a read that began before the records it waits for were synced', async () => {
    // The inbox reader asks where the synced records end when it opens and at each read. Nothing is
    // synced when it opens, at the first read (which only moves to segment 1) and at the second
    // (which finds nothing more); all 60 records are by the third — as when a settle arrives while
    // a read that finds nothing more runs.
    let asked = 0;
    const synced = {
      get records() {
        return asked++ < 3 ? 0 : 60;
      },
    };
    const { loop, stitchedEvents, endOf } = await stitchLoopOver(60, { now: false }, { synced });
    await loop.idle(endOf(60));
    expect(stitchedEvents()).toBe(60);
  });

  it('ends a shutdown that a database fault stops, without telling those who wait for the trails that they are complete', async () => {
    const faults: unknown[] = [];
    const { loop, stitchedEvents, databaseFile, database } = await stitchLoopOver(60, { now: false }, { onFault: (error) => faults.push(error) });
    // Another connection holds the write lock, and this one does not wait for it: every slice fails with SQLITE_BUSY.
    database.pragma('busy_timeout = 0');
    const other = openDatabase(databaseFile);
    other.exec('BEGIN IMMEDIATE');
    try {
      let settled = false;
      void loop.idle().then(() => (settled = true));
      await loop.finish();
      expect(faults.map((fault) => (fault as { code?: string }).code)).toEqual(['SQLITE_BUSY']);
      await sleep(50);
      expect([settled, stitchedEvents()]).toEqual([false, 0]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('answers a wait for the records acknowledged so far once they are stitched, while a flood keeps adding more', async () => {
    // Each read finds 1,000 more records synced, as under a flood: the inbox is never caught up
    // until the flood ends (here at 4,000 records).
    let syncedRecords = 0;
    const synced = {
      get records() {
        return (syncedRecords = Math.min(4_000, syncedRecords + 1_000));
      },
    };
    const { loop, stitchedEvents, endOf } = await stitchLoopOver(4_000, { now: true }, { synced });
    await loop.idle(endOf(1_000));
    expect(stitchedEvents()).toBeGreaterThanOrEqual(1_000);
    expect(stitchedEvents()).toBeLessThan(4_000);
    await loop.idle();
    expect(stitchedEvents()).toBe(4_000);
  });
});

describe('the ingest worker', () => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  const count = (table: string) => collector!.database.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

  /** A database with one site, and the inbox folder an earlier process left with `lines` in it. */
  async function databaseLeftWith(lines: (siteId: number) => string[]) {
    const databaseFile = join(temporaryFolder(), 'leadtrail.db');
    const database = openDatabase(databaseFile);
    const site = await createSiteRepository(database).createSite({ name: 'Acme', domains: ['acme.com'] });
    database.close();
    mkdirSync(inboxDirectory(databaseFile));
    appendFileSync(segmentFile(inboxDirectory(databaseFile), 1), lines(site.id).join(''));
    return { databaseFile, site };
  }

  // A process started at nice 9 or more has its sync thread at 19 too: the worker's thread is not told apart.
  it.runIf(process.platform === 'linux' && getPriority() + SYNC_THREAD_NICE_ABOVE_HTTP < 19)('runs below the HTTP thread\'s priority, and below the sync thread\'s', async () => {
    const before = threadsBelowThisOne(INGEST_WORKER_NICE_ABOVE_HTTP);
    collector = await createTestCollector({ databaseFile: join(temporaryFolder(), 'leadtrail.db') });
    // Answered once the worker has run its start, where it sets its priority.
    await collector.app.ingest.settled();
    expect(threadsBelowThisOne(INGEST_WORKER_NICE_ABOVE_HTTP)).toBe(before + 1);
  });

  it('stitches, at start, records an earlier process acknowledged but did not stitch (a crash)', async () => {
    const { databaseFile } = await databaseLeftWith((siteId) => [record(siteId, 'visitor-crashed-1', 'https://acme.com/a'), record(siteId, 'visitor-crashed-2', 'https://acme.com/b')]);
    collector = await createTestCollector({ databaseFile });
    await collector.app.ingest.settled();
    expect([count('events'), count('visitors'), count('ingest_failures')]).toEqual([2, 2, 0]);
    // The new process writes to a segment of its own: the one left is read to its end and deleted.
    expect(collector.database.prepare('SELECT segment, offset FROM ingest_inbox_position').get()).toEqual({ segment: 2, offset: 0 });
    expect(listSegments(inboxDirectory(databaseFile))).toEqual([2]);
  });

  it('sets a record that cannot be stitched aside in ingest_failures, with the reason, and stitches the rest', async () => {
    const { databaseFile, site } = await databaseLeftWith((siteId) => [
      record(siteId, 'visitor-good-1', 'https://acme.com/a'),
      // A site id that does not exist breaks a foreign key: that record alone must fail.
      record(999_999, 'visitor-broken', 'https://acme.com/b'),
      // A damaged line (a disk fault): kept as it is.
      'not a record\n',
      record(siteId, 'visitor-good-2', 'https://acme.com/c'),
    ]);
    collector = await createTestCollector({ databaseFile });
    await collector.app.ingest.settled();
    expect(count('events')).toBe(2);
    const setAside = collector.database.prepare('SELECT record, failure FROM ingest_failures ORDER BY id').all() as Array<{ record: string; failure: string }>;
    expect(setAside).toHaveLength(2);
    expect(JSON.parse(setAside[0]!.record).beacon.visitor).toBe('visitor-broken');
    expect(setAside[0]!.failure).toMatch(/FOREIGN KEY/);
    expect(setAside[1]).toEqual({ record: 'not a record', failure: expect.stringMatching(/JSON/) });
    // The app keeps taking beacons after them.
    expect((await postBatch(collector.app, batch(site.key, 'visitor-after-1', [pageview(BASE_TIME, 'https://acme.com/d')]), { origin: 'https://acme.com' })).statusCode).toBe(204);
    expect(count('events')).toBe(3);
  });

  it('stitches at start the batches an earlier version left in its ingest_inbox table, setting aside those that fail', async () => {
    const databaseFile = join(temporaryFolder(), 'leadtrail.db');
    const database = openDatabase(databaseFile);
    const site = await createSiteRepository(database).createSite({ name: 'Acme', domains: ['acme.com'] });
    const legacyBatch = (siteId: number, visitor: string): IngestBatch => ({
      siteId,
      siteDomains: ['acme.com'],
      visitorClientId: visitor,
      device: { ...device, language: null, timeZone: null, screen: null },
      // A page view has no defaults, so its wire form is already its validated form.
      events: [pageview(BASE_TIME, 'https://acme.com/a') as ValidEvent],
    });
    const insert = database.prepare('INSERT INTO ingest_inbox (received_at, batch) VALUES (?, ?)');
    insert.run(Date.now(), JSON.stringify(legacyBatch(site.id, 'visitor-old-1')));
    insert.run(Date.now(), JSON.stringify(legacyBatch(999_999, 'visitor-old-broken')));
    insert.run(Date.now(), '{"damaged');
    insert.run(Date.now(), JSON.stringify(legacyBatch(site.id, 'visitor-old-2')));
    database.close();

    collector = await createTestCollector({ databaseFile });
    await collector.app.ingest.settled();
    expect([count('ingest_inbox'), count('events'), count('ingest_failures')]).toEqual([0, 2, 2]);
    expect(collector.database.prepare('SELECT client_id FROM visitors ORDER BY id').pluck().all()).toEqual(['visitor-old-1', 'visitor-old-2']);
  });

  it('reads the inbox folder from its start when the saved position is past its files (a database restored without them)', async () => {
    const { databaseFile, site } = await databaseLeftWith((siteId) => [record(siteId, 'visitor-in-old-folder', 'https://acme.com/a')]);
    const database = openDatabase(databaseFile);
    database.prepare('INSERT INTO ingest_inbox_position (id, segment, offset) VALUES (1, 40, 123)').run();
    database.close();
    collector = await createTestCollector({ databaseFile });
    expect((await postBatch(collector.app, batch(site.key, 'visitor-after-restore', [pageview(BASE_TIME, 'https://acme.com/b')]), { origin: 'https://acme.com' })).statusCode).toBe(204);
    expect(collector.database.prepare('SELECT client_id FROM visitors ORDER BY id').pluck().all()).toEqual(['visitor-in-old-folder', 'visitor-after-restore']);
  });

  it('reads the new inbox folder from its start when the saved position is in a segment of the same number (a database restored without its folder)', async () => {
    const databaseFile = join(temporaryFolder(), 'leadtrail.db');
    const database = openDatabase(databaseFile);
    const site = await createSiteRepository(database).createSite({ name: 'Acme', domains: ['acme.com'] });
    // Stitching had read 50 bytes into segment 1; the folder is gone, and the writer starts a new segment 1.
    database.prepare('INSERT INTO ingest_inbox_position (id, segment, offset) VALUES (1, 1, 50)').run();
    database.close();
    collector = await createTestCollector({ databaseFile });
    for (const visitor of ['visitor-first-after-restore', 'visitor-second-after-restore']) {
      expect((await postBatch(collector.app, batch(site.key, visitor, [pageview(BASE_TIME, 'https://acme.com/a')]), { origin: 'https://acme.com' })).statusCode).toBe(204);
    }
    expect(collector.database.prepare('SELECT client_id FROM visitors ORDER BY id').pluck().all()).toEqual(['visitor-first-after-restore', 'visitor-second-after-restore']);
    expect(collector.database.prepare('SELECT count(*) FROM ingest_failures').pluck().get()).toBe(0);
  });

  it('stitches a beacon by itself, without anyone waiting for it (the worker is woken by the sync)', async () => {
    collector = await createTestCollector();
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    for (const visitor of ['visitor-unawaited-1', 'visitor-unawaited-2']) {
      const response = await collector.app.inject({
        method: 'POST',
        url: '/collect',
        headers: { 'content-type': 'text/plain', origin: 'https://acme.com', 'user-agent': DESKTOP_CHROME_USER_AGENT },
        payload: JSON.stringify(batch(site.key, visitor, [pageview(BASE_TIME, 'https://acme.com/a')])),
      });
      expect(response.statusCode).toBe(204);
      const deadline = Date.now() + 5_000;
      while (count('events') === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const deadline = Date.now() + 5_000;
    while (count('events') < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(collector.database.prepare('SELECT client_id FROM visitors ORDER BY id').pluck().all()).toEqual(['visitor-unawaited-1', 'visitor-unawaited-2']);
  });

  it('stores a batch sent twice at once (a retry racing the original) once', async () => {
    collector = await createTestCollector();
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    const body = batch(site.key, 'visitor-twice', [pageview(BASE_TIME, 'https://acme.com/a'), pageview(BASE_TIME + 1000, 'https://acme.com/b')]);
    const responses = await Promise.all([postBatch(collector.app, body, { origin: 'https://acme.com' }), postBatch(collector.app, body, { origin: 'https://acme.com' })]);
    expect(responses.map((response) => response.statusCode)).toEqual([204, 204]);
    expect(count('events')).toBe(2);
  });

  it('deletes segment files once what they hold is stitched', async () => {
    collector = await createTestCollector({ app: { inboxSegmentBytes: 500 } });
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    for (let index = 0; index < 12; index++) {
      const response = await postBatch(collector.app, batch(site.key, `visitor-${index}-rotating`, [pageview(BASE_TIME, `https://acme.com/p${index}`)]), { origin: 'https://acme.com' });
      expect(response.statusCode).toBe(204);
    }
    expect(count('events')).toBe(12);
    // Each record is over 500 bytes, so each went to a segment of its own; all but the newest two are gone.
    expect(listSegments(inboxDirectory(collector.databaseFile)).length).toBeLessThanOrEqual(2);
  });

  it('closes a segment after a while even on a quiet site, and deletes it once stitched without waiting for another beacon', async () => {
    collector = await createTestCollector({ app: { inboxSegmentMaxAgeMs: 200 } });
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    const send = (visitor: string) => postBatch(collector!.app, batch(site.key, visitor, [pageview(BASE_TIME, 'https://acme.com/a')]), { origin: 'https://acme.com' });
    const directory = inboxDirectory(collector.databaseFile);
    const inboxText = () => listSegments(directory).map((segment) => readFileSync(segmentFile(directory, segment), 'utf8')).join('');
    expect((await send('visitor-last-of-the-day')).statusCode).toBe(204);
    // No beacon follows: the timer starts a new segment, and the worker deletes the stitched one.
    const deadline = Date.now() + 5_000;
    while (inboxText().includes('visitor-last-of-the-day') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(inboxText()).not.toContain('visitor-last-of-the-day');
    // Beacons after it go on as before.
    expect((await send('visitor-next-morning')).statusCode).toBe(204);
    expect(count('events')).toBe(2);
    expect(collector.database.prepare('SELECT client_id FROM visitors ORDER BY id').pluck().all()).toEqual(['visitor-last-of-the-day', 'visitor-next-morning']);
  });

  it('answers 500 while the inbox cannot be written, loses nothing it answered 204 for, and recovers', async () => {
    collector = await createTestCollector({ app: { inboxSegmentBytes: 100 } });
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    const send = (visitor: string) => postBatch(collector!.app, batch(site.key, visitor, [pageview(BASE_TIME, 'https://acme.com/a')]), { origin: 'https://acme.com' });
    expect((await send('visitor-before')).statusCode).toBe(204);

    // The inbox folder is replaced by a file: the next segment cannot be created, as on a broken disk.
    const directory = inboxDirectory(collector.databaseFile);
    renameSync(directory, `${directory}-away`);
    writeFileSync(directory, '');
    const refused = await collector.app.inject({
      method: 'POST',
      url: '/collect',
      headers: { 'content-type': 'text/plain', origin: 'https://acme.com', 'user-agent': DESKTOP_CHROME_USER_AGENT },
      payload: JSON.stringify(batch(site.key, 'visitor-during', [pageview(BASE_TIME, 'https://acme.com/b')])),
    });
    expect(refused.statusCode).toBe(500);
    expect(refused.json()).toEqual({ error: 'internal error', details: { reason: 'the batch could not be stored; send it again' } });

    rmSync(directory);
    renameSync(`${directory}-away`, directory);
    // The snippet sends the refused batch again; it and the next are stored, the first is still there.
    expect((await send('visitor-during')).statusCode).toBe(204);
    expect((await send('visitor-after')).statusCode).toBe(204);
    const visitors = collector.database.prepare('SELECT client_id FROM visitors ORDER BY id').pluck().all();
    expect(visitors).toEqual(['visitor-before', 'visitor-during', 'visitor-after']);
    expect(readdirSync(directory).length).toBeGreaterThan(0);
  });
});
