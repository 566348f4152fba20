/**
 * Messages between the HTTP thread (pipeline.ts) and the ingest worker (worker.ts). Batches travel
 * as JSON text in arrays, one message per turn of the sender's event loop: a message costs more
 * than the batch's bytes, and text is what the inbox stores.
 */

export interface IngestWorkerData {
  databaseFile: string;
}

export type ToWorker =
  /** Accepted batches (JSON of IngestBatch) to store; each is answered once durable. */
  | { type: 'batches'; batches: Array<[id: number, batchJson: string]> }
  /** Answer `settled` once everything acknowledged so far is stitched into trails. */
  | { type: 'settle'; id: number }
  /** Commit and stitch what is left, close the database, answer `closed`. */
  | { type: 'close' };

export type FromWorker =
  /** `stored` false: the commit or its fsync failed (logged); the batch may be sent again. */
  | { type: 'stored'; answers: Array<[id: number, stored: boolean]> }
  | { type: 'settled'; id: number }
  | { type: 'log'; message: string; error: { message: string; stack?: string }; details: Record<string, unknown> }
  | { type: 'closed' };
