/**
 * The inbox's writing end, on the HTTP thread: `POST /collect` appends each accepted beacon here
 * and answers 204 once its record is on disk. Records written in one turn of the event loop go to
 * the file in one write (one per 8 under a flood), and one fdatasync (on the sync thread, so this
 * thread goes on parsing requests) covers every group written before it started (group-commit.ts).
 *
 * Why a file and not a table: appending a line and syncing it is the least work that makes a beacon
 * durable, and it needs no lock the ingest worker also takes — the worker is the database's only
 * writer for trails, and reads this folder at its own pace (inbox-reader.ts). Measured in
 * bench/RESULTS.md against the SQLite inbox it replaced.
 *
 * Segments: a process never appends to a segment an earlier one wrote (its last line may be torn by
 * a crash). It starts the next one when the current passes `segmentBytes`, so the worker can delete
 * what it has stitched, and after an fdatasync of the current one failed (`syncFailed`). The next
 * segment is filled with zeros in the background while the current one fills up: overwriting blocks
 * a file already has changes neither its size nor its block map, so each fdatasync flushes data
 * alone instead of committing ext4's journal too (0.13 ms against 0.20–0.26 ms on the benchmark
 * machine, bench/RESULTS.md). Records never contain a zero byte, so the reader knows where a
 * finished segment's records end.
 */
import { close, closeSync, fdatasync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, open, openSync, renameSync, rmSync, unlinkSync, write, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createGroupCommit } from './group-commit.js';
import { isAtOrPast, listSegments, segmentFile, type InboxPosition } from './inbox-files.js';
import { startSyncThread } from './sync-thread.js';

/** Big enough that starting a segment (two fsyncs) is rare, small enough to delete soon after. */
const DEFAULT_SEGMENT_BYTES = 32 * 1024 * 1024;
/** The next segment, while it is being filled with zeros (not a segment name: readers never see it). */
const SPARE_FILE = 'next-segment.tmp';
const ZEROS = Buffer.alloc(1024 * 1024);

export interface InboxWriter {
  /** Resolves once the record (one line, its newline included) is written and synced to disk; rejects if either failed. */
  append(record: Buffer): Promise<void>;
  /** Where the records synced so far end. */
  durableEnd(): InboxPosition;
  /**
   * Starts the next segment now if the current one holds records, so that the worker deletes the
   * current one once it has stitched it and reads on. Throws if the new file cannot be made.
   */
  startNewSegment(): void;
  /** Resolves when everything appended so far is synced (or has failed). */
  drain(): Promise<void>;
  /** Drains and closes the files. */
  close(): Promise<void>;
}

const openAsync = promisify(open);
const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);
const closeAsync = promisify(close);

/** A file of `bytes` zeros, synced, open for writing; its fd. */
async function fillWithZeros(file: string, bytes: number): Promise<number> {
  const fd = await openAsync(file, 'w');
  try {
    for (let written = 0; written < bytes; ) written += (await writeAsync(fd, ZEROS, 0, Math.min(ZEROS.length, bytes - written), written)).bytesWritten;
    await fdatasyncAsync(fd);
    return fd;
  } catch (error) {
    await closeAsync(fd);
    throw error;
  }
}

