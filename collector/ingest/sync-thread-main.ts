/**
 * The sync thread's loop (see sync-thread.ts): sleeps until the HTTP thread asks for a sync, calls
 * fdatasync on the file it names, and publishes how far it got. Requests made while one sync runs
 * are covered together by the next.
 */
import { fdatasyncSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { SyncSlot, type SyncThreadData, type SyncThreadReport } from './sync-thread-protocol.js';

const { slots } = workerData as SyncThreadData;
const report = (message: SyncThreadReport) => parentPort!.postMessage(message);

for (;;) {
  const synced = Atomics.load(slots, SyncSlot.Synced);
  // Sleeping is set before the wait checks Requested: a request stored after that check sees it set, and wakes us.
  Atomics.store(slots, SyncSlot.Sleeping, 1n);
  Atomics.wait(slots, SyncSlot.Requested, synced);
  Atomics.store(slots, SyncSlot.Sleeping, 0n);
  const requested = Atomics.load(slots, SyncSlot.Requested);
  if (requested < 0n) break;
  if (requested === synced) continue;
  const fd = Number(Atomics.load(slots, SyncSlot.Fd));
  let failed: string | undefined;
  try {
    fdatasyncSync(fd);
  } catch (error) {
    failed = (error as Error).message;
    // Before Synced, so that no reader sees this request synced without seeing it failed.
    Atomics.store(slots, SyncSlot.Failed, requested);
  }
  Atomics.store(slots, SyncSlot.Synced, requested);
  report({ upTo: requested, failed });
}
