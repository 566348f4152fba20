/**
 * Client clocks are wrong by minutes or years; the collector's clock is the reference. Each event's
 * time becomes `ts + received_at − sent_at` (SPEC §5), which keeps the order and gaps the browser
 * measured while moving them onto the server's clock.
 */
import type { CollectBatch, ValidBatch, ValidEvent } from './schema.js';

/** An event may not claim to be later than the batch that carries it (beyond rounding). */
const MAX_EVENT_AFTER_SEND_MS = 60_000;
/** The snippet's retry store gives up long before this; older events are replays or forgeries. */
export const MAX_EVENT_AGE_MS = 30 * 24 * 60 * 60_000;

export interface ClockIssue {
  path: (string | number)[];
  message: string;
}

/** What makes the batch's times invalid (none for a batch the collector accepts). */
export function findClockIssues(batch: CollectBatch, receivedAt: number): ClockIssue[] {
  const offset = receivedAt - batch.sent_at;
  const issues: ClockIssue[] = [];
  batch.events.forEach((event, index) => {
    if (event.ts > batch.sent_at + MAX_EVENT_AFTER_SEND_MS) {
      issues.push({ path: ['events', index, 'ts'], message: 'event time is later than sent_at' });
    }
    if (receivedAt - Math.round(event.ts + offset) > MAX_EVENT_AGE_MS) {
      issues.push({ path: ['events', index, 'ts'], message: 'event is older than 30 days' });
    }
  });
  return issues;
}

/** The batch's events on the server's clock. */
export function correctClock(batch: ValidBatch, receivedAt: number): ValidEvent[] {
  const offset = receivedAt - batch.sent_at;
  return batch.events.map((event) => ({ ...event, ts: Math.round(event.ts + offset) }));
}
