/**
 * Stitching the inbox into trails, off the request path. A slice takes the oldest acknowledged
 * batches, stitches them (stitch.ts) and removes them from the inbox in one transaction, so each
 * batch lands exactly once even across a crash; re-sent events are dropped by stitching itself
 * (event ids per visitor).
 *
 * Acknowledging beacons comes first: while batches keep arriving, stitching takes short slices
 * and at most a small share of the thread, and catches up at full speed when traffic pauses. At
 * the rates a real site sees, a batch is in its trail a few milliseconds after its 204.
 */
import type { IngestRepository } from '../repositories/ingest.js';
import type { InboxEntry, InboxRepository } from '../repositories/inbox.js';
import { stitchBatch } from './stitch.js';

/** Batches per transaction while beacons arrive: a slice of 25 batches holds the thread about a millisecond. */
const BUSY_SLICE_BATCHES = 25;
/** Batches per transaction when nothing else is waiting: fewer, larger commits catch up faster. */
const IDLE_SLICE_BATCHES = 1_000;
/** While beacons arrive, wait this many times a slice's duration before the next one (~10 % of the thread). */
const BUSY_PAUSE_FACTOR = 9;
/** After a slice failed for a reason that is not its batches' (a busy or failing database), try again after this. */
const RETRY_AFTER_FAULT_MS = 1_000;

/** SQLite errors that say nothing about the batch being stitched: the batch stays as it is and is tried again. */
function isStorageFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|NOMEM)/.test(code);
}

export interface StitchLoop {
  /** Something was appended to the inbox: make sure it gets stitched. */
  nudge(): void;
  /** Resolves when the inbox holds nothing left to stitch. */
  idle(): Promise<void>;
  /**
   * For shutdown: stitches what is left and stops; stops early if stitching fails (the inbox keeps
   * the rest for the next start), so a broken database cannot hold the process open.
   */
  finish(): Promise<void>;
  /** Stops scheduling slices (a slice in progress completes; the inbox keeps the rest). */
  stop(): void;
}

export interface StitchLoopOptions {
  /** Batches received and not yet answered: while there are any, stitching keeps to short slices. */
  batchesWaiting: () => number;
  /** Hears of a batch that could not be stitched; it stays in the inbox, marked, and is skipped. */
  onFailure: (error: unknown, inboxId: number) => void;
  /** Hears of a slice that failed for another reason (the database); stitching resumes a moment later. */
  onFault: (error: unknown) => void;
}

export function createStitchLoop(inbox: InboxRepository, ingest: IngestRepository, { batchesWaiting, onFailure, onFault }: StitchLoopOptions): StitchLoop {
  /** Cancels the scheduled slice; null when none is scheduled. */
  let cancelScheduled: (() => void) | null = null;
  let running = false;
  let stopped = false;
  let appends = 0;
  let appendsAtLastSlice = 0;
  let idleWaiters: Array<() => void> = [];
  let finishing = false;

  function wakeIdleWaiters(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async function stitchEntries(entries: InboxEntry[]): Promise<void> {
    try {
      await ingest.runInTransaction((store) => {
        for (const entry of entries) stitchBatch(store, entry.batch);
        inbox.remove(entries.map((entry) => entry.id));
      });
    } catch (error) {
      if (isStorageFault(error)) throw error;
      if (entries.length === 1) {
        inbox.markFailed(entries[0]!.id, String((error as Error)?.message ?? error));
        onFailure(error, entries[0]!.id);
        return;
      }
      // The whole slice rolled back: stitch one by one, so only the batch at fault is set aside.
      for (const entry of entries) await stitchEntries([entry]);
    }
  }

  async function runSlice(): Promise<void> {
    cancelScheduled = null;
    running = true;
    // Batches waiting for their fsync, or arriving since the last slice, mean traffic: a quiet
    // moment between two groups is not a pause in it.
    const busy = batchesWaiting() > 0 || appends !== appendsAtLastSlice;
    const started = performance.now();
    let entries: InboxEntry[];
    try {
      entries = inbox.oldest(busy ? BUSY_SLICE_BATCHES : IDLE_SLICE_BATCHES);
      if (entries.length > 0) await stitchEntries(entries);
    } catch (error) {
      // Nothing was lost: the slice rolled back and its batches wait in the inbox.
      running = false;
      onFault(error);
      if (finishing) {
        stopped = true;
        wakeIdleWaiters();
        return;
      }
      schedule(RETRY_AFTER_FAULT_MS);
      return;
    }
    const took = performance.now() - started;
    appendsAtLastSlice = appends;
    running = false;
    if (entries.length === 0) {
      wakeIdleWaiters();
      return;
    }
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

  function idle(): Promise<void> {
    return new Promise((resolve) => {
      idleWaiters.push(resolve);
      // Runs a slice now even if one is scheduled later: whoever waits wants the trail complete.
      if (!running) cancel();
      appendsAtLastSlice = appends;
      schedule(0);
    });
  }

  return {
    nudge() {
      appends++;
      schedule(0);
    },
    idle,
    async finish() {
      finishing = true;
      if (!stopped) await idle();
      stopped = true;
    },
    stop() {
      stopped = true;
      cancel();
    },
  };
}
