/**
 * The overview of one site over a range of days in its reporting time zone, read from the rollups
 * (rollups.ts keeps them current; call its refresh first). Sessions count on the day they
 * started, events on the day they happened; "leads" are identified people who visited in the
 * range — a buyer identified last month who comes back today counts today, as the sales team
 * reads it, and a visitor identified today counts as a lead on the days of their earlier visits.
 */
import type { SqliteDatabase } from '../db/open.js';
import type { Channel } from '../ingest/channel.js';

export interface OverviewRange {
  /** First day (a day number: the local date's days since 1970-01-01), included. */
  from: number;
  /** Last day, included. */
  to: number;
}

export interface OverviewCounts {
  /** Distinct people with a visit in the range: one buyer on two devices, once stitched, is one. */
  visitors: number;
  sessions: number;
  /** Distinct identified people (with an email) with a visit in the range. */
  leads: number;
  /** Form submissions, except those the form plugin reported as invalid. */
  formFills: number;
  chatOpens: number;
}

export interface OverviewDay extends OverviewCounts {
  day: number;
}

export interface ChannelFigures {
  channel: Channel;
  sessions: number;
  visitors: number;
  leads: number;
}

export interface SourceFigures {
  /** utm_source or the referring host (`google`, `alibaba.com`); null for direct visits. */
  source: string | null;
  sessions: number;
  visitors: number;
  leads: number;
}

export interface CountryFigures {
  /** ISO 3166-1 alpha-2 of the visitor's IP address; null when unknown. */
  country: string | null;
  visitors: number;
}

export interface PageFigures {
  url: string;
  title: string | null;
  pageviews: number;
  /** Distinct browsers that viewed the page. */
  visitors: number;
}

export interface FormFigures {
  /** The form's id or name as the snippet reported it; null when the page gave none. */
  form: string | null;
  fills: number;
}

export interface Overview {
  /** The zone the rollups' days are in. */
  timeZone: string;
  totals: OverviewCounts;
  /** Only the days with a visit or an event; the caller fills the gaps. */
  days: OverviewDay[];
  channels: ChannelFigures[];
  sources: SourceFigures[];
  countries: CountryFigures[];
  pages: PageFigures[];
  forms: FormFigures[];
}

export interface OverviewRepository {
  findOverview(siteId: number, range: OverviewRange, options?: { limit?: number }): Promise<Overview>;
  /** People of the site with an event since `since` (ms). */
  countVisitorsSince(siteId: number, since: number): Promise<number>;
}

/** A row of the visit groups: one day, channel, source and country, with its counts. */
interface VisitGroupRow {
  day: number;
  channel: Channel;
  source: string;
  country: string;
  sessions: number;
  /** Distinct people and leads of the day. */
  day_visitors: number;
  day_leads: number;
  /** People and leads whose first row in the range is in this group: their sums are distinct counts of the range. */
  visitors: number;
  leads: number;
  /** The same, per channel, source and country. */
  channel_visitors: number;
  channel_leads: number;
  source_visitors: number;
  source_leads: number;
  country_visitors: number;
}

/** Counts the rows that are a person's first in the range (or the day) starting at `start`: see migration 004. */
const firsts = (previousDay: string, start: string, leadsOnly = false) =>
  `count(*) FILTER (WHERE ${leadsOnly ? 'lead AND ' : ''}${previousDay} < ${start})`;

interface Reach {
  sessions: number;
  visitors: number;
  leads: number;
}

function addTo<Key>(groups: Map<Key, Reach>, key: Key, sessions: number, visitors: number, leads: number): void {
  const reach = groups.get(key) ?? groups.set(key, { sessions: 0, visitors: 0, leads: 0 }).get(key)!;
  reach.sessions += sessions;
  reach.visitors += visitors;
  reach.leads += leads;
}

/** Largest first, then by name as SQLite orders text (null first). */
const byFigure = <Row>(figure: (row: Row) => number, name: (row: Row) => string | null) => (left: Row, right: Row) =>
  figure(right) - figure(left) || ((name(left) ?? '') < (name(right) ?? '') ? -1 : (name(left) ?? '') > (name(right) ?? '') ? 1 : 0);

