/**
 * One line of the inbox (inbox-writer.ts): an accepted beacon as it arrived — its body, byte for
 * byte — with what the request added to it (the site, the time received, the device and network).
 *
 * The body goes in as the bytes received rather than re-serialized from the validated batch: on the
 * HTTP thread, where every microsecond of a request counts, that saves a JSON.stringify of the whole
 * batch, and copying bytes saves turning the decoded text back into UTF-8. The worker validates it
 * again with the same schema and measures the clock with the same receive time, which gives exactly
 * the batch the judge accepted.
 */
import { findClockIssues, measureClockOffset } from './clock.js';
import type { DeviceFacts } from './enrich.js';
import { batchSchema } from './schema.js';
import type { IngestBatch } from './stitch.js';

export interface AcceptedBeacon {
  siteId: number;
  siteDomains: readonly string[];
  receivedAt: number;
  device: DeviceFacts;
  /** The request's body as received, already known to be a valid batch (so UTF-8 JSON). */
  body: Buffer;
}

/** Line feed and carriage return. */
const LINE_BREAKS = [0x0a, 0x0d];
const SPACE = 0x20;
const RECORD_END = Buffer.from('}\n');

/** A site's domains change rarely and its cached Site object (and array) is replaced when they do. */
const domainsJson = new WeakMap<readonly string[], string>();

/** The record's bytes, newline included. */
export function encodeInboxRecord({ siteId, siteDomains, receivedAt, device, body }: AcceptedBeacon): Buffer {
  let domains = domainsJson.get(siteDomains);
  if (domains === undefined) domainsJson.set(siteDomains, (domains = JSON.stringify(siteDomains)));
  const head = `{"site":${siteId},"domains":${domains},"received_at":${receivedAt},"device":${JSON.stringify(device)},"beacon":`;
  const headBytes = Buffer.byteLength(head);
  const record = Buffer.allocUnsafe(headBytes + body.length + RECORD_END.length);
  record.write(head, 0);
  body.copy(record, headBytes);
  RECORD_END.copy(record, headBytes + body.length);
  // A newline ends each record, so the body must not hold one. In valid JSON a line break can only
  // be whitespace between tokens (inside a string it is escaped), and in UTF-8 these bytes are never
  // part of another character: a space in its place changes nothing.
  for (const lineBreak of LINE_BREAKS) {
    for (let at = record.indexOf(lineBreak, headBytes); at !== -1 && at < headBytes + body.length; at = record.indexOf(lineBreak, at + 1)) {
      record[at] = SPACE;
    }
  }
  return record;
}

/** The batch a record holds, ready for stitching. Throws if the line is not a record (a torn or damaged write). */
export function decodeInboxRecord(line: string): IngestBatch {
  const record = JSON.parse(line) as { site: number; domains: string[]; received_at: number; device: DeviceFacts; beacon: unknown };
  const batch = batchSchema.parse(record.beacon);
  const issues = findClockIssues(batch, record.received_at);
  if (issues.length > 0) throw new Error(`the record's clock does not hold: ${issues[0]!.message}`);
  return {
    siteId: record.site,
    siteDomains: record.domains,
    visitorClientId: batch.visitor,
    device: { ...record.device, language: batch.lang ?? null, timeZone: batch.tz ?? null, screen: batch.screen ?? null },
    clockOffset: measureClockOffset(batch, record.received_at),
    events: batch.events,
  };
}
