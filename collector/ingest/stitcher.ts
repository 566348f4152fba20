/**
 * Stitching the inbox into trails, off the request path. A slice reads the next records from the
 * inbox folder (inbox-reader.ts), stitches them (stitch.ts) and saves how far it got, in one
 * transaction, so each record lands exactly once even across a crash; re-sent events are dropped
 * by stitching itself (event ids per visitor). Segment files are deleted once stitched and synced.
 *
 * Answering beacons comes first. On a 2-core machine a flood of beacons needs both cores — the
 * HTTP thread's and the kernel's work for the network and the disk — so while the HTTP thread is
 * busy (ingest-progress.ts) stitching waits, up to MAX_DEFERRAL_MS; past that it takes short slices
 * and a small share of its thread, so trails keep moving through a long flood and catch up after
 * it. When the HTTP thread is not busy, stitching runs at full speed: at the rates a real site
 * sees, a batch is in its trail a few milliseconds after its 204. Every record waiting is on disk
 * already; waiting only delays the trails (bench/RESULTS.md). The worker's thread also runs at the
 * lowest priority (worker.ts): where the deferral misjudges the load, the scheduler still keeps
 * stitching from taking the HTTP thread's core.
 */
import type { IngestRepository } from '../repositories/ingest.js';
import type { InboxRepository } from '../repositories/inbox.js';
import { isAtOrPast, type InboxPosition } from './inbox-files.js';
import type { InboxLine, InboxReader } from './inbox-reader.js';
import { LOAD_WINDOW_MS } from './ingest-progress.js';
import { decodeInboxRecord } from './inbox-record.js';
import { stitchBatch, type IngestBatch } from './stitch.js';

/** Records per transaction while the HTTP thread is busy: a slice of 25 holds the thread about a millisecond. */
const BUSY_SLICE_RECORDS = 25;
/** Records per transaction otherwise: fewer, larger commits catch up faster. */
const IDLE_SLICE_RECORDS = 1_000;
/** While the HTTP thread is busy, wait this many times a slice's duration before the next one (~10 % of the thread). */
const BUSY_PAUSE_FACTOR = 9;
/**
 * How long trails may wait for a busy HTTP thread. A burst of beacons (a campaign's launch, a
 * crawler ignoring robots.txt) is answered without stitching competing for the CPU; a flood longer
 * than this gets its trails stitched at the busy pace.
 */
const MAX_DEFERRAL_MS = 30_000;
/** While stitching waits for the HTTP thread, it looks again this often. */
const DEFERRAL_RECHECK_MS = 250;
/**
 * A full-speed slice counts in the HTTP thread's load figures until the window it ended in has been
 * replaced by the next one (ingest-progress.ts).
 */
const STITCHED_LATELY_MS = 2 * LOAD_WINDOW_MS;
/** After a slice failed for a reason that is not its batches' (a busy or failing database), try again after this. */
const RETRY_AFTER_FAULT_MS = 1_000;

/** SQLite errors that say nothing about the batch being stitched: the batch stays as it is and is tried again. */
function isStorageFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|NOMEM)/.test(code);
}

export interface StitchLoop {
  /** More records are on disk (or may be): make sure they get stitched. */
  nudge(): void;
  /**
   * Resolves once the records up to `until` are stitched — those acknowledged before the caller
   * asked, while a flood may keep adding more after them — or, without `until`, once the inbox
   * holds nothing left to stitch.
   */
  idle(until?: InboxPosition): Promise<void>;
  /**
   * For shutdown: stitches what is left and stops; stops early if stitching fails (the inbox keeps
   * the rest for the next start), so a broken database cannot hold the process open — and then
   * leaves those waiting in idle() waiting, since the trails are not complete.
   */
  finish(): Promise<void>;
  /** Stops scheduling slices (a slice in progress completes; the inbox keeps the rest). */
  stop(): void;
}

