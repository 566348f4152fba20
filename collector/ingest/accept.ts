/**
 * What `POST /collect` answers (SPEC §4), decided from the raw request: JSON, the wire schema, the
 * per-event size, site and origin, clocks, bots — and, for a beacon to keep, its inbox record
 * (inbox-record.ts) with the enrichment only the request can give (device from the user agent,
 * country and network from the address). A few microseconds a beacon, on the HTTP thread: cheaper
 * than sending the raw beacon to another thread and its verdict back.
 */
import { HttpError, parseOrThrow } from '../errors.js';
import type { Site, SiteRepository } from '../repositories/sites.js';
import { conformsToBatchSchema } from './batch-validator.js';
import { findClockIssues } from './clock.js';
import { hostMatchesDomains, hostOf } from './domains.js';
import { describeDevice, isAutomatedRequest } from './enrich.js';
import { encodeInboxRecord } from './inbox-record.js';
import type { IpMode } from './network.js';
import { remembered } from './remembered.js';
import { MAX_EVENT_CHARACTERS, batchSchema, findOversizedEvents, type CollectBatch } from './schema.js';

/** The parts of an HTTP request that decide about a beacon. */
export interface Beacon {
  /** The body's bytes as received: UTF-8 JSON, whatever the Content-Type said. */
  body: Buffer;
  receivedAt: number;
  ip: string;
  userAgent: string | undefined;
  origin: string | undefined;
  /** `Sec-Purpose` / `Purpose`: set by browsers on speculative prefetches. */
  purpose: string | undefined;
}

/** `record`: the inbox record to keep (inbox-record.ts); null for a beacon answered 204 but not kept (a bot or a prefetch). */
export type Verdict = { status: 204; record: Buffer | null } | { status: 400 | 403; error: string; details: unknown };

export type BeaconJudge = (beacon: Beacon) => Promise<Verdict>;

/** Origins a site's pages send from are few; more than this means someone is making them up. */
const ORIGINS_REMEMBERED_PER_SITE = 1_000;

export function createBeaconJudge(sites: SiteRepository, ipMode: IpMode): BeaconJudge {
  /**
   * Every beacon of a site's pages carries the same Origin: the verdict is remembered per site
   * object, which the site cache replaces each time it reloads the site (every 10 s, and at once
   * after a change made by this process), so a change of domains is seen.
   */
  const originVerdicts = new WeakMap<Site, (origin: string) => boolean>();
  function originAllowed(site: Site, origin: string): boolean {
    let verdictOf = originVerdicts.get(site);
    if (!verdictOf) {
      verdictOf = remembered(ORIGINS_REMEMBERED_PER_SITE, (candidate) => {
        const originHost = hostOf(candidate);
        return originHost !== null && hostMatchesDomains(originHost, site.domains);
      });
      originVerdicts.set(site, verdictOf);
    }
    return verdictOf(origin);
  }

  async function accept(beacon: Beacon): Promise<Buffer | null> {
    const json = parseJson(beacon.body.toString());
    // The compiled check passes a valid beacon without copying it; zod explains a refusal.
    const batch: CollectBatch = conformsToBatchSchema(json) ? json : parseOrThrow(batchSchema, json, 'batch');
    const oversized = findOversizedEvents(batch.events, beacon.body.length);
    if (oversized.length > 0) {
      throw new HttpError(400, 'invalid batch', oversized.map((index) => ({ path: `events.${index}`, message: `event is longer than ${MAX_EVENT_CHARACTERS} characters of JSON` })));
    }

    const site = await sites.findSiteByKey(batch.site);
    if (!site) throw new HttpError(403, 'unknown site', { site: batch.site });
    // No Origin header: a server-side send, judged by the site key alone (SPEC §4).
    if (beacon.origin !== undefined && !originAllowed(site, beacon.origin)) {
      throw new HttpError(403, 'origin is not one of the site\'s domains', { origin: beacon.origin, domains: site.domains });
    }

    const issues = findClockIssues(batch, beacon.receivedAt);
    if (issues.length > 0) {
      throw new HttpError(400, 'invalid batch', issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
    }

    const requestFacts = { userAgent: beacon.userAgent, ip: beacon.ip, purpose: beacon.purpose, fromPage: beacon.origin !== undefined };
    // Bots get the same 204 as people, so they learn nothing, but nothing is stored.
    if (isAutomatedRequest(requestFacts)) return null;
    return encodeInboxRecord({
      siteId: site.id,
      siteDomains: site.domains,
      receivedAt: beacon.receivedAt,
      // A site's own IP mode wins; the server's (LEADTRAIL_IP_MODE) is the default. The address is
      // looked up and cut down here, so the inbox never holds more of it than the mode allows.
      device: describeDevice(requestFacts, site.ipMode ?? ipMode),
      body: beacon.body,
    });
  }

  return async (beacon) => {
    try {
      return { status: 204, record: await accept(beacon) };
    } catch (error) {
      if (error instanceof HttpError) return { status: error.statusCode as 400 | 403, error: error.message, details: error.details };
      throw error;
    }
  };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new HttpError(400, `body is not valid JSON: ${(error as Error).message}`);
  }
}
