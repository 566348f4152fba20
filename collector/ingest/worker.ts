/**
 * The ingest worker thread: appends the batches the HTTP thread accepted to the inbox with a group
 * commit and answers each only once that commit is fsynced, then stitches the inbox into trails
 * (stitcher.ts). SQLite's commits, the wait for the disk and stitching never hold up the thread
 * that parses the next requests.
 *
 * At start it stitches whatever an earlier process acknowledged but did not stitch (a crash).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open.js';
import { createWalSync } from '../db/wal-sync.js';
import { createInboxRepository } from '../repositories/inbox.js';
import { createIngestRepository } from '../repositories/ingest.js';
import { createRollupRepository } from '../repositories/rollups.js';
import { createGroupCommit } from './group-commit.js';
import { createStitchLoop } from './stitcher.js';
import type { FromWorker, IngestWorkerData, ToWorker } from './worker-protocol.js';

const port = parentPort!;
const { databaseFile } = workerData as IngestWorkerData;
const post = (message: FromWorker) => port.postMessage(message);

function logError(message: string, error: unknown, details: Record<string, unknown> = {}): void {
  const { message: errorMessage, stack } = error instanceof Error ? error : new Error(String(error));
  post({ type: 'log', message, error: { message: errorMessage, stack }, details });
}

const database = openDatabase(databaseFile);
// Commits here do not wait for the disk; each acknowledged group waits for `walSync` instead
// (db/wal-sync.ts): durable before its 204 all the same.
database.pragma('synchronous = NORMAL');
const walSync = createWalSync(databaseFile);
const inbox = createInboxRepository(database);
const inboxAppends = createGroupCommit<string>((batchJsons) => inbox.append(batchJsons, Date.now()), walSync.sync);
let batchesWaiting = 0;
const stitching = createStitchLoop(inbox, createIngestRepository(database), {
  batchesWaiting: () => batchesWaiting,
  onFailure: (error, inboxId) => logError('a batch could not be stitched; it stays in ingest_inbox, marked with the failure', error, { inboxId }),
  onFault: (error) => logError('stitching failed; the batches stay in ingest_inbox and are tried again in a second', error),
});

/**
 * The overview's rollups follow what stitching wrote, folded here every few seconds rather than on
 * the HTTP thread (the overview also folds before it answers). Skipped while batches wait for their
 * commit: their answers come first.
 */
const ROLLUP_REFRESH_MS = 10_000;
const rollups = createRollupRepository(database);
let folding: Promise<void> = Promise.resolve();
const rollupTimer = setInterval(() => {
  if (batchesWaiting > 0) return;
  folding = rollups.refreshRollups().catch((error: unknown) => logError('refreshing the overview rollups failed', error));
}, ROLLUP_REFRESH_MS);

async function store(batchJson: string): Promise<boolean> {
  batchesWaiting++;
  try {
    await inboxAppends.write(batchJson);
    stitching.nudge();
    return true;
  } catch (error) {
    logError('a batch could not be stored', error);
    return false;
  } finally {
    batchesWaiting--;
  }
}


port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'batches':
      void Promise.all(message.batches.map(async ([id, batchJson]) => [id, await store(batchJson)] as [number, boolean])).then((answers) =>
        post({ type: 'stored', answers }),
      );
      break;
    case 'settle':
      void inboxAppends
        .drain()
        .then(() => stitching.idle())
        .then(() => post({ type: 'settled', id: message.id }));
      break;
    case 'close':
      void inboxAppends
        .drain()
        .then(() => stitching.finish())
        .then(async () => {
          clearInterval(rollupTimer);
          await folding;
          await walSync.close();
          database.close();
          post({ type: 'closed' });
          port.close();
        });
      break;
  }
});

// A crash may have left acknowledged batches unstitched.
stitching.nudge();
