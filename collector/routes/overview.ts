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
import { DAY_MS, calendarDay, utcDate, utcDayStart } from './format.js';

const DEFAULT_DAYS = 30;
/** A year and a day: enough to compare a trade-fair season, small enough to chart one point a day. */
const MAXIMUM_DAYS = 366;

const rangeSchema = z.object({ from: calendarDay.optional(), to: calendarDay.optional() });

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
    const to = query.to ?? utcDate(Date.now());
    const from = query.from ?? utcDate(utcDayStart(to) - (DEFAULT_DAYS - 1) * DAY_MS);
    const dayCount = (utcDayStart(to) - utcDayStart(from)) / DAY_MS + 1;
    if (dayCount < 1) throw new HttpError(400, 'invalid date range', [{ path: 'from', message: 'from is after to' }]);
    if (dayCount > MAXIMUM_DAYS) throw new HttpError(400, 'invalid date range', [{ path: 'from', message: `at most ${MAXIMUM_DAYS} days` }]);

    const found = await overview.findOverview(site.id, { from: utcDayStart(from), to: utcDayStart(to) + DAY_MS - 1 });
    const byDate = new Map(found.days.map((day) => [day.date, day]));
    const days = Array.from({ length: dayCount }, (_, index) => {
      const date = utcDate(utcDayStart(from) + index * DAY_MS);
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
