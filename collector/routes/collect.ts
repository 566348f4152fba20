/**
 * `POST /collect` (SPEC §4): validate → check site and origin → drop bots → correct clocks →
 * enrich → group-commit. Answers 204 only after the batch is committed.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError, parseOrThrow } from '../errors.js';
import { MAX_EVENT_BYTES, batchSchema, findOversizedEvents } from '../ingest/schema.js';
import { correctClock } from '../ingest/clock.js';
import { describeDevice, isAutomatedRequest } from '../ingest/enrich.js';
import { hostMatchesDomains, hostOf } from '../ingest/domains.js';
import type { IngestWriter } from '../ingest/writer.js';
import type { IpMode } from '../ingest/network.js';
import type { SiteRepository } from '../repositories/sites.js';

/** SPEC §4: 500 KB a batch. */
export const MAX_BATCH_BYTES = 500 * 1024;

export interface CollectRoutesOptions {
  sites: SiteRepository;
  writer: IngestWriter;
  ipMode: IpMode;
  /** Requests a minute from one IP address; 0: unlimited. */
  rateLimitPerMinute: number;
}

export async function collectRoutes(app: FastifyInstance, { sites, writer, ipMode, rateLimitPerMinute }: CollectRoutesOptions): Promise<void> {
  // navigator.sendBeacon sends text/plain so that no CORS preflight is needed; the body is JSON all the same.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  // The snippet sends no credentials, so any origin may read the (empty) answer; which origins may
  // *store* events is decided per site below. Without this header fetch() would report a failure
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
    const receivedAt = Date.now();
    const batch = parseOrThrow(batchSchema, request.body, 'batch');
    const oversized = findOversizedEvents(batch.events, Number(request.headers['content-length'] ?? Infinity));
    if (oversized.length > 0) {
      throw new HttpError(400, 'invalid batch', oversized.map((index) => ({ path: `events.${index}`, message: `event is larger than ${MAX_EVENT_BYTES} bytes` })));
    }

    const site = await sites.findSiteByKey(batch.site);
    if (!site) throw new HttpError(403, 'unknown site', { site: batch.site });
    const origin = request.headers.origin;
    // No Origin header: a server-side send, judged by the site key alone (SPEC §4).
    if (origin !== undefined) {
      const originHost = hostOf(origin);
      if (!originHost || !hostMatchesDomains(originHost, site.domains)) {
        throw new HttpError(403, 'origin is not one of the site\'s domains', { origin, domains: site.domains });
      }
    }

    const { events, issues } = correctClock(batch, receivedAt);
    if (issues.length > 0) {
      throw new HttpError(400, 'invalid batch', issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
    }

    const requestFacts = {
      userAgent: request.headers['user-agent'],
      ip: request.ip,
      purpose: (request.headers['sec-purpose'] ?? request.headers.purpose) as string | undefined,
      fromPage: origin !== undefined,
    };
    // Bots get the same 204 as people, so they learn nothing, but nothing is stored.
    if (isAutomatedRequest(requestFacts)) return reply.code(204).send();

    await writer.write({
      siteId: site.id,
      siteDomains: site.domains,
      visitorClientId: batch.visitor,
      device: { ...describeDevice(requestFacts, site.ipMode ?? ipMode), language: batch.lang ?? null, timeZone: batch.tz ?? null, screen: batch.screen ?? null },
      events,
    });
    return reply.code(204).send();
  });
}
