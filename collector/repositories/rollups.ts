/**
 * Keeps the overview's rollups (db/migrations/004_overview_rollups.sql) current, apart from the
 * ingest path: whatever wrote the raw rows — a request, a worker thread, stitching that runs a
 * moment later, another process — `refreshRollups()` folds in what changed since it last ran.
 *
 * - Events only ever get added (ids grow), so each site keeps a watermark, `events_done`; a refresh
 *   folds the events above it into per-day counts and advances it.
 * - Sessions and people change after they are written; the migration's triggers list the people
 *   affected, and a refresh rewrites those people's visit rows from their sessions. Their days may
 *   lie anywhere in the past, which is how a visitor identified today becomes a lead on the days of
 *   their earlier visits.
 * - Each step is one transaction over a bounded slice of work; steps yield to the event loop in
 *   between, so a refresh that has much to catch up never holds requests for long.
 * - A site whose time zone changed is rebuilt from raw rows in its new zone.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from '../db/open.js';
import { createDayCalendar, type DayCalendar } from '../time-zones.js';

/** Event ids per step: about 20 ms to fold on a busy 2-core machine (bench/RESULTS.md), a short wait for a request. */
const EVENTS_PER_STEP = 5_000;
/** People per step: a few sessions each, about as long to rewrite as a step of events. */
const PEOPLE_PER_STEP = 1_000;
/** The previous day of a person's first visit row: long before any date (migration 004). */
const NO_PREVIOUS_DAY = -1_000_000_000;

export interface RollupRepository {
  /** Folds in everything written so far; resolves once caught up. Calls while one runs share it. */
  refreshRollups(): Promise<void>;
  /** Builds a site's rollups again from raw rows, in the site's current time zone. */
  rebuildSiteRollups(siteId: number): Promise<void>;
}

/** The parts of the overview an event counts in. */
interface EventRow {
  siteId: number;
  visitorId: number;
  type: 'pageview' | 'form_submit' | 'chat_open';
  ts: number;
  urlId: number;
  form: string | null;
  outcome: string | null;
}

// Rollup rows as tallied in memory: the key columns, then the counts, in the order of the
// statements' parameters.
type DayRow = [siteId: number, day: number, formFills: number, chatOpens: number];
type FormRow = [siteId: number, day: number, form: string, fills: number];
type PageRow = [siteId: number, day: number, urlId: number, pageviews: number];
type PageVisitorRow = [siteId: number, urlId: number, day: number, visitorId: number, pageviews: number];

interface RollupSiteRow {
  site_id: number;
  time_zone: string;
  events_done: number;
}

interface VisitSessionRow {
  siteId: number;
  startedAt: number;
  channel: string;
  source: string;
  country: string;
  lead: number;
}

const EVENT_COLUMNS = `visitors.site_id AS siteId, events.visitor_id AS visitorId, events.type, events.ts, events.url_id AS urlId,
  CASE WHEN events.type = 'form_submit' THEN json_extract(events.data, '$.form') END AS form,
  CASE WHEN events.type = 'form_submit' THEN json_extract(events.data, '$.outcome') END AS outcome`;
const COUNTED_TYPES = `events.type IN ('pageview', 'form_submit', 'chat_open')`;

/** The row kept under `key`, created when new: rows are tallied in memory, then written once each. */
function rowFor<Row>(rows: Map<string, Row>, key: string, create: () => Row): Row {
  let row = rows.get(key);
  if (row === undefined) rows.set(key, (row = create()));
  return row;
}

/**
 * The rollup writes shared by refreshing (events added, +1) and erasure (a person's events taken
 * out, −1). Synchronous: each runs inside its caller's transaction.
 */
