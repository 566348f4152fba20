/**
 * The thread that makes the inbox durable: it calls fdatasync whenever the HTTP thread asks, and
 * says how far it got through shared memory. Its entry is sync-thread-main.ts.
 *
 * Why not fs.fdatasync in libuv's pool: its answer reaches the HTTP thread only at the event loop's
 * next poll, after every request already read in the current turn — under load that took longer
 * than the fdatasync itself (0.8 ms against 0.3 ms, bench/RESULTS.md). Here the HTTP thread reads
 * the synced count with one atomic load whenever it accepts a beacon, so a group's 204s go out as
 * soon as it is durable. The thread also posts a message after each fdatasync: that is what wakes
 * the HTTP thread when no request would (under load, the atomic load has usually settled the group
 * before the message is read).
 */
import { Worker } from 'node:worker_threads';
import { SYNC_THREAD_FILE } from '../paths.js';
import { SYNC_SLOTS, SyncSlot, type SyncThreadData, type SyncThreadReport } from './sync-thread-protocol.js';

export interface SyncThread {
  /** Resolves once everything written to `fd` before this call is on disk. */
  sync(fd: number): Promise<void>;
  /** Resolves the syncs that are done; cheap enough to call for every request. */
  poll(): void;
  /** Fails every sync still waiting (a sync made elsewhere found the file's data lost). */
  failWaiting(error: Error): void;
  /** Stops the thread after the syncs asked for. */
  close(): Promise<void>;
}

interface Waiter {
  request: bigint;
  resolve: () => void;
  reject: (error: Error) => void;
}

export function startSyncThread(): SyncThread {
  const slots = new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT * SYNC_SLOTS));
  const data: SyncThreadData = { slots };
  const thread = new Worker(SYNC_THREAD_FILE, { workerData: data });
  let requested = 0n;
  let waiters: Waiter[] = [];
  let failure: Error | null = null;
  /** Why the latest failed sync failed (the thread's report may come after the failure is seen). */
  let lastSyncError = 'fdatasync failed';
  /** The latest failed request this thread has acted on. */
  let failureSeen = 0n;
  let exited = false;

  /** Settles the waiters up to `upTo` (requests only grow, so they are the first ones). */
  function settle(upTo: bigint, error: (() => Error) | null): void {
    if (waiters.length === 0 || waiters[0]!.request > upTo) return;
    const done = waiters.filter((waiter) => waiter.request <= upTo);
    waiters = waiters.filter((waiter) => waiter.request > upTo);
    if (waiters.length === 0) thread.unref();
    for (const waiter of done) error ? waiter.reject(error()) : waiter.resolve();
  }

  function poll(): void {
    // Synced is read first: the thread publishes a failure before the request counts as synced, so
    // a synced request that failed is seen failed too.
    const synced = Atomics.load(slots, SyncSlot.Synced);
    const failed = Atomics.load(slots, SyncSlot.Failed);
    if (failed > failureSeen) {
      failureSeen = failed;
      // Every sync asked so far fails, not only those up to the failed one: a group written just
      // before the failed fdatasync started may have been in its writeback though its sync was asked
      // after, and the kernel reports a failed writeback once per file — the next fdatasync would
      // succeed without the data. What is written from now on is after that fdatasync returned, and
      // its own sync reports its own failure. (The 500s make the senders retry.)
      settle(requested, () => new Error(lastSyncError));
    }
    settle(synced, null);
  }

  thread.on('message', (report: SyncThreadReport) => {
    if (report.failed) lastSyncError = report.failed;
    poll();
  });
  thread.on('error', (error) => {
    failure = error;
  });
  thread.on('exit', () => {
    exited = true;
    failure ??= new Error('the inbox sync thread stopped');
    settle(requested, () => failure!);
  });
  // Only a sync asked for keeps the process alive; close() ends the thread in order.
  thread.unref();

  return {
    sync(fd) {
      if (exited) return Promise.reject(failure);
      requested += 1n;
      const request = requested;
      Atomics.store(slots, SyncSlot.Fd, BigInt(fd));
      Atomics.store(slots, SyncSlot.Requested, request);
      // Waking a thread is a system call: only when it sleeps (under load it is mostly syncing, and
      // reads the new request when it is done).
      if (Atomics.load(slots, SyncSlot.Sleeping) === 1n) Atomics.notify(slots, SyncSlot.Requested);
      thread.ref();
      return new Promise((resolve, reject) => waiters.push({ request, resolve, reject }));
    },
    poll,
    failWaiting(error) {
      settle(requested, () => error);
    },
    async close() {
      if (exited) return;
      const stopped = new Promise((resolve) => thread.once('exit', resolve));
      thread.ref();
      Atomics.store(slots, SyncSlot.Requested, -1n);
      Atomics.notify(slots, SyncSlot.Requested);
      await stopped;
    },
  };
}
