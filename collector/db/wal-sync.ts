/**
 * An fsync of the SQLite write-ahead log that does not block the thread. The ingest worker's
 * connection runs with `synchronous = NORMAL` (commits write the WAL but do not wait for the disk);
 * before it deletes inbox segments it has stitched, it calls this, so the saved inbox position and
 * the trails it covers are on disk before the records they came from are gone.
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
