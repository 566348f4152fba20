/**
 * The overview of one site over a time range: totals, a per-day series (UTC days), and the top
 * channels, countries and pages. Everything is counted from sessions (visits) and events whose
 * time falls in the range, so "leads" here are identified people who visited in the range — a
 * buyer identified last month who comes back today counts today, as the sales team reads it.
 */
import type { SqliteDatabase } from '../db/open.js';
import type { Channel } from '../ingest/channel.js';

export interface OverviewRange {
  /** First millisecond of the range (inclusive). */
  from: number;
  /** Last millisecond of the range (inclusive). */
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
  /** YYYY-MM-DD, a UTC day. */
  date: string;
}

export interface ChannelFigures {
  channel: Channel;
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
  visitors: number;
}

export interface Overview {
  totals: OverviewCounts;
  /** Only the days with a visit or an event; the caller fills the gaps. */
  days: OverviewDay[];
  channels: ChannelFigures[];
  countries: CountryFigures[];
  pages: PageFigures[];
}

export interface OverviewRepository {
  findOverview(siteId: number, range: OverviewRange, options?: { limit?: number }): Promise<Overview>;
}

const SESSIONS_IN_RANGE = `FROM sessions
  JOIN visitors ON visitors.id = sessions.visitor_id
  JOIN people ON people.id = sessions.person_id
  WHERE visitors.site_id = @siteId AND sessions.started_at BETWEEN @from AND @to`;

const SESSION_COUNTS = `count(*) AS sessions,
  count(DISTINCT sessions.person_id) AS visitors,
  count(DISTINCT CASE WHEN people.email IS NOT NULL THEN sessions.person_id END) AS leads`;

const EVENTS_IN_RANGE = `FROM events
  JOIN visitors ON visitors.id = events.visitor_id
  WHERE visitors.site_id = @siteId AND events.ts BETWEEN @from AND @to`;

const EVENT_COUNTS = `count(CASE WHEN events.type = 'form_submit' AND coalesce(json_extract(events.data, '$.outcome'), '') <> 'invalid' THEN 1 END) AS form_fills,
  count(CASE WHEN events.type = 'chat_open' THEN 1 END) AS chat_opens`;

/** Times are integer milliseconds: integer division keeps whole seconds for strftime. */
const dayOf = (column: string) => `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;

interface SessionCountsRow {
  sessions: number;
  visitors: number;
  leads: number;
}

interface EventCountsRow {
  form_fills: number;
  chat_opens: number;
}

export function createOverviewRepository(database: SqliteDatabase): OverviewRepository {
  const statements = {
    sessionTotals: database.prepare(`SELECT ${SESSION_COUNTS} ${SESSIONS_IN_RANGE}`),
    eventTotals: database.prepare(`SELECT ${EVENT_COUNTS} ${EVENTS_IN_RANGE} AND events.type IN ('form_submit', 'chat_open')`),
    sessionDays: database.prepare(`SELECT ${dayOf('sessions.started_at')} AS date, ${SESSION_COUNTS} ${SESSIONS_IN_RANGE} GROUP BY date`),
    eventDays: database.prepare(
      `SELECT ${dayOf('events.ts')} AS date, ${EVENT_COUNTS} ${EVENTS_IN_RANGE} AND events.type IN ('form_submit', 'chat_open') GROUP BY date`,
    ),
    channels: database.prepare(
      `SELECT sessions.channel AS channel, ${SESSION_COUNTS} ${SESSIONS_IN_RANGE} GROUP BY sessions.channel ORDER BY sessions DESC, channel LIMIT @limit`,
    ),
    countries: database.prepare(
      `SELECT visitors.ip_country AS country, count(DISTINCT sessions.person_id) AS visitors ${SESSIONS_IN_RANGE}
       GROUP BY visitors.ip_country ORDER BY visitors DESC, country LIMIT @limit`,
    ),
    pages: database.prepare(
      `SELECT urls.url AS url, urls.title AS title, count(*) AS pageviews, count(DISTINCT events.visitor_id) AS visitors
       FROM events
       JOIN visitors ON visitors.id = events.visitor_id
       JOIN urls ON urls.id = events.url_id
       WHERE visitors.site_id = @siteId AND events.ts BETWEEN @from AND @to AND events.type = 'pageview'
       GROUP BY events.url_id ORDER BY pageviews DESC, urls.url LIMIT @limit`,
    ),
  };

  return {
    async findOverview(siteId, { from, to }, { limit = 10 } = {}) {
      const parameters = { siteId, from, to };
      const sessionTotals = statements.sessionTotals.get(parameters) as SessionCountsRow;
      const eventTotals = statements.eventTotals.get(parameters) as EventCountsRow;

      const days = new Map<string, OverviewDay>();
      const dayFor = (date: string) => {
        let day = days.get(date);
        if (!day) {
          day = { date, visitors: 0, sessions: 0, leads: 0, formFills: 0, chatOpens: 0 };
          days.set(date, day);
        }
        return day;
      };
      for (const row of statements.sessionDays.all(parameters) as Array<SessionCountsRow & { date: string }>) {
        Object.assign(dayFor(row.date), { visitors: row.visitors, sessions: row.sessions, leads: row.leads });
      }
      for (const row of statements.eventDays.all(parameters) as Array<EventCountsRow & { date: string }>) {
        Object.assign(dayFor(row.date), { formFills: row.form_fills, chatOpens: row.chat_opens });
      }

      return {
        totals: { ...sessionTotals, formFills: eventTotals.form_fills, chatOpens: eventTotals.chat_opens },
        days: [...days.values()].sort((left, right) => left.date.localeCompare(right.date)),
        channels: statements.channels.all({ ...parameters, limit }) as ChannelFigures[],
        countries: statements.countries.all({ ...parameters, limit }) as CountryFigures[],
        pages: statements.pages.all({ ...parameters, limit }) as PageFigures[],
      };
    },
  };
}
