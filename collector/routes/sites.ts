/**
 * Sites: `POST /api/sites` creates one (with its reporting time zone) and returns the tag to paste;
 * `GET /api/sites` lists them; `PATCH /api/sites/:key` renames one or changes its domains or settings;
 * `GET /api/sites/:key/status` tells whether the tag sends events yet.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, parseOrThrow } from '../errors.js';
import { normalizeDomain } from '../ingest/domains.js';
import { IP_MODES, storableIp, type IpMode } from '../ingest/network.js';
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

const timeZoneSchema = z.string().max(64).refine(isTimeZone, { message: 'not an IANA time zone (such as Europe/Berlin)' });

export const siteInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  domains: z.array(domainSchema).min(1).max(20),
  /** The reporting time zone; the dashboard sends the browser's, the API defaults to UTC. */
  time_zone: timeZoneSchema.default('UTC'),
});

/** Ten years: beyond that "forever" (null) says it better. */
const MAXIMUM_RETENTION_DAYS = 3650;

/** `PATCH /api/sites/:key`: any of these, one line each; an unknown field is a 400, not silently ignored. */
const siteChangesSchema = z
  .strictObject({
    name: siteInputSchema.shape.name,
    domains: siteInputSchema.shape.domains,
    /** The overview's rollups are rebuilt in the new zone at their next refresh. */
    time_zone: timeZoneSchema,
    /** null: back to the server's LEADTRAIL_IP_MODE. */
    ip_mode: z.enum(IP_MODES).nullable(),
    /** null: keep raw events forever. */
    retention_days: z.number().int().min(1).max(MAXIMUM_RETENTION_DAYS).nullable(),
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, { message: 'nothing to change' });

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

export interface SiteRoutesOptions {
  sites: SiteRepository;
  publicUrl: string;
  /** LEADTRAIL_IP_MODE: what a site without its own IP mode stores. */
  defaultIpMode: IpMode;
}

export async function siteRoutes(app: FastifyInstance, { sites, publicUrl, defaultIpMode }: SiteRoutesOptions): Promise<void> {
  const siteJson = (site: Site): SiteJson => ({
    key: site.key,
    name: site.name,
    domains: site.domains,
    time_zone: site.timeZone,
    created_at: isoTime(site.createdAt),
    snippet: snippetTag(publicUrl, site.key),
    ip_mode: site.ipMode,
    ip_mode_default: defaultIpMode,
    retention_days: site.retentionDays,
  });

  app.get('/sites', async () => ({ sites: (await sites.listSites()).map(siteJson) }));

  app.post('/sites', async (request, reply) => {
    const input = parseOrThrow(siteInputSchema, request.body, 'site');
    const site = await sites.createSite({ name: input.name, domains: [...new Set(input.domains)], timeZone: input.time_zone });
    return reply.code(201).send(siteJson(site));
  });

  app.patch('/sites/:key', async (request): Promise<SiteJson> => {
    const key = siteKeyFromParams(request.params);
    const changes = parseOrThrow(siteChangesSchema, request.body, 'site changes');
    const site = await sites.updateSite(key, {
      name: changes.name,
      domains: changes.domains && [...new Set(changes.domains)],
      timeZone: changes.time_zone,
      ipMode: changes.ip_mode,
      retentionDays: changes.retention_days,
    });
    if (!site) throw new HttpError(404, 'no such site', { site: key });
    // A stricter mode also covers what is already stored: switching to `none` is expected to
    // remove addresses, not only to stop storing new ones. (Idempotent, so no need to compare.)
    // Batches acknowledged under the old mode are stitched first, so the rewrite covers them too.
    const ipMode = site.ipMode ?? defaultIpMode;
    if (changes.ip_mode !== undefined && ipMode !== 'full') {
      await app.ingest.settled();
      await sites.rewriteStoredIps(site.id, (ip) => storableIp(ip, ipMode));
    }
    return siteJson(site);
  });

  app.get('/sites/:key/status', async (request): Promise<SiteStatusJson> => {
    const key = siteKeyFromParams(request.params);
    const site = await sites.findSiteByKey(key);
    if (!site) throw new HttpError(404, 'no such site', { site: key });
    const status = await sites.findSiteStatus(site.id);
    return { last_event_at: status.lastEventAt === null ? null : isoTime(status.lastEventAt), events_last_hour: status.eventsLastHour };
  });
}

const siteQuerySchema = z.object({ site: z.string().min(1).max(64) });

/** A `:key` path parameter; one too long to be a key is no such site (404), not a malformed request. */
function siteKeyFromParams(params: unknown): string {
  const key = String((params as { key?: string }).key ?? '');
  if (key.length > 64) throw new HttpError(404, 'no such site', { site: key.slice(0, 64) });
  return key;
}

/** The site named by `?site=KEY`: 400 without one, 404 for an unknown key. */
export async function siteFromQuery(sites: SiteRepository, query: unknown): Promise<Site> {
  const { site: key } = parseOrThrow(siteQuerySchema, query, 'query: ?site=KEY is required');
  const site = await sites.findSiteByKey(key);
  if (!site) throw new HttpError(404, 'no such site', { site: key });
  return site;
}
