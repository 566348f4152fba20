/**
 * Lowering a helper thread's priority below the HTTP thread's, so that the scheduler itself puts
 * answering requests first: the inbox's sync thread (sync-thread-main.ts) and the ingest worker
 * (worker.ts) call this as they start. Each says why, and by how much.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The lowest priority Linux has. */
const MAX_NICE = 19;

/**
 * Raises the calling thread's nice by `steps` (capped at 19). A new thread starts at its creator's
 * nice, so this puts it `steps` below the thread that started it. Raising one's own nice needs no
 * privilege. Where it cannot (not Linux) it does nothing: the thread keeps the process's priority,
 * which is as correct, only slower under load.
 */
export function lowerThisThreadsPriority(steps: number): void {
  try {
    // Linux: /proc/thread-self is `<pid>/task/<tid>`, and setpriority on a thread id sets that thread's nice alone.
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(threadId, Math.min(MAX_NICE, getPriority(threadId) + steps));
  } catch {
    // No /proc (not Linux), or a sandbox that refuses setpriority.
  }
}