export function createOverviewRepository(database: SqliteDatabase): OverviewRepository {
  const statements = {
    timeZone: database.prepare('SELECT time_zone FROM rollup_sites WHERE site_id = ?').pluck(),
    // Grouped in the primary key's order: one pass over the range's rows, no sorting.
    visitGroups: database.prepare(`SELECT day, channel, source, country, sum(sessions) AS sessions,
      ${firsts('previous_day', 'day')} AS day_visitors, ${firsts('previous_day', 'day', true)} AS day_leads,
      ${firsts('previous_day', '@from')} AS visitors, ${firsts('previous_day', '@from', true)} AS leads,
      ${firsts('previous_channel_day', '@from')} AS channel_visitors, ${firsts('previous_channel_day', '@from', true)} AS channel_leads,
      ${firsts('previous_source_day', '@from')} AS source_visitors, ${firsts('previous_source_day', '@from', true)} AS source_leads,
      ${firsts('previous_country_day', '@from')} AS country_visitors
      FROM rollup_visits WHERE site_id = @siteId AND day BETWEEN @from AND @to
      GROUP BY day, channel, source, country`),
    days: database.prepare('SELECT day, form_fills, chat_opens FROM rollup_days WHERE site_id = @siteId AND day BETWEEN @from AND @to'),
    pages: database.prepare(`SELECT urls.id, urls.url, urls.title, sum(rollup_pages.pageviews) AS pageviews
      FROM rollup_pages JOIN urls ON urls.id = rollup_pages.url_id
      WHERE rollup_pages.site_id = @siteId AND rollup_pages.day BETWEEN @from AND @to
      GROUP BY rollup_pages.url_id ORDER BY pageviews DESC, urls.url LIMIT @limit`),
    pageVisitors: database
      .prepare(`SELECT count(DISTINCT visitor_id) FROM rollup_page_visitors
        WHERE site_id = @siteId AND url_id = @urlId AND day BETWEEN @from AND @to`)
      .pluck(),
    forms: database.prepare(`SELECT nullif(form, '') AS form, sum(fills) AS fills FROM rollup_forms
      WHERE site_id = @siteId AND day BETWEEN @from AND @to GROUP BY form ORDER BY fills DESC, form LIMIT @limit`),
    visitorsSince: database.prepare('SELECT count(*) FROM people WHERE site_id = ? AND last_seen >= ?').pluck(),
  };

  return {
    async findOverview(siteId, { from, to }, { limit = 10 } = {}) {
      const parameters = { siteId, from, to };
      const days = new Map<number, OverviewDay>();
      const dayFor = (day: number) => {
        let figures = days.get(day);
        if (!figures) days.set(day, (figures = { day, visitors: 0, sessions: 0, leads: 0, formFills: 0, chatOpens: 0 }));
        return figures;
      };

      const totals = { sessions: 0, visitors: 0, leads: 0 };
      const channels = new Map<Channel, Reach>();
      const sources = new Map<string, Reach>();
      const countries = new Map<string, Reach>();
      for (const group of statements.visitGroups.all(parameters) as VisitGroupRow[]) {
        const figures = dayFor(group.day);
        figures.sessions += group.sessions;
        figures.visitors += group.day_visitors;
        figures.leads += group.day_leads;
        totals.sessions += group.sessions;
        totals.visitors += group.visitors;
        totals.leads += group.leads;
        addTo(channels, group.channel, group.sessions, group.channel_visitors, group.channel_leads);
        addTo(sources, group.source, group.sessions, group.source_visitors, group.source_leads);
        addTo(countries, group.country, group.sessions, group.country_visitors, 0);
      }
      let formFills = 0;
      let chatOpens = 0;
      for (const row of statements.days.all(parameters) as Array<{ day: number; form_fills: number; chat_opens: number }>) {
        Object.assign(dayFor(row.day), { formFills: row.form_fills, chatOpens: row.chat_opens });
        formFills += row.form_fills;
        chatOpens += row.chat_opens;
      }

      const pages = statements.pages.all({ ...parameters, limit }) as Array<{ id: number; url: string; title: string | null; pageviews: number }>;
      return {
        timeZone: statements.timeZone.get(siteId) as string,
        totals: { ...totals, formFills, chatOpens },
        days: [...days.values()].sort((left, right) => left.day - right.day),
        channels: [...channels]
          .map(([channel, reach]) => ({ channel, ...reach }))
          .sort(byFigure((row) => row.sessions, (row) => row.channel))
          .slice(0, limit),
        sources: [...sources]
          .map(([source, reach]) => ({ source: source || null, ...reach }))
          .sort(byFigure((row) => row.sessions, (row) => row.source))
          .slice(0, limit),
        countries: [...countries]
          .map(([country, reach]) => ({ country: country || null, visitors: reach.visitors }))
          .sort(byFigure((row) => row.visitors, (row) => row.country))
          .slice(0, limit),
        pages: pages.map(({ id, url, title, pageviews }) => ({
          url,
          title,
          pageviews,
          visitors: statements.pageVisitors.get({ ...parameters, urlId: id }) as number,
        })),
        forms: statements.forms.all({ ...parameters, limit }) as FormFigures[],
      };
    },

    async countVisitorsSince(siteId, since) {
      return statements.visitorsSince.get(siteId, since) as number;
    },
  };
}
