/**
 * Group commit: batches from concurrent requests are stitched and committed together in one
 * transaction, and each request's promise resolves only after that commit. One commit (and one
 * WAL fsync) per turn of the event loop instead of per request is what lets ingest keep up
 * (PERF-NOTES.md: 6.9 k requests/s with a transaction per request).
 */
import type { IngestRepository } from '../repositories/ingest.js';
import { stitchBatch, type IngestBatch } from './stitch.js';

export interface IngestWriter {
  /** Resolves once the batch is durably stored; rejects if storing it failed. */
  write(batch: IngestBatch): Promise<void>;
  /** Resolves when every batch accepted so far is committed (graceful shutdown). */
  drain(): Promise<void>;
}

interface PendingWrite {
  batch: IngestBatch;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * `onGroupFailure` hears of a group that had to be split: a batch that fails alone is rejected
 * (its request gets a 500 and the snippet retries it), the others are stored.
 */
export function createIngestWriter(repository: IngestRepository, onGroupFailure: (error: unknown, batches: number) => void): IngestWriter {
  let pending: PendingWrite[] = [];
  let flushing: Promise<void> | null = null;

  async function flush(): Promise<void> {
    const group = pending;
    pending = [];
    try {
      await repository.runInTransaction((store) => {
        for (const write of group) stitchBatch(store, write.batch);
      });
      for (const write of group) write.resolve();
    } catch (error) {
      onGroupFailure(error, group.length);
      // Something in the group failed and the whole transaction rolled back. Store the batches
      // one by one, so only the batch at fault is refused and the others still land.
      for (const write of group) {
        try {
          await repository.runInTransaction((store) => stitchBatch(store, write.batch));
          write.resolve();
        } catch (error) {
          write.reject(error);
        }
      }
    }
  }

  function scheduleFlush(): void {
    if (flushing) return;
    // setImmediate runs after the I/O callbacks of this turn, so every request parsed in the
    // same turn joins the group.
    flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(flush)
      .finally(() => {
        flushing = null;
        if (pending.length > 0) scheduleFlush();
      });
  }

  return {
    write(batch) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ batch, resolve, reject });
        scheduleFlush();
      });
    },
    async drain() {
      while (flushing) await flushing;
    },
  };
}
