/** Leads (SPEC §4, §6): `GET /api/leads` as JSON and `GET /api/leads.csv` as a download. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow } from '../errors.js';
import { leadJson, leadsToCsv } from '../export/leads-csv.js';
import type { LeadJson } from './json-types.js';
import type { LeadRepository } from '../repositories/leads.js';
import type { SiteRepository } from '../repositories/sites.js';
import { siteFromQuery } from './sites.js';
import { DAY_MS, utcDate, utcDayStart } from './format.js';

/** `2026-11-24` (a whole UTC day) or a full ISO time; `to` of a bare date includes that day. */
function dateBound(edge: 'from' | 'to') {
  return z
    .string()
    .max(40)
    .refine((text) => !Number.isNaN(Date.parse(text)), { message: 'not a date (use YYYY-MM-DD)' })
    .transform((text) => {
      const day = utcDayStart(text);
      if (Number.isNaN(day)) return Date.parse(text);
      return edge === 'to' ? day + DAY_MS - 1 : day;
    })
    .optional();
}

const rangeSchema = z.object({ from: dateBound('from'), to: dateBound('to') });

export async function leadRoutes(
  app: FastifyInstance,
  { sites, leads, publicUrl }: { sites: SiteRepository; leads: LeadRepository; publicUrl: string },
): Promise<void> {
  app.get('/leads', async (request): Promise<{ leads: LeadJson[] }> => {
    const site = await siteFromQuery(sites, request.query);
    const range = parseOrThrow(rangeSchema, request.query, 'date range');
    const rows = await leads.listLeads(site.id, range);
    return { leads: rows.map((lead) => leadJson(lead, publicUrl)) };
  });

  app.get('/leads.csv', async (request, reply) => {
    const site = await siteFromQuery(sites, request.query);
    const range = parseOrThrow(rangeSchema, request.query, 'date range');
    const csv = leadsToCsv(await leads.listLeads(site.id, range), publicUrl);
    const day = utcDate(Date.now());
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="leadtrail-leads-${site.key}-${day}.csv"`)
      .send(csv);
  });
}
