/** What the HTTP thread (sync-thread.ts) and the sync thread (sync-thread-main.ts) share. */

/** Indexes into the shared BigInt64Array. */
export const SyncSlot = {
  /** The latest request; -1 asks the thread to stop. */
  Requested: 0,
  /** The latest request whose fdatasync has returned. */
  Synced: 1,
  /** The latest request whose fdatasync failed: when it changes, every request asked so far fails (sync-thread.ts). */
  Failed: 2,
  /** The file to sync for the latest request. */
  Fd: 3,
  /** 1 while the thread sleeps, waiting for a request: only then does a request need to wake it. */
  Sleeping: 4,
} as const;

export const SYNC_SLOTS = 5;

/** How much higher the sync thread's nice is than the HTTP thread's: it runs below it (sync-thread-main.ts). */
export const SYNC_THREAD_NICE_ABOVE_HTTP = 10;

export interface SyncThreadData {
  slots: BigInt64Array;
}

/** Sent after each fdatasync: wakes the HTTP thread when it has nothing else to do (how far it synced is in the shared slots). */
export interface SyncThreadReport {
  /** The error's message when this fdatasync failed. */
  failed?: string;
}
