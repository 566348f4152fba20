/**
 * Sites: `POST /api/sites` creates one (with its reporting time zone) and returns the tag to paste; `GET /api/sites` lists them;
 * `GET /api/sites/:key/status` tells whether the tag sends events yet.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, parseOrThrow } from '../errors.js';
import { normalizeDomain } from '../ingest/domains.js';
import type { Site, SiteRepository } from '../repositories/sites.js';
import { isTimeZone } from '../time-zones.js';
import { isoTime } from './format.js';
import type { SiteJson, SiteStatusJson } from './json-types.js';

/** A host name as users type it: `example.com`, `www.example.com`, even `https://example.com/`. */
const domainSchema = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .transform((text) => normalizeDomain(text.includes('://') ? safeHostname(text) : text.replace(/[/:].*$/, '')))
  .refine((host) => /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(host), {
    message: 'not a domain name',
  });

export const siteInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  domains: z.array(domainSchema).min(1).max(20),
  /** The reporting time zone; the dashboard sends the browser's, the API defaults to UTC. */
  time_zone: z
    .string()
    .max(64)
    .refine(isTimeZone, { message: 'not an IANA time zone (such as Europe/Berlin)' })
    .default('UTC'),
});

function safeHostname(text: string): string {
  try {
    return new URL(text).hostname;
  } catch {
    return text;
  }
}

/** The `<script>` tag of SPEC §2 for a site. */
export function snippetTag(publicUrl: string, siteKey: string): string {
  return `<script defer src="${publicUrl}/lt.js" data-site="${siteKey}"></script>`;
}

export function siteJson(site: Site, publicUrl: string): SiteJson {
  return {
    key: site.key,
    name: site.name,
    domains: site.domains,
    time_zone: site.timeZone,
    created_at: isoTime(site.createdAt),
    snippet: snippetTag(publicUrl, site.key),
  };
}

export async function siteRoutes(app: FastifyInstance, { sites, publicUrl }: { sites: SiteRepository; publicUrl: string }): Promise<void> {
  app.get('/sites', async () => ({ sites: (await sites.listSites()).map((site) => siteJson(site, publicUrl)) }));

  app.post('/sites', async (request, reply) => {
    const input = parseOrThrow(siteInputSchema, request.body, 'site');
    const site = await sites.createSite({ name: input.name, domains: [...new Set(input.domains)], timeZone: input.time_zone });
    return reply.code(201).send(siteJson(site, publicUrl));
  });

  app.get('/sites/:key/status', async (request): Promise<SiteStatusJson> => {
    const key = String((request.params as { key?: string }).key ?? '');
    const site = key.length <= 64 ? await sites.findSiteByKey(key) : null;
    if (!site) throw new HttpError(404, 'no such site', { site: key.slice(0, 64) });
    const status = await sites.findSiteStatus(site.id);
    return { last_event_at: status.lastEventAt === null ? null : isoTime(status.lastEventAt), events_last_hour: status.eventsLastHour };
  });
}

const siteQuerySchema = z.object({ site: z.string().min(1).max(64) });

/** The site named by `?site=KEY`: 400 without one, 404 for an unknown key. */
export async function siteFromQuery(sites: SiteRepository, query: unknown): Promise<Site> {
  const { site: key } = parseOrThrow(siteQuerySchema, query, 'query: ?site=KEY is required');
  const site = await sites.findSiteByKey(key);
  if (!site) throw new HttpError(404, 'no such site', { site: key });
  return site;
}