function syncFolder(path: string): void {
  const folder = openSync(path, 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

interface OpenSegment {
  number: number;
  fd: number;
  /** Bytes written and kept: the next write goes here. */
  size: number;
  /**
   * An fdatasync of this file failed. What it held past the last good sync may never reach the disk
   * (the kernel reports a lost writeback once, and the next fdatasync succeeds without it), and the
   * reader ends a segment at the first hole of zeros: a record acknowledged after the hole would
   * never be read. So nothing more is written here.
   */
  syncFailed: boolean;
}

export function openInboxWriter(
  directory: string,
  onDurable: (end: InboxPosition) => void,
  { segmentBytes = DEFAULT_SEGMENT_BYTES }: { segmentBytes?: number | undefined } = {},
): InboxWriter {
  // A folder made now must be found after a power cut too.
  if (mkdirSync(directory, { recursive: true }) !== undefined) syncFolder(dirname(directory));
  const spareFile = join(directory, SPARE_FILE);
  // Left by an earlier process, perhaps half filled.
  rmSync(spareFile, { force: true });
  /** The next segment's file, filled with zeros and synced; null until ready. */
  let spare: number | null = null;
  let preparingSpare: Promise<void> | null = null;
  let current = createSegment((listSegments(directory).at(-1) ?? 0) + 1);
  let durable: InboxPosition = { segment: current.number, offset: 0 };
  /** Files of finished segments, closed once the sync thread can no longer be using them. */
  let retired: number[] = [];
  const syncThread = startSyncThread();

  function createSegment(number: number): OpenSegment {
    const file = segmentFile(directory, number);
    let fd: number;
    if (spare !== null) {
      renameSync(spareFile, file);
      fd = spare;
      spare = null;
    } else {
      fd = openSync(file, 'wx');
    }
    try {
      // The new file's name has to survive a power cut as much as the records in it.
      syncFolder(directory);
    } catch (error) {
      // Undone, so that the next try can create the same segment.
      closeSync(fd);
      unlinkSync(file);
      throw error;
    }
    return { number, fd, size: 0, syncFailed: false };
  }

  /** Once per segment: the finished one is synced here, so every later sync is of the new file alone. */
  function rotateSegment(): void {
    try {
      fdatasyncSync(current.fd);
    } catch (error) {
      current.syncFailed = true;
      // The kernel reports a failed write back once per file: the sync thread's next fdatasync of
      // this file would succeed without the data. Everything not yet answered fails here instead.
      syncThread.failWaiting(error as Error);
      throw error;
    }
    const next = createSegment(current.number + 1);
    retired.push(current.fd);
    current = next;
    // Everything in the finished segment is on disk now: the reader may pass its end, and the worker
    // delete it once stitched, without waiting for a record in the new one.
    advanceDurable({ segment: next.number, offset: 0 });
  }

  /** Records up to `end` are on disk; syncs finish in order, but one asked before a rotation may report after it. */
  function advanceDurable(end: InboxPosition): void {
    if (isAtOrPast(durable, end)) return;
    durable = end;
    onDurable(end);
  }

  /** Fills the spare file in libuv's pool, off the thread; a failure only means an empty next segment. */
  function prepareSpare(): void {
    if (spare !== null || preparingSpare) return;
    preparingSpare = fillWithZeros(spareFile, segmentBytes)
      .then((fd) => {
        if (closed) return closeAsync(fd);
        spare = fd;
      })
      .catch(() => {})
      .finally(() => {
        preparingSpare = null;
      });
  }

  function write(records: Buffer[]): void {
    if (current.size >= segmentBytes || current.syncFailed) rotateSegment();
    if (current.size >= segmentBytes / 2) prepareSpare();
    const segment = current;
    const bytes = records.length === 1 ? records[0]! : Buffer.concat(records);
    try {
      // Positioned writes: after a failed one the next group starts where this one did.
      for (let written = 0; written < bytes.length; ) {
        written += writeSync(segment.fd, bytes, written, bytes.length - written, segment.size + written);
      }
    } catch (error) {
      try {
        ftruncateSync(segment.fd, segment.size);
      } catch {
        // The next group's write covers what this one left.
      }
      throw error;
    }
    segment.size += bytes.length;
  }

  async function sync(): Promise<void> {
    const segment = current;
    const end = { segment: segment.number, offset: segment.size };
    const retiredBefore = retired;
    retired = [];
    try {
      await syncThread.sync(segment.fd);
    } catch (error) {
      // Seen before the next group is written: a sync's failure settles in a microtask, and groups
      // are written in setImmediate.
      segment.syncFailed = true;
      retired.push(...retiredBefore);
      throw error;
    }
    // The thread has synced the newer file since these were retired: it is done with them.
    for (const fd of retiredBefore) closeSync(fd);
    advanceDurable(end);
  }

  const group = createGroupCommit<Buffer>(write, sync);
  let closed = false;

  return {
    append(record) {
      if (closed) return Promise.reject(new Error('the inbox is closed'));
      syncThread.poll();
      return group.write(record);
    },
    durableEnd: () => durable,
    startNewSegment() {
      if (current.size > 0) rotateSegment();
    },
    drain: group.drain,
    async close() {
      closed = true;
      await group.drain();
      await preparingSpare;
      if (spare !== null) {
        closeSync(spare);
        rmSync(spareFile, { force: true });
      }
      await syncThread.close();
      for (const fd of [...retired, current.fd]) closeSync(fd);
    },
  };
}