export interface StitchLoopOptions {
  /** Makes the database's last commits durable: done before stitched segment files are deleted. */
  syncDatabase: () => Promise<void>;
  /** Hears of a record that could not be stitched; it is set aside in `ingest_failures`. */
  onFailure: (error: unknown, where: InboxPosition) => void;
  /** Hears of a slice that failed for another reason (the database); stitching resumes a moment later. */
  onFault: (error: unknown) => void;
  /** True while the HTTP thread is busy answering: stitching waits (see the top of this file). `stitchedLately`: as in ingest-progress.ts. */
  httpIsBusy: (stitchedLately: boolean) => boolean;
  /** Everything up to `readUpTo` is stitched: asks for a nudge at the next sync. False if records were synced past it (no nudge will come for them). */
  waitForRecords: (readUpTo: InboxPosition) => boolean;
  /** How long stitching may wait for a busy HTTP thread (default MAX_DEFERRAL_MS; tests use less). */
  maxDeferralMs?: number;
}

/** Why a record or batch was set aside, as `ingest_failures` keeps it: the error's message. */
const reasonOf = (error: unknown): string => String((error as Error)?.message ?? error);

export function createStitchLoop(
  reader: InboxReader,
  inbox: InboxRepository,
  ingest: IngestRepository,
  { syncDatabase, onFailure, onFault, httpIsBusy, waitForRecords, maxDeferralMs = MAX_DEFERRAL_MS }: StitchLoopOptions,
): StitchLoop {
  /** Cancels the scheduled slice; null when none is scheduled. */
  let cancelScheduled: (() => void) | null = null;
  let running = false;
  let stopped = false;
  /** Since when stitching has been waiting for the busy HTTP thread; null when it is not waiting. */
  let deferringSince: number | null = null;
  /** When a slice last ran at full speed (not paced for a busy HTTP thread). */
  let lastFullSpeedSlice = -Infinity;
  let idleWaiters: Array<{ until: InboxPosition | null; resolve: () => void }> = [];
  let finishing = false;
  /** Ends finish() when a fault stops stitching during shutdown. */
  let stoppedByFault: (() => void) | null = null;
  let position: InboxPosition = inbox.position() ?? { segment: 0, offset: 0 };

  /**
   * Wakes the waiters whose records are stitched, and when `caughtUp` (a read found nothing more)
   * those waiting for that. A waiter's `until` may lie past a caught-up read's end: it asked while
   * that read ran, and waits for the next.
   */
  function wakeIdleWaiters(caughtUp: boolean): void {
    const done = ({ until }: { until: InboxPosition | null }) => (until === null ? caughtUp : isAtOrPast(position, until));
    const waking = idleWaiters.filter(done);
    if (waking.length === 0) return;
    idleWaiters = idleWaiters.filter((waiter) => !done(waiter));
    for (const waiter of waking) waiter.resolve();
  }

  /** Stitches `lines` and saves `end` (where the next read starts) as the position, in one transaction. */
  async function stitchLines(lines: InboxLine[], from: InboxPosition, end: InboxPosition): Promise<void> {
    try {
      await ingest.runInTransaction((store) => {
        for (const line of lines) stitchBatch(store, decodeInboxRecord(line.text));
        inbox.savePosition(end);
      });
    } catch (error) {
      if (isStorageFault(error)) throw error;
      if (lines.length === 1) {
        await ingest.runInTransaction(() => {
          inbox.setAside(lines[0]!.text, reasonOf(error));
          inbox.savePosition(end);
        });
        onFailure(error, from);
        return;
      }
      // The whole slice rolled back: stitch one by one, so only the record at fault is set aside.
      // The last one saves `end`, which may lie past finished segments the caller then deletes.
      let at = from;
      for (const [index, line] of lines.entries()) {
        await stitchLines([line], at, index === lines.length - 1 ? end : line.next);
        at = line.next;
      }
    }
  }

  async function runSlice(): Promise<void> {
    cancelScheduled = null;
    // Whoever waits in idle() wants the trails complete now.
    const busy = idleWaiters.length === 0 && httpIsBusy(performance.now() - lastFullSpeedSlice < STITCHED_LATELY_MS);
    if (!busy) {
      deferringSince = null;
    } else {
      deferringSince ??= performance.now();
      if (performance.now() - deferringSince < maxDeferralMs) {
        schedule(DEFERRAL_RECHECK_MS);
        return;
      }
    }
    running = true;
    const started = performance.now();
    /** Whether this slice moved the position: records arrived meanwhile are read by the next slice, not taken as caught up. */
    let advanced: boolean;
    /** Where the synced records ended when the read began. */
    let readUpTo: InboxPosition;
    try {
      const { lines, next, durableEnd } = reader.read(position, busy ? BUSY_SLICE_RECORDS : IDLE_SLICE_RECORDS);
      readUpTo = durableEnd;
      const finishedSegments = next.segment > position.segment;
      if (lines.length > 0) {
        await stitchLines(lines, position, next);
      } else if (finishedSegments) {
        // No record, but the writer has moved on to a new segment: the finished ones can go now,
        // not only once a later beacon arrives (a quiet site's last beacons, an erase).
        await ingest.runInTransaction(() => inbox.savePosition(next));
      }
      if (finishedSegments) {
        // The files go only once the position past them is on disk.
        await syncDatabase();
        reader.removeBefore(next.segment);
      }
      advanced = lines.length > 0 || finishedSegments;
      position = next;
    } catch (error) {
      // Nothing was lost: the slice rolled back and its records wait in the inbox. Records stitched
      // one by one before the fault are committed: the saved position says how far.
      position = inbox.position() ?? position;
      running = false;
      onFault(error);
      if (finishing) {
        // Shutdown goes on; the rest waits in the inbox for the next start. Whoever waits for the
        // trails (settle) is not told they are complete: the worker's exit fails that wait.
        stopped = true;
        stoppedByFault?.();
        return;
      }
      schedule(RETRY_AFTER_FAULT_MS);
      return;
    }
    const took = performance.now() - started;
    running = false;
    if (!advanced) {
      deferringSince = null;
      wakeIdleWaiters(true);
      if (idleWaiters.length > 0 || !waitForRecords(readUpTo)) schedule(0);
      return;
    }
    wakeIdleWaiters(false);
    if (!busy) lastFullSpeedSlice = performance.now();
    schedule(busy && idleWaiters.length === 0 ? took * BUSY_PAUSE_FACTOR : 0);
  }

  function schedule(delayMs: number): void {
    if (stopped || running || cancelScheduled) return;
    const run = () => void runSlice();
    if (delayMs > 0) {
      const timeout = setTimeout(run, delayMs);
      cancelScheduled = () => clearTimeout(timeout);
    } else {
      const immediate = setImmediate(run);
      cancelScheduled = () => clearImmediate(immediate);
    }
  }

  function cancel(): void {
    cancelScheduled?.();
    cancelScheduled = null;
  }

  function idle(until?: InboxPosition): Promise<void> {
    return new Promise((resolve) => {
      idleWaiters.push({ until: until ?? null, resolve });
      // Runs a slice now even if one is scheduled later: whoever waits wants the trail complete.
      if (!running) cancel();
      schedule(0);
    });
  }

  return {
    nudge() {
      schedule(0);
    },
    idle,
    async finish() {
      finishing = true;
      if (!stopped) {
        await new Promise<void>((resolve) => {
          stoppedByFault = resolve;
          void idle().then(resolve);
        });
      }
      stopped = true;
    },
    stop() {
      stopped = true;
      cancel();
    },
  };
}

/**
 * Batches that a version before the inbox folder acknowledged and left in its `ingest_inbox` table
 * (it crashed): stitched at start, one per transaction, those that fail set aside. Throws at a
 * fault of the database; the rest wait for the next start.
 */
export async function stitchLegacyInbox(inbox: InboxRepository, ingest: IngestRepository, onFailure: (error: unknown) => void): Promise<void> {
  for (let legacy = inbox.oldestLegacyBatch(); legacy; legacy = inbox.oldestLegacyBatch()) {
    const { id, batchJson } = legacy;
    try {
      const batch = JSON.parse(batchJson) as IngestBatch;
      await ingest.runInTransaction((store) => {
        stitchBatch(store, batch);
        inbox.removeLegacyBatch(id);
      });
    } catch (error) {
      if (isStorageFault(error)) throw error;
      inbox.setAsideLegacyBatch(id, reasonOf(error));
      onFailure(error);
    }
  }
}
