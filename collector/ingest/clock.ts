/**
 * Client clocks are wrong by minutes or years; the collector's clock is the reference. Each event's
 * time becomes `ts + received_at − sent_at` (SPEC §5), which keeps the order and gaps the browser
 * measured while moving them onto the server's clock.
 *
 * That offset is the browser clock's error plus the beacon's time in transit, and transit differs
 * from beacon to beacon: the one a page sends as it unloads (a form's, say) can arrive after the
 * next page's, and would then be placed after that page view. So stitching places a browser's
 * later batches with the smallest offset it has measured — the one with the least transit in it,
 * as NTP keeps the sample with the least delay — unless a batch measures much more than that,
 * which means the browser's clock was set back (`chooseClockOffset`).
 */
import type { CollectBatch, ValidEvent } from './schema.js';

/** An event may not claim to be later than the batch that carries it (beyond rounding). */
const MAX_EVENT_AFTER_SEND_MS = 60_000;
/** The snippet's retry store gives up long before this; older events are replays or forgeries. */
const MAX_EVENT_AGE_MS = 30 * 24 * 60 * 60_000;

export interface ClockIssue {
  path: (string | number)[];
  message: string;
}

/**
 * How much more than a browser's smallest measured offset a beacon may measure and still be taken
 * for one slower in transit rather than for a clock set back: beacons cross the internet in well
 * under this, and a clock set back by less misplaces events by less.
 */
const MAX_TRANSIT_SPREAD_MS = 2_000;

/** The server's clock minus the browser's, as this batch measured it: the clock's error plus the time in transit. */
export function measureClockOffset(batch: CollectBatch, receivedAt: number): number {
  return receivedAt - batch.sent_at;
}

/** What makes the batch's times invalid (none for a batch the collector accepts). */
export function findClockIssues(batch: CollectBatch, receivedAt: number): ClockIssue[] {
  const offset = measureClockOffset(batch, receivedAt);
  const issues: ClockIssue[] = [];
  batch.events.forEach((event, index) => {
    if (event.ts > batch.sent_at + MAX_EVENT_AFTER_SEND_MS) {
      issues.push({ path: ['events', index, 'ts'], message: 'event time is later than sent_at' });
    }
    if (receivedAt - onServersClock(event.ts, offset) > MAX_EVENT_AGE_MS) {
      issues.push({ path: ['events', index, 'ts'], message: 'event is older than 30 days' });
    }
  });
  return issues;
}

/** A browser's time on the server's clock, moved by `offset` (ms). */
const onServersClock = (ts: number, offset: number): number => Math.round(ts + offset);

/** Events on the server's clock, moved by `offset` (ms). */
export function correctClock(events: readonly ValidEvent[], offset: number): ValidEvent[] {
  return events.map((event) => ({ ...event, ts: onServersClock(event.ts, offset) }));
}

/**
 * The offset to place a browser's batch with: the one the batch measured, or the browser's best
 * so far (null: none yet) when the batch measured more, by no more than transit explains.
 */
export function chooseClockOffset(best: number | null, measured: number): number {
  if (best === null || measured < best || measured - best > MAX_TRANSIT_SPREAD_MS) return measured;
  return best;
}
