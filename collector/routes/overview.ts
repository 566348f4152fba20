/**
 * `GET /api/overview?site=KEY[&from=YYYY-MM-DD][&to=YYYY-MM-DD]`: a site's totals, per-day series
 * and top channels, countries and pages over whole UTC days (default: the last 30 days).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, parseOrThrow } from '../errors.js';
import type { OverviewCounts, OverviewRepository } from '../repositories/overview.js';
import type { SiteRepository } from '../repositories/sites.js';
import type { OverviewCountsJson, OverviewJson } from './json-types.js';
import { siteFromQuery } from './sites.js';

const DAY_MS = 24 * 60 * 60_000;
const DEFAULT_DAYS = 30;
/** A year and a day: enough to compare a trade-fair season, small enough to chart one point a day. */
const MAXIMUM_DAYS = 366;

const dateOnly = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  .refine((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text), {
    message: 'not a calendar day',
  })
  .optional();

const rangeSchema = z.object({ from: dateOnly, to: dateOnly });

const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`);
const dateOf = (milliseconds: number) => new Date(milliseconds).toISOString().slice(0, 10);

function countsJson(counts: OverviewCounts): OverviewCountsJson {
  return { visitors: counts.visitors, sessions: counts.sessions, leads: counts.leads, form_fills: counts.formFills, chat_opens: counts.chatOpens };
}

export async function overviewRoutes(
  app: FastifyInstance,
  { sites, overview }: { sites: SiteRepository; overview: OverviewRepository },
): Promise<void> {
  app.get('/overview', async (request): Promise<OverviewJson> => {
    const site = await siteFromQuery(sites, request.query);
    const query = parseOrThrow(rangeSchema, request.query, 'date range');
    const to = query.to ?? dateOf(Date.now());
    const from = query.from ?? dateOf(dayStart(to) - (DEFAULT_DAYS - 1) * DAY_MS);
    const dayCount = (dayStart(to) - dayStart(from)) / DAY_MS + 1;
    if (dayCount < 1) throw new HttpError(400, 'invalid date range', [{ path: 'from', message: 'from is after to' }]);
    if (dayCount > MAXIMUM_DAYS) throw new HttpError(400, 'invalid date range', [{ path: 'from', message: `at most ${MAXIMUM_DAYS} days` }]);

    const found = await overview.findOverview(site.id, { from: dayStart(from), to: dayStart(to) + DAY_MS - 1 });
    const byDate = new Map(found.days.map((day) => [day.date, day]));
    const days = Array.from({ length: dayCount }, (_, index) => {
      const date = dateOf(dayStart(from) + index * DAY_MS);
      const day = byDate.get(date);
      return { date, ...(day ? countsJson(day) : { visitors: 0, sessions: 0, leads: 0, form_fills: 0, chat_opens: 0 }) };
    });
    const totals = countsJson(found.totals);
    return {
      site: site.key,
      from,
      to,
      totals: { ...totals, conversion_rate: totals.visitors > 0 ? totals.leads / totals.visitors : null },
      days,
      channels: found.channels,
      countries: found.countries,
      pages: found.pages,
    };
  });
}
