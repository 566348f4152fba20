/**
 * Messages between the HTTP thread (pipeline.ts) and the ingest worker (worker.ts). Records do not
 * travel here: the HTTP thread writes them to the inbox folder and only says how far it has synced.
 */
import type { InboxPosition } from './inbox-files.js';

export interface IngestWorkerData {
  databaseFile: string;
  /** Where the inbox's synced records ended when the worker was started. */
  durable: InboxPosition;
}

export type ToWorker =
  /** Records up to `end` are on disk: stitch them. One message per fsync, not per beacon. */
  | { type: 'appended'; end: InboxPosition }
  /** Answer `settled` once everything appended so far is stitched into trails. */
  | { type: 'settle'; id: number }
  /** Stitch what is left, close the database, answer `closed`. */
  | { type: 'close' };

export type FromWorker =
  | { type: 'settled'; id: number }
  | { type: 'log'; message: string; error: { message: string; stack?: string }; details: Record<string, unknown> }
  | { type: 'closed' };
