/**
 * One line of the inbox (inbox-writer.ts): an accepted beacon as it arrived — its body, byte for
 * byte — with what the request added to it (the site, the time received, the device and network).
 *
 * The body goes in as received rather than re-serialized from the validated batch: on the HTTP
 * thread, where every microsecond of a request counts, that saves a JSON.stringify of the whole
 * batch. The worker validates it again with the same schema and corrects the clock with the same
 * receive time, which gives exactly the batch the judge accepted.
 */
import { correctClock, findClockIssues } from './clock.js';
import type { DeviceFacts } from './enrich.js';
import { batchSchema } from './schema.js';
import type { IngestBatch } from './stitch.js';

export interface AcceptedBeacon {
  siteId: number;
  siteDomains: readonly string[];
  receivedAt: number;
  device: DeviceFacts;
  /** The request's body, already known to be a valid batch. */
  body: string;
}

/** A newline ends each record, so a body must not contain one: in valid JSON a line break can only be whitespace. */
const LINE_BREAKS = /[\r\n]/g;

export function encodeInboxRecord({ siteId, siteDomains, receivedAt, device, body }: AcceptedBeacon): string {
  const oneLineBody = body.includes('\n') || body.includes('\r') ? body.replace(LINE_BREAKS, ' ') : body;
  return `{"site":${siteId},"domains":${JSON.stringify(siteDomains)},"received_at":${receivedAt},"device":${JSON.stringify(device)},"beacon":${oneLineBody}}\n`;
}

/** The batch a record holds, ready for stitching. Throws if the line is not a record (a torn or damaged write). */
export function decodeInboxRecord(line: string): IngestBatch {
  const record = JSON.parse(line) as { site: number; domains: string[]; received_at: number; device: DeviceFacts; beacon: unknown };
  const batch = batchSchema.parse(record.beacon);
  const issues = findClockIssues(batch, record.received_at);
  if (issues.length > 0) throw new Error(`the record's clock does not hold: ${issues[0]!.message}`);
  const events = correctClock(batch, record.received_at);
  return {
    siteId: record.site,
    siteDomains: record.domains,
    visitorClientId: batch.visitor,
    device: { ...record.device, language: batch.lang ?? null, timeZone: batch.tz ?? null, screen: batch.screen ?? null },
    events,
  };
}
