/**
 * What the HTTP thread (pipeline.ts) and the ingest worker (worker.ts) share through memory instead
 * of messages: how far the inbox is synced, how busy the HTTP thread is, and whether the worker,
 * having stitched everything, wants to hear of the next sync.
 *
 * Why not a message per sync: under load the HTTP thread syncs a thousand times a second or more,
 * and each message cost it a postMessage and woke the worker for nothing while stitching waits for
 * the load to pass (stitcher.ts). Now a message goes only to a worker that is waiting for records.
 */
import type { InboxPosition } from './inbox-files.js';

/** Indexes into the shared BigInt64Array. */
const Slot = {
  /** The synced end, packed (packPosition). */
  DurableEnd: 0,
  /** The HTTP thread's event loop utilization over the last window, in thousandths. */
  HttpLoad: 1,
  /** Beacons stored a second over the same window. */
  BeaconRate: 2,
  /** 1 while the worker has stitched everything and waits to be told of the next sync. */
  WorkerWaiting: 3,
} as const;
const SLOTS = 4;

/**
 * The HTTP thread is busy with beacons when it spends over half its time answering and stores
 * beacons at a flood's rate: stitching then waits for it. A real site's visitors send a few beacons
 * a second, and a busy dashboard is no reason to hold trails back.
 */
const HTTP_BUSY_UTILIZATION = 0.5;
const FLOOD_BEACONS_PER_SECOND = 1_000;
/** How often the HTTP thread publishes its load (the window the figures cover). */
export const LOAD_WINDOW_MS = 250;

/** A segment is rotated at 32 MB by default: 2^40 bytes is far beyond any segment's offset. */
const OFFSET_BITS = 40n;
const OFFSET_MASK = (1n << OFFSET_BITS) - 1n;

function packPosition({ segment, offset }: InboxPosition): bigint {
  return (BigInt(segment) << OFFSET_BITS) | BigInt(offset);
}

function unpackPosition(packed: bigint): InboxPosition {
  return { segment: Number(packed >> OFFSET_BITS), offset: Number(packed & OFFSET_MASK) };
}

/** The shared memory itself: passed to the worker in its workerData (it outlives a worker restart). */
export type IngestProgressMemory = BigInt64Array;

export function createIngestProgressMemory(durable: InboxPosition): IngestProgressMemory {
  const memory = new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT * SLOTS));
  memory[Slot.DurableEnd] = packPosition(durable);
  return memory;
}

/** The HTTP thread's side. */
export interface ProgressPublisher {
  /** Records up to `end` are on disk. True if the worker waits to hear it (the caller wakes it). */
  publishDurableEnd(end: InboxPosition): boolean;
  /** The HTTP thread's event loop utilization (0–1) and the beacons it stored a second, over the last window. */
  publishHttpLoad(utilization: number, beaconsPerSecond: number): void;
  /** A new worker starts by reading the inbox itself: it waits for nothing yet. */
  resetWorkerWaiting(): void;
}

export function progressPublisher(memory: IngestProgressMemory): ProgressPublisher {
  return {
    publishDurableEnd(end) {
      Atomics.store(memory, Slot.DurableEnd, packPosition(end));
      // After the store: a worker that set Waiting before it read the end either saw this end or
      // is seen waiting here (sequentially consistent atomics), so no sync goes unnoticed.
      return Atomics.compareExchange(memory, Slot.WorkerWaiting, 1n, 0n) === 1n;
    },
    publishHttpLoad(utilization, beaconsPerSecond) {
      Atomics.store(memory, Slot.HttpLoad, BigInt(Math.round(utilization * 1000)));
      Atomics.store(memory, Slot.BeaconRate, BigInt(Math.round(beaconsPerSecond)));
    },
    resetWorkerWaiting() {
      Atomics.store(memory, Slot.WorkerWaiting, 0n);
    },
  };
}

/** The worker's side. */
export interface ProgressReader {
  /** Where the records on disk end. */
  durableEnd(): InboxPosition;
  /**
   * True while the HTTP thread is busy with a flood of beacons (its latest window). `stitchedLately`:
   * stitching ran at full speed in that window, and then the rate alone decides — it took a core
   * the HTTP thread's answers wait for (through the sync thread), so the thread looked idle part of
   * the time: under a flood 0.38–0.49 of it, against 0.72–0.86 without stitching (bench/RESULTS.md).
   */
  httpIsBusy(stitchedLately: boolean): boolean;
  /**
   * Asks to be told of the next sync, having read every record up to `readUpTo` (the end its read
   * began with). False when records were synced past it (read them now: no message will come for
   * them); true when the caller can wait for the message.
   */
  waitForRecords(readUpTo: InboxPosition): boolean;
}

export function progressReader(memory: IngestProgressMemory): ProgressReader {
  return {
    durableEnd: () => unpackPosition(Atomics.load(memory, Slot.DurableEnd)),
    httpIsBusy: (stitchedLately) =>
      Number(Atomics.load(memory, Slot.BeaconRate)) >= FLOOD_BEACONS_PER_SECOND &&
      (stitchedLately || Number(Atomics.load(memory, Slot.HttpLoad)) / 1000 >= HTTP_BUSY_UTILIZATION),
    waitForRecords(readUpTo) {
      Atomics.store(memory, Slot.WorkerWaiting, 1n);
      if (Atomics.load(memory, Slot.DurableEnd) === packPosition(readUpTo)) return true;
      Atomics.store(memory, Slot.WorkerWaiting, 0n);
      return false;
    },
  };
}
