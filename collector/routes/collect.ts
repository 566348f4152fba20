/**
 * `POST /collect` (SPEC §4): rate limit, size limit, CORS; the beacon is judged here
 * (ingest/accept.ts) and an accepted batch's record is appended to the inbox (ingest/pipeline.ts).
 * A 204 means the record is written and fdatasynced; the ingest worker stitches it into the trails
 * afterwards.
 */
import type { FastifyInstance } from 'fastify';
import type { BeaconJudge } from '../ingest/accept.js';
import type { IngestPipeline } from '../ingest/pipeline.js';

/** SPEC §4: 500 KB a batch. */
const MAX_BATCH_BYTES = 500 * 1024;

const NO_BODY = Buffer.alloc(0);

export interface CollectRoutesOptions {
  judge: BeaconJudge;
  ingest: IngestPipeline;
  /** Requests a minute from one IP address; 0: unlimited. */
  rateLimitPerMinute: number;
}

export async function collectRoutes(app: FastifyInstance, { judge, ingest, rateLimitPerMinute }: CollectRoutesOptions): Promise<void> {
  // The body is read as bytes and parsed by the judge, whatever the type says: navigator.sendBeacon
  // sends text/plain so that no CORS preflight is needed; server-side senders use application/json.
  // Bytes, not text: an accepted body goes to the inbox as received (inbox-record.ts).
  const keepBody = (_request: unknown, body: Buffer, done: (error: null, body: Buffer) => void) => done(null, body);
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer' }, keepBody);

  // The snippet sends no credentials, so any origin may read the (empty) answer; which origins may
  // *store* events is decided per site by the judge. Without this header fetch() would report a failure
  // for a stored batch and the snippet would send it again.
  app.addHook('onSend', async (request, reply) => {
    reply.header('Access-Control-Allow-Origin', '*');
  });

  // Server-side senders using application/json from a browser context need a preflight answer.
  app.options('/collect', async (request, reply) => {
    reply
      .header('Access-Control-Allow-Methods', 'POST')
      .header('Access-Control-Allow-Headers', 'Content-Type')
      .header('Access-Control-Max-Age', '86400')
      .code(204)
      .send();
  });

  // A whole office behind one NAT address browses at once: the default (6,000 a minute) is six
  // times the 1,000 that SPEC §4 promises to accept, and only a flood reaches it.
  const rateLimit = rateLimitPerMinute > 0 ? { max: rateLimitPerMinute, timeWindow: 60_000 } : false;
  app.post('/collect', { bodyLimit: MAX_BATCH_BYTES, config: { rateLimit } }, async (request, reply) => {
    // No body at all (no Content-Type) is judged like an empty one: not JSON, 400.
    const verdict = await judge({
      body: Buffer.isBuffer(request.body) ? request.body : NO_BODY,
      receivedAt: Date.now(),
      ip: request.ip,
      userAgent: request.headers['user-agent'],
      origin: request.headers.origin,
      purpose: (request.headers['sec-purpose'] ?? request.headers.purpose) as string | undefined,
    });
    if (verdict.status !== 204) return reply.code(verdict.status).send({ error: verdict.error, details: verdict.details });
    // Bots and prefetches are answered like people, but nothing is stored.
    if (verdict.record && !(await ingest.store(verdict.record))) {
      return reply.code(500).send({ error: 'internal error', details: { reason: 'the batch could not be stored; send it again' } });
    }
    return reply.code(204).send();
  });
}
