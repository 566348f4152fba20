/**
 * Messages between the HTTP thread (pipeline.ts) and the ingest worker (worker.ts). Beacons travel
 * in arrays, one message per turn of the sender's event loop, because a message costs more than
 * the beacon's bytes.
 */
import type { Beacon } from './accept.js';
import type { IpMode } from './network.js';

export interface IngestWorkerData {
  databaseFile: string;
  ipMode: IpMode;
}

/** What `POST /collect` answers: 204, or an error in the API's shape. */
export type Answer = { status: 204 } | { status: 400 | 403 | 500; error: string; details: unknown };

export type ToWorker =
  | { type: 'beacons'; beacons: Array<[id: number, beacon: Beacon]> }
  /** A site's settings changed: judge its next beacons by what is stored now, not a cached copy. */
  | { type: 'site-changed'; key: string }
  /** Answer `settled` once everything acknowledged so far is stitched into trails. */
  | { type: 'settle'; id: number }
  /** Commit and stitch what is left, close the database, answer `closed`. */
  | { type: 'close' };

export type FromWorker =
  | { type: 'answers'; answers: Array<[id: number, answer: Answer]> }
  | { type: 'settled'; id: number }
  | { type: 'log'; message: string; error: { message: string; stack?: string }; details: Record<string, unknown> }
  | { type: 'closed' };