function createRollupWriter(database: SqliteDatabase) {
  const statements = {
    addDay: database.prepare(`INSERT INTO rollup_days (site_id, day, form_fills, chat_opens) VALUES (?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET form_fills = form_fills + excluded.form_fills, chat_opens = chat_opens + excluded.chat_opens`),
    dropEmptyDay: database.prepare('DELETE FROM rollup_days WHERE site_id = ? AND day = ? AND form_fills = 0 AND chat_opens = 0'),
    addForm: database.prepare(`INSERT INTO rollup_forms (site_id, day, form, fills) VALUES (?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET fills = fills + excluded.fills`),
    dropEmptyForm: database.prepare('DELETE FROM rollup_forms WHERE site_id = ? AND day = ? AND form = ? AND fills = 0'),
    addPage: database.prepare(`INSERT INTO rollup_pages (site_id, day, url_id, pageviews) VALUES (?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET pageviews = pageviews + excluded.pageviews`),
    dropEmptyPage: database.prepare('DELETE FROM rollup_pages WHERE site_id = ? AND day = ? AND url_id = ? AND pageviews = 0'),
    addPageVisitor: database.prepare(`INSERT INTO rollup_page_visitors (site_id, url_id, day, visitor_id, pageviews) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET pageviews = pageviews + excluded.pageviews`),
    dropEmptyPageVisitor: database.prepare('DELETE FROM rollup_page_visitors WHERE site_id = ? AND url_id = ? AND day = ? AND visitor_id = ? AND pageviews = 0'),
    personSessions: database.prepare(`SELECT visitors.site_id AS siteId, sessions.started_at AS startedAt, sessions.channel,
      coalesce(sessions.source, '') AS source, coalesce(visitors.ip_country, '') AS country, people.email IS NOT NULL AS lead
      FROM sessions JOIN visitors ON visitors.id = sessions.visitor_id JOIN people ON people.id = sessions.person_id
      WHERE sessions.person_id = ?`),
    deleteVisits: database.prepare('DELETE FROM rollup_visits WHERE person_id = ?'),
    insertVisit: database.prepare(`INSERT INTO rollup_visits (site_id, day, channel, source, country, person_id, lead, sessions,
      previous_day, previous_channel_day, previous_source_day, previous_country_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    rollupSites: database.prepare('SELECT site_id, time_zone, events_done FROM rollup_sites'),
  };

  const calendars = new Map<string, DayCalendar>();
  /** Each site's reporting zone as its rollups are built, read afresh in every transaction. */
  const siteCalendars = () => {
    const sites = new Map<number, { calendar: DayCalendar; eventsDone: number }>();
    for (const row of statements.rollupSites.all() as RollupSiteRow[]) {
      let calendar = calendars.get(row.time_zone);
      if (!calendar) calendars.set(row.time_zone, (calendar = createDayCalendar(row.time_zone)));
      sites.set(row.site_id, { calendar, eventsDone: row.events_done });
    }
    return sites;
  };

  /** Adds (`sign` 1) or takes out (−1) events, grouped first so each rollup row is written once. */
  function foldEvents(events: EventRow[], sign: 1 | -1, sites: ReturnType<typeof siteCalendars>): void {
    const days = new Map<string, DayRow>();
    const forms = new Map<string, FormRow>();
    const pages = new Map<string, PageRow>();
    const pageVisitors = new Map<string, PageVisitorRow>();
    for (const event of events) {
      const day = sites.get(event.siteId)!.calendar.dayOf(event.ts);
      if (event.type === 'pageview') {
        const pageKey = `${event.siteId} ${day} ${event.urlId}`;
        rowFor(pages, pageKey, (): PageRow => [event.siteId, day, event.urlId, 0])[3] += sign;
        rowFor(pageVisitors, `${pageKey} ${event.visitorId}`, (): PageVisitorRow => [event.siteId, event.urlId, day, event.visitorId, 0])[4] += sign;
        continue;
      }
      // Submissions the form plugin reported invalid are not fills (README, "Overview").
      if (event.type === 'form_submit' && event.outcome === 'invalid') continue;
      const dayKey = `${event.siteId} ${day}`;
      const counts = rowFor(days, dayKey, (): DayRow => [event.siteId, day, 0, 0]);
      if (event.type === 'chat_open') {
        counts[3] += sign;
        continue;
      }
      counts[2] += sign;
      const form = event.form ?? '';
      rowFor(forms, `${dayKey} ${form}`, (): FormRow => [event.siteId, day, form, 0])[3] += sign;
    }
    /** `keyLength`: how many leading values name the row, for taking out a row that fell to zero. */
    const write = (rows: Iterable<unknown[]>, add: Database.Statement, dropEmpty: Database.Statement, keyLength: number) => {
      for (const row of rows) {
        add.run(...row);
        if (sign < 0) dropEmpty.run(...row.slice(0, keyLength));
      }
    };
    write(days.values(), statements.addDay, statements.dropEmptyDay, 2);
    write(forms.values(), statements.addForm, statements.dropEmptyForm, 3);
    write(pages.values(), statements.addPage, statements.dropEmptyPage, 3);
    write(pageVisitors.values(), statements.addPageVisitor, statements.dropEmptyPageVisitor, 4);
  }

  /** Rewrites one person's visit rows from their sessions as they are now (none once erased or merged away). */
  function rewriteVisits(personId: number, sites: ReturnType<typeof siteCalendars>): void {
    statements.deleteVisits.run(personId);
    const visits = new Map<string, { siteId: number; day: number; channel: string; source: string; country: string; lead: number; sessions: number }>();
    for (const session of statements.personSessions.all(personId) as VisitSessionRow[]) {
      const day = sites.get(session.siteId)!.calendar.dayOf(session.startedAt);
      const { siteId, channel, source, country, lead } = session;
      rowFor(visits, JSON.stringify([day, channel, source, country]), () => ({ siteId, day, channel, source, country, lead, sessions: 0 })).sessions += 1;
    }
    // Each row carries the day of the person's row before it, overall and per group (migration 004).
    let previousDay = NO_PREVIOUS_DAY;
    const previousDays = { channel: new Map<string, number>(), source: new Map<string, number>(), country: new Map<string, number>() };
    for (const visit of [...visits.values()].sort((left, right) => left.day - right.day)) {
      statements.insertVisit.run(
        visit.siteId, visit.day, visit.channel, visit.source, visit.country, personId, visit.lead, visit.sessions,
        previousDay, previousDays.channel.get(visit.channel) ?? NO_PREVIOUS_DAY, previousDays.source.get(visit.source) ?? NO_PREVIOUS_DAY,
        previousDays.country.get(visit.country) ?? NO_PREVIOUS_DAY,
      );
      previousDay = visit.day;
      previousDays.channel.set(visit.channel, visit.day);
      previousDays.source.set(visit.source, visit.day);
      previousDays.country.set(visit.country, visit.day);
    }
  }

  return { siteCalendars, foldEvents, rewriteVisits };
}

export function createRollupRepository(database: SqliteDatabase): RollupRepository {
  const writer = createRollupWriter(database);
  const statements = {
    changedZones: database.prepare(`SELECT rollup_sites.site_id FROM rollup_sites JOIN sites ON sites.id = rollup_sites.site_id
      WHERE sites.time_zone <> rollup_sites.time_zone`).pluck(),
    dirtyPeople: database.prepare('SELECT person_id FROM rollup_dirty_people ORDER BY person_id LIMIT ?').pluck(),
    cleanPeople: database.prepare('DELETE FROM rollup_dirty_people WHERE person_id <= ?'),
    newestEvent: database.prepare('SELECT coalesce(max(id), 0) FROM events').pluck(),
    eventsBetween: database.prepare(`SELECT events.id, ${EVENT_COLUMNS} FROM events JOIN visitors ON visitors.id = events.visitor_id
      WHERE events.id > ? AND events.id <= ? AND ${COUNTED_TYPES}`),
    advanceEvents: database.prepare('UPDATE rollup_sites SET events_done = max(events_done, ?)'),
    clearSite: ['rollup_visits', 'rollup_days', 'rollup_forms', 'rollup_pages', 'rollup_page_visitors'].map((table) =>
      database.prepare(`DELETE FROM ${table} WHERE site_id = ?`),
    ),
    restartSite: database.prepare('UPDATE rollup_sites SET time_zone = (SELECT time_zone FROM sites WHERE id = @siteId), events_done = 0 WHERE site_id = @siteId'),
    markSitePeople: database.prepare('INSERT OR IGNORE INTO rollup_dirty_people (person_id) SELECT id FROM people WHERE site_id = ?'),
  };

  /**
   * Drops a site's rollups and sends it back to the start: its people are rewritten and its events
   * folded again by the refreshes that follow, in the zone the site has now.
   */
  const restartSite = (siteId: number) => {
    for (const statement of statements.clearSite) statement.run(siteId);
    statements.restartSite.run({ siteId });
    statements.markSitePeople.run(siteId);
  };

  /** One bounded slice of work in one transaction — changed people first, then events; true while there may be more. */
  const step = database.transaction((): boolean => {
    for (const siteId of statements.changedZones.all() as number[]) restartSite(siteId);
    const sites = writer.siteCalendars();

    const people = statements.dirtyPeople.all(PEOPLE_PER_STEP) as number[];
    if (people.length > 0) {
      for (const personId of people) writer.rewriteVisits(personId, sites);
      statements.cleanPeople.run(people.at(-1));
      return true;
    }

    const after = Math.min(...[...sites.values()].map((site) => site.eventsDone));
    const newest = statements.newestEvent.get() as number;
    if (after >= newest) return false;
    const until = Math.min(after + EVENTS_PER_STEP, newest);
    // A site restarted or added later has a lower watermark than the others: each event is
    // folded only for a site that has not counted it yet.
    const events = (statements.eventsBetween.all(after, until) as Array<EventRow & { id: number }>).filter(
      (event) => event.id > sites.get(event.siteId)!.eventsDone,
    );
    writer.foldEvents(events, 1, sites);
    statements.advanceEvents.run(until);
    return until < newest;
  });

  let running: Promise<void> | null = null;

  return {
    refreshRollups() {
      running ??= (async () => {
        // IMMEDIATE: take the write lock up front, so a writer in another process cannot leave
        // this step unable to upgrade its read (SQLITE_BUSY) halfway through.
        while (step.immediate()) await nextTurn();
      })().finally(() => {
        // Asynchronous even when there was nothing to do: clearing runs after the assignment above.
        running = null;
      });
      return running;
    },
    async rebuildSiteRollups(siteId) {
      database.transaction(restartSite).immediate(siteId);
    },
  };
}

/**
 * Erasure takes a person out of the rollups as if they had never visited (README, "Erasure and the overview"):
 * run inside the erasing transaction, `beforeErase` before the person's rows are deleted and
 * `afterErase` after.
 */
export function createRollupEraser(database: SqliteDatabase) {
  const writer = createRollupWriter(database);
  const statements = {
    // The same events the erasure deletes: those of the person's sessions, found through their browsers.
    foldedEvents: database.prepare(`SELECT ${EVENT_COLUMNS}
      FROM sessions
      JOIN events ON events.visitor_id = sessions.visitor_id AND events.session_id = sessions.id
      JOIN visitors ON visitors.id = sessions.visitor_id
      JOIN rollup_sites ON rollup_sites.site_id = visitors.site_id
      WHERE sessions.person_id = ? AND events.id <= rollup_sites.events_done AND ${COUNTED_TYPES}`),
    // Without AUTOINCREMENT SQLite hands out the ids of deleted rows at the top of the table
    // again: a watermark above the highest id left would skip the events that reuse them.
    lowerWatermarks: database.prepare('UPDATE rollup_sites SET events_done = min(events_done, (SELECT coalesce(max(id), 0) FROM events))'),
  };
  return {
    beforeErase(personId: number): void {
      // Only events already folded in are taken out; later ones go with the raw rows, never counted.
      writer.foldEvents(statements.foldedEvents.all(personId) as EventRow[], -1, writer.siteCalendars());
    },
    afterErase(personId: number): void {
      // The sessions are gone: this leaves the person no visit rows.
      writer.rewriteVisits(personId, writer.siteCalendars());
      statements.lowerWatermarks.run();
    },
  };
}
