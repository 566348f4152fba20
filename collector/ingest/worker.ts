/**
 * The ingest worker thread: stitches the inbox folder into trails (stitcher.ts) as the HTTP thread
 * reports records synced, and folds the overview's rollups. It answers no beacon — those are
 * answered once their record is on disk (inbox-writer.ts) — so nothing here can slow a 204 but the
 * CPU it takes, which stitching keeps small while beacons arrive.
 *
 * At start it stitches whatever an earlier process acknowledged but did not stitch (a crash).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open.js';
import { createWalSync } from '../db/wal-sync.js';
import { createInboxRepository } from '../repositories/inbox.js';
import { createIngestRepository } from '../repositories/ingest.js';
import { createRollupRepository } from '../repositories/rollups.js';
import { lowerThisThreadsPriority } from '../thread-priority.js';
import { inboxDirectory } from './inbox-files.js';
import { progressReader } from './ingest-progress.js';
import { openInboxReader } from './inbox-reader.js';
import { createStitchLoop, stitchLegacyInbox } from './stitcher.js';
import { INGEST_WORKER_NICE_ABOVE_HTTP, type FromWorker, type IngestWorkerData, type ToWorker } from './worker-protocol.js';

// Answering beacons comes first, and the scheduler enforces it wherever stitching's own deferral
// (stitcher.ts) would misjudge the load: before the deferral took its own full-speed slices into
// account, stitching ran through the bench's worst-case loads and the collector answered 15–20 k
// requests a second; at this priority, 24–25 k (bench/RESULTS.md).
lowerThisThreadsPriority(INGEST_WORKER_NICE_ABOVE_HTTP);

const port = parentPort!;
const { databaseFile, progressMemory, firstSegmentOfThisProcess } = workerData as IngestWorkerData;
const progress = progressReader(progressMemory);
const post = (message: FromWorker) => port.postMessage(message);

function logError(message: string, error: unknown, details: Record<string, unknown> = {}): void {
  const { message: errorMessage, stack } = error instanceof Error ? error : new Error(String(error));
  post({ type: 'log', message, error: { message: errorMessage, stack }, details });
}

const database = openDatabase(databaseFile);
// Stitched trails need not wait for the disk at each commit: the inbox keeps every record until
// the position past it is synced (walSync, before a segment file is deleted).
database.pragma('synchronous = NORMAL');
const walSync = createWalSync(databaseFile);
const inbox = createInboxRepository(database);
const ingest = createIngestRepository(database);
const reader = openInboxReader(inboxDirectory(databaseFile), progress.durableEnd, (segment, bytes) =>
  logError('skipped the end of an inbox segment that a crash cut short (never acknowledged)', new Error('torn record'), { segment, bytes }),
);
// A position in a segment this process made, found at its start, was saved in a folder since lost or
// replaced (a database restored without it): read whatever the folder holds from its start. Else the
// records would never be stitched (a position past them), or the first ones skipped and the next read
// from the middle of a record (a position in the new segment of the same number).
const saved = inbox.position();
if (saved && firstSegmentOfThisProcess !== null && saved.segment >= firstSegmentOfThisProcess) {
  logError('the inbox folder does not hold the segment stitching stopped in; reading it from its start', new Error('inbox position past its files'), { saved, firstSegmentOfThisProcess });
  inbox.savePosition({ segment: 0, offset: 0 });
}
const stitching = createStitchLoop(reader, inbox, ingest, {
  syncDatabase: walSync.sync,
  onFailure: (error, where) => logError('a record could not be stitched; it is kept in ingest_failures', error, { ...where }),
  onFault: (error) => logError('stitching failed; the records stay in the inbox and are tried again in a second', error),
  httpIsBusy: progress.httpIsBusy,
  waitForRecords: progress.waitForRecords,
});

/** The overview's rollups follow what stitching wrote, folded here every few seconds rather than on the HTTP thread (the overview also folds before it answers). */
const ROLLUP_REFRESH_MS = 10_000;
const rollups = createRollupRepository(database);
let folding: Promise<void> = Promise.resolve();
const rollupTimer = setInterval(() => {
  folding = rollups.refreshRollups().catch((error: unknown) => logError('refreshing the overview rollups failed', error));
}, ROLLUP_REFRESH_MS);

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'appended':
      stitching.nudge();
      break;
    case 'settle': {
      // Everything acknowledged before the ask is synced by now: a flood after it does not hold the answer back.
      const acknowledged = progress.durableEnd();
      void legacyStitched.then(() => stitching.idle(acknowledged)).then(() => post({ type: 'settled', id: message.id }));
      break;
    }
    case 'close':
      void legacyStitched.then(() => stitching.finish()).then(async () => {
        clearInterval(rollupTimer);
        await folding;
        await walSync.close();
        reader.close();
        database.close();
        post({ type: 'closed' });
        port.close();
      });
      break;
  }
});

// An earlier version may have left acknowledged batches in its ingest_inbox table; then the stitch
// loop reads on from the saved position (what a crash left in the folder included).
const legacyStitched = stitchLegacyInbox(inbox, ingest, (error) => logError('a batch left in ingest_inbox could not be stitched; it is kept in ingest_failures', error))
  .catch((error: unknown) => logError('stitching the batches left in ingest_inbox failed; they wait for the next start', error))
  .finally(() => stitching.nudge());
