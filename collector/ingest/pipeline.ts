/**
 * The HTTP thread's side of ingest: appends each accepted beacon's record to the inbox folder
 * (inbox-writer.ts) and resolves once it is on disk, and tells the ingest worker (worker.ts) how far
 * the synced records go, so it stitches them into trails.
 *
 * Storing does not depend on the worker: if it dies, beacons are still answered, and a new worker
 * starts after a pause that grows while it keeps failing, and stitches what the inbox holds.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { INGEST_WORKER_FILE } from '../paths.js';
import { inboxDirectory } from './inbox-files.js';
import { LOAD_WINDOW_MS, createIngestProgressMemory, progressPublisher } from './ingest-progress.js';
import { openInboxWriter } from './inbox-writer.js';
import type { FromWorker, IngestWorkerData, ToWorker } from './worker-protocol.js';

export interface IngestPipeline {
  /** Resolves true once the record (inbox-record.ts) is on disk, false if writing it failed (logged). */
  store(record: Buffer): Promise<boolean>;
  /** Resolves when everything acknowledged so far is stitched into trails (visible to the API). */
  settled(): Promise<void>;
  /** Syncs and stitches what is left and stops the worker. Call after the last store. */
  close(): Promise<void>;
}

export interface PipelineLog {
  error(details: Record<string, unknown>, message: string): void;
}

const MAX_RESTART_PAUSE_MS = 30_000;
/**
 * How long stitched beacons may stay in the inbox folder: only a finished segment is deleted (once
 * stitched), so the current one is closed this often — beacons as received (form fields among
 * them) should not outlive an erase or the retention by much.
 */
const SEGMENT_MAX_AGE_MS = 10 * 60_000;

export function startIngestPipeline(options: { databaseFile: string; log: PipelineLog; segmentBytes?: number; segmentMaxAgeMs?: number }): IngestPipeline {
  const settleWaiters = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextSettleId = 1;
  let closing: Promise<void> | null = null;
  let onClosed: (() => void) | null = null;
  let failuresInARow = 0;
  let restartTimer: NodeJS.Timeout | null = null;
  const writer = openInboxWriter(
    inboxDirectory(options.databaseFile),
    (end) => {
      if (progress.publishDurableEnd(end)) send({ type: 'appended' });
    },
    { segmentBytes: options.segmentBytes },
  );
  const progressMemory = createIngestProgressMemory(writer.durableEnd());
  const firstSegmentOfThisProcess = writer.durableEnd().segment;
  let isFirstWorker = true;
  const progress = progressPublisher(progressMemory);
  let storedInWindow = 0;
  let loadBefore = performance.eventLoopUtilization();
  const loadTimer = setInterval(() => {
    const loadNow = performance.eventLoopUtilization();
    const measured = performance.eventLoopUtilization(loadNow, loadBefore);
    // Divided by the window as it was: a busy thread runs the timer late.
    progress.publishHttpLoad(measured.utilization, (storedInWindow * 1000) / Math.max(measured.idle + measured.active, 1));
    loadBefore = loadNow;
    storedInWindow = 0;
  }, LOAD_WINDOW_MS).unref();
  const segmentTimer = setInterval(() => {
    try {
      writer.startNewSegment();
    } catch (error) {
      options.log.error({ err: error }, 'the inbox could not start a new segment; the current one stays in use');
    }
  }, options.segmentMaxAgeMs ?? SEGMENT_MAX_AGE_MS).unref();
  let worker: Worker | null = startWorker();

  function startWorker(): Worker {
    progress.resetWorkerWaiting();
    const workerData: IngestWorkerData = {
      databaseFile: options.databaseFile,
      progressMemory,
      firstSegmentOfThisProcess: isFirstWorker ? firstSegmentOfThisProcess : null,
    };
    isFirstWorker = false;
    const started = new Worker(INGEST_WORKER_FILE, { workerData });
    started.on('message', (message: FromWorker) => receive(message));
    started.on('error', (error) => options.log.error({ err: error }, 'the ingest worker failed'));
    started.on('exit', () => workerExited());
    return started;
  }

  function receive(message: FromWorker): void {
    switch (message.type) {
      case 'settled':
        failuresInARow = 0;
        settleWaiters.get(message.id)?.resolve();
        settleWaiters.delete(message.id);
        break;
      case 'log':
        options.log.error({ err: message.error, ...message.details }, message.message);
        break;
      case 'closed':
        onClosed?.();
        break;
    }
  }

  function workerExited(): void {
    worker = null;
    for (const waiter of settleWaiters.values()) waiter.reject(new Error('the ingest worker stopped'));
    settleWaiters.clear();
    if (closing) {
      onClosed?.();
      return;
    }
    const pauseMs = Math.min(MAX_RESTART_PAUSE_MS, 100 * 2 ** failuresInARow++);
    options.log.error({ restartInMs: pauseMs }, 'the ingest worker stopped; starting a new one');
    restartTimer = setTimeout(() => {
      restartTimer = null;
      worker = startWorker();
    }, pauseMs).unref();
  }

  /** Without a worker the message is dropped: a new worker reads the durable end from the shared memory as it starts. */
  function send(message: ToWorker): void {
    worker?.postMessage(message);
  }

  return {
    store(record) {
      storedInWindow++;
      return writer.append(record).then(
        () => true,
        (error: unknown) => {
          options.log.error({ err: error }, 'a beacon could not be written to the inbox');
          return false;
        },
      );
    },
    settled() {
      if (!worker) return Promise.reject(new Error('the ingest worker is not running'));
      const id = nextSettleId++;
      return new Promise((resolve, reject) => {
        settleWaiters.set(id, { resolve, reject });
        send({ type: 'settle', id });
      });
    },
    close() {
      closing ??= (async () => {
        if (restartTimer) clearTimeout(restartTimer);
        clearInterval(segmentTimer);
        clearInterval(loadTimer);
        await writer.drain();
        if (worker) {
          await new Promise<void>((resolve) => {
            onClosed = resolve;
            send({ type: 'close' });
          });
        }
        await writer.close();
      })();
      return closing;
    },
  };
}
