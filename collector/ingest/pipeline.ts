/**
 * The HTTP thread's side of ingest: hands each accepted batch to the ingest worker (worker.ts) and
 * resolves once it is durably stored. Batches accepted in one turn of the event loop travel in one
 * message.
 *
 * If the worker dies, every batch waiting for an answer is reported unstored (its request gets a
 * 500 and the snippet sends it again; what the inbox had committed is stitched once, as event ids
 * make re-sends idempotent) and a new worker starts, after a pause that grows while it keeps failing.
 */
import { Worker } from 'node:worker_threads';
import { INGEST_WORKER_FILE } from '../paths.js';
import type { IngestBatch } from './stitch.js';
import type { FromWorker, IngestWorkerData, ToWorker } from './worker-protocol.js';

export interface IngestPipeline {
  /** Resolves true once the batch is committed and fsynced, false if storing it failed. */
  store(batch: IngestBatch): Promise<boolean>;
  /** Resolves when everything acknowledged so far is stitched into trails (visible to the API). */
  settled(): Promise<void>;
  /** Commits and stitches what is left and stops the worker. Call after the last submit. */
  close(): Promise<void>;
}

export interface PipelineLog {
  error(details: Record<string, unknown>, message: string): void;
}

const MAX_RESTART_PAUSE_MS = 30_000;

export function startIngestPipeline(options: { databaseFile: string; log: PipelineLog }): IngestPipeline {
  const workerData: IngestWorkerData = { databaseFile: options.databaseFile };
  const answerWaiters = new Map<number, (stored: boolean) => void>();
  const settleWaiters = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let outgoing: Array<[number, string]> = [];
  let sendScheduled = false;
  let closing: Promise<void> | null = null;
  let onClosed: (() => void) | null = null;
  let failuresInARow = 0;
  let worker: Worker | null = startWorker();

  function startWorker(): Worker {
    const started = new Worker(INGEST_WORKER_FILE, { workerData });
    started.on('message', (message: FromWorker) => receive(message));
    started.on('error', (error) => options.log.error({ err: error }, 'the ingest worker failed'));
    started.on('exit', () => workerExited());
    return started;
  }

  function receive(message: FromWorker): void {
    switch (message.type) {
      case 'stored':
        failuresInARow = 0;
        for (const [id, stored] of message.answers) {
          answerWaiters.get(id)?.(stored);
          answerWaiters.delete(id);
        }
        break;
      case 'settled':
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
    for (const answer of answerWaiters.values()) answer(false);
    answerWaiters.clear();
    for (const waiter of settleWaiters.values()) waiter.reject(new Error('the ingest worker stopped'));
    settleWaiters.clear();
    if (closing) {
      onClosed?.();
      return;
    }
    const pauseMs = Math.min(MAX_RESTART_PAUSE_MS, 100 * 2 ** failuresInARow++);
    options.log.error({ restartInMs: pauseMs }, 'the ingest worker stopped; starting a new one');
    setTimeout(() => {
      worker = startWorker();
      sendBatches();
    }, pauseMs).unref();
  }

  function send(message: ToWorker): void {
    worker!.postMessage(message);
  }

  function sendBatches(): void {
    sendScheduled = false;
    if (!worker || outgoing.length === 0) return;
    send({ type: 'batches', batches: outgoing });
    outgoing = [];
  }

  return {
    store(batch) {
      const id = nextId++;
      outgoing.push([id, JSON.stringify(batch)]);
      if (!sendScheduled) {
        sendScheduled = true;
        // After this turn's I/O callbacks: every batch accepted in the same turn shares the message.
        setImmediate(sendBatches);
      }
      return new Promise((resolve) => answerWaiters.set(id, resolve));
    },
    settled() {
      if (!worker) return Promise.reject(new Error('the ingest worker is not running'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        settleWaiters.set(id, { resolve, reject });
        send({ type: 'settle', id });
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        onClosed = resolve;
        if (!worker) return resolve();
        sendBatches();
        send({ type: 'close' });
      });
      return closing;
    },
  };
}
