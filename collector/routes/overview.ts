/**
 * `GET /api/overview?site=KEY[&from=YYYY-MM-DD][&to=YYYY-MM-DD]`: a site's totals, per-day series
 * and top channels, sources, countries, pages and forms over whole days in the site's reporting
 * time zone (default: the last 30 days), from the rollups, brought up to date first.
 * `GET /api/overview/now?site=KEY`: the people on the site in the last few minutes.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, parseOrThrow } from '../errors.js';
import type { OverviewCounts, OverviewRepository } from '../repositories/overview.js';
import type { RollupRepository } from '../repositories/rollups.js';
import type { SiteRepository } from '../repositories/sites.js';
import { createDayCalendar, dayDate, dayNumber } from '../time-zones.js';
import type { OverviewCountsJson, OverviewJson, VisitorsNowJson } from './json-types.js';
import { siteFromQuery } from './sites.js';
import { calendarDay } from './format.js';

const DEFAULT_DAYS = 30;
/** A year and a day: enough to compare a trade-fair season, small enough to chart one point a day. */
const MAXIMUM_DAYS = 366;
/** "Now", as analytics tools count it: an event in the last five minutes. */
const NOW_MINUTES = 5;

const rangeSchema = z.object({ from: calendarDay.optional(), to: calendarDay.optional() });

function countsJson(counts: OverviewCounts): OverviewCountsJson {
  return { visitors: counts.visitors, sessions: counts.sessions, leads: counts.leads, form_fills: counts.formFills, chat_opens: counts.chatOpens };
}

export async function overviewRoutes(
  app: FastifyInstance,
  { sites, overview, rollups }: { sites: SiteRepository; overview: OverviewRepository; rollups: RollupRepository },
): Promise<void> {
  app.get('/overview', async (request): Promise<OverviewJson> => {
    const site = await siteFromQuery(sites, request.query);
    const query = parseOrThrow(rangeSchema, request.query, 'date range');
    const to = query.to === undefined ? createDayCalendar(site.timeZone).dayOf(Date.now()) : dayNumber(query.to);
    const from = query.from === undefined ? to - (DEFAULT_DAYS - 1) : dayNumber(query.from);
    const dayCount = to - from + 1;
    if (dayCount < 1) throw new HttpError(400, 'invalid date range', [{ path: 'from', message: 'from is after to' }]);
    if (dayCount > MAXIMUM_DAYS) throw new HttpError(400, 'invalid date range', [{ path: 'from', message: `at most ${MAXIMUM_DAYS} days` }]);

    await rollups.refreshRollups();
    const found = await overview.findOverview(site.id, { from, to });
    const byDay = new Map(found.days.map((day) => [day.day, day]));
    const days = Array.from({ length: dayCount }, (_, index) => {
      const day = byDay.get(from + index);
      return { date: dayDate(from + index), ...(day ? countsJson(day) : { visitors: 0, sessions: 0, leads: 0, form_fills: 0, chat_opens: 0 }) };
    });
    const totals = countsJson(found.totals);
    return {
      site: site.key,
      from: dayDate(from),
      to: dayDate(to),
      time_zone: found.timeZone,
      totals: { ...totals, conversion_rate: totals.visitors > 0 ? totals.leads / totals.visitors : null },
      days,
      channels: found.channels,
      sources: found.sources,
      countries: found.countries,
      pages: found.pages,
      forms: found.forms,
    };
  });

  app.get('/overview/now', async (request): Promise<VisitorsNowJson> => {
    const site = await siteFromQuery(sites, request.query);
    return { visitors: await overview.countVisitorsSince(site.id, Date.now() - NOW_MINUTES * 60_000), minutes: NOW_MINUTES };
  });
}
