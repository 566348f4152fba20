/**
 * An fsync of the SQLite write-ahead log that does not block the thread. The ingest worker's
 * connection runs with `synchronous = NORMAL` (commits write the WAL but do not wait for the disk)
 * and calls this before acknowledging: the same guarantee as `FULL` — the commit is on disk when
 * the beacon is answered — but the disk wait happens in libuv's thread pool while the worker goes
 * on committing the next group, and one fsync covers every group committed before it started.
 *
 * Sound because WAL frames only ever reach the file by write(), and fdatasync flushes every write
 * made to the file before it, whichever descriptor made it; SQLite keeps the `-wal` file (same
 * inode) while any connection is open, and syncs it itself before checkpointing.
 */
import { open, type FileHandle } from 'node:fs/promises';

export function createWalSync(databaseFile: string): { sync(): Promise<void>; close(): Promise<void> } {
  let wal: Promise<FileHandle> | null = null;
  return {
    async sync() {
      // Opened at the first sync, after the first commit has created the file.
      wal ??= open(`${databaseFile}-wal`, 'r+');
      await (await wal).datasync();
    },
    async close() {
      await (await wal)?.close();
    },
  };
}
