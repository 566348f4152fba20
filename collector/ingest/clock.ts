/**
 * Client clocks are wrong by minutes or years; the collector's clock is the reference. Each event's
 * time becomes `ts + received_at − sent_at` (SPEC §5), which keeps the order and gaps the browser
 * measured while moving them onto the server's clock.
 */
import type { ValidBatch, ValidEvent } from './schema.js';

/** An event may not claim to be later than the batch that carries it (beyond rounding). */
const MAX_EVENT_AFTER_SEND_MS = 60_000;
/** The snippet's retry store gives up long before this; older events are replays or forgeries. */
export const MAX_EVENT_AGE_MS = 30 * 24 * 60 * 60_000;

export interface ClockIssue {
  path: (string | number)[];
  message: string;
}

/** Events on the server's clock, or the issues that make the batch invalid. */
export function correctClock(batch: ValidBatch, receivedAt: number): { events: ValidEvent[]; issues: ClockIssue[] } {
  const offset = receivedAt - batch.sent_at;
  const issues: ClockIssue[] = [];
  const events = batch.events.map((event, index) => {
    if (event.ts > batch.sent_at + MAX_EVENT_AFTER_SEND_MS) {
      issues.push({ path: ['events', index, 'ts'], message: 'event time is later than sent_at' });
    }
    const ts = Math.round(event.ts + offset);
    if (receivedAt - ts > MAX_EVENT_AGE_MS) {
      issues.push({ path: ['events', index, 'ts'], message: 'event is older than 30 days' });
    }
    return { ...event, ts };
  });
  return { events, issues };
}
