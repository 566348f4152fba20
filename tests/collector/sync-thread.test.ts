/**
 * The inbox's sync thread (ingest/sync-thread.ts): real threads, real files, real fdatasync.
 */
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSyncThread, type SyncThread } from '../../collector/ingest/sync-thread.js';
import { SYNC_THREAD_NICE_ABOVE_HTTP } from '../../collector/ingest/sync-thread-protocol.js';
import { threadsBelowThisOne } from '../helpers/threads.js';

describe('the sync thread', () => {
  let thread: SyncThread | undefined;
  let fd: number | undefined;
  afterEach(async () => {
    await thread?.close();
    if (fd !== undefined) closeSync(fd);
    thread = undefined;
    fd = undefined;
  });

  const openFile = () => openSync(join(mkdtempSync(join(tmpdir(), 'leadtrail-sync-')), 'data'), 'w');

  it('resolves every sync asked for, many at once covered together', async () => {
    thread = startSyncThread();
    fd = openFile();
    writeSync(fd, 'first\n');
    await thread.sync(fd);
    const many = Array.from({ length: 20 }, (_, index) => {
      writeSync(fd!, `line ${index}\n`);
      return thread!.sync(fd!);
    });
    await Promise.all(many);
  });

  it('rejects a sync that fails, with the reason, and syncs again after it', async () => {
    thread = startSyncThread();
    fd = openFile();
    // Not a file descriptor: fdatasync fails as it would on a broken disk.
    await expect(thread.sync(987_654)).rejects.toThrow(/EBADF/);
    await thread.sync(fd);
  });

  it('fails every sync asked before a failure is seen, not only those up to the failed one', async () => {
    thread = startSyncThread();
    fd = openFile();
    writeSync(fd, 'first\n');
    const failing = thread.sync(987_654);
    // This thread blocks (its event loop cannot hear the report) while the sync thread fails that
    // fdatasync; the next group is then written and its sync asked before the failure is seen. Its
    // write may have been in the failed writeback, and a second fdatasync of a file would succeed
    // without it: it fails too.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    writeSync(fd, 'second\n');
    const askedBeforeTheFailureWasSeen = thread.sync(fd);
    await expect(failing).rejects.toThrow(/EBADF/);
    await expect(askedBeforeTheFailureWasSeen).rejects.toThrow(/EBADF/);
    // What is asked after it is seen is synced again.
    await thread.sync(fd);
  });

  it('fails the syncs still waiting when told a sync elsewhere found the data lost', async () => {
    thread = startSyncThread();
    fd = openFile();
    const waiting = thread.sync(fd);
    thread.failWaiting(new Error('EIO: i/o error, fdatasync'));
    await expect(waiting).rejects.toThrow(/EIO/);
    await thread.sync(fd);
  });

  it.runIf(process.platform === 'linux')('runs below the priority of the thread that started it (so it does not preempt the HTTP thread)', async () => {
    const before = threadsBelowThisOne(SYNC_THREAD_NICE_ABOVE_HTTP);
    thread = startSyncThread();
    fd = openFile();
    // Answered once the thread runs its loop, after it has set its priority.
    await thread.sync(fd);
    expect(threadsBelowThisOne(SYNC_THREAD_NICE_ABOVE_HTTP)).toBe(before + 1);
  });

  it('fails the syncs asked for after it was closed', async () => {
    thread = startSyncThread();
    fd = openFile();
    await thread.close();
    await expect(thread.sync(fd)).rejects.toThrow(/stopped/);
  });
});
