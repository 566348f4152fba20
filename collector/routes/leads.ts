/** Leads (SPEC §4, §6): `GET /api/leads` as JSON and `GET /api/leads.csv` as a download. */
import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../errors.js';
import { leadJson, leadsToCsv } from '../export/leads-csv.js';
import type { LeadJson } from './json-types.js';
import type { LeadRepository } from '../repositories/leads.js';
import type { SiteRepository } from '../repositories/sites.js';
import { siteFromQuery } from './sites.js';
import { activeRangeSchema, utcDate } from './format.js';

export async function leadRoutes(
  app: FastifyInstance,
  { sites, leads, publicUrl }: { sites: SiteRepository; leads: LeadRepository; publicUrl: string },
): Promise<void> {
  app.get('/leads', async (request): Promise<{ leads: LeadJson[] }> => {
    const site = await siteFromQuery(sites, request.query);
    const range = parseOrThrow(activeRangeSchema, request.query, 'date range');
    const rows = await leads.listLeads(site.id, range);
    return { leads: rows.map((lead) => leadJson(lead, publicUrl)) };
  });

  app.get('/leads.csv', async (request, reply) => {
    const site = await siteFromQuery(sites, request.query);
    const range = parseOrThrow(activeRangeSchema, request.query, 'date range');
    const csv = leadsToCsv(await leads.listLeads(site.id, range), publicUrl);
    const day = utcDate(Date.now());
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="leadtrail-leads-${site.key}-${day}.csv"`)
      .send(csv);
  });
}
