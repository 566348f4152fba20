/**
 * The sync thread's loop (see sync-thread.ts): sleeps until the HTTP thread asks for a sync, calls
 * fdatasync on the file it names, and publishes how far it got. Requests made while one sync runs
 * are covered together by the next.
 */
import { fdatasyncSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../thread-priority.js';
import { SYNC_THREAD_NICE_ABOVE_HTTP, SyncSlot, type SyncThreadData, type SyncThreadReport } from './sync-thread-protocol.js';

const { slots } = workerData as SyncThreadData;
const report = (message: SyncThreadReport) => parentPort!.postMessage(message);

// At the process's priority, this thread — woken by the HTTP thread's ask or by the disk's answer —
// is let preempt the HTTP thread in the middle of its turn, for no more than a system call: the
// bench's load made the HTTP thread lose its core some 1,300 times a second, against some 220 with
// this thread below it, and about 10 % more requests were answered (bench/RESULTS.md). Below, it
// waits for a free core, which under load is at once or after the HTTP thread's turn: either way
// the syncs asked for meanwhile join the next one.
lowerThisThreadsPriority(SYNC_THREAD_NICE_ABOVE_HTTP);

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
  report({ failed });
}
