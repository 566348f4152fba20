/**
 * Messages between the HTTP thread (pipeline.ts) and the ingest worker (worker.ts). Records do not
 * travel here: the HTTP thread writes them to the inbox folder, and how far it has synced is in
 * memory both threads share (ingest-progress.ts); a message only wakes a worker that waits.
 */
import type { IngestProgressMemory } from './ingest-progress.js';

/**
 * How much higher the ingest worker's nice is than the HTTP thread's: the most there is (19 from
 * 0), below the inbox's sync thread too. Stitching only moves trails along, so it runs on what CPU
 * answering beacons and syncing them leave (worker.ts).
 */
export const INGEST_WORKER_NICE_ABOVE_HTTP = 19;

export interface IngestWorkerData {
  databaseFile: string;
  /** Shared with the HTTP thread: how far the inbox is synced, how busy the HTTP thread is (ingest-progress.ts). */
  progressMemory: IngestProgressMemory;
  /**
   * On the process's first worker, the first segment this process's writer made: positions saved by
   * earlier processes are in segments before it, so a saved position at or past it was saved in a
   * folder since lost or replaced (worker.ts). Null for a worker restarted in the same process,
   * which finds the position this process saved.
   */
  firstSegmentOfThisProcess: number | null;
}

export type ToWorker =
  /** More records are on disk: sent only to a worker that has stitched everything and asked for it (ingest-progress.ts). */
  | { type: 'appended' }
  /** Answer `settled` once everything appended so far is stitched into trails. */
  | { type: 'settle'; id: number }
  /** Stitch what is left, close the database, answer `closed`. */
  | { type: 'close' };

export type FromWorker =
  | { type: 'settled'; id: number }
  | { type: 'log'; message: string; error: { message: string; stack?: string }; details: Record<string, unknown> }
  | { type: 'closed' };
