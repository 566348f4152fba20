/**
 * The SQL behind stitching: implements `StitchStore` with statements prepared once, and runs a
 * group of batches in one transaction (one commit, one fsync, for many requests).
 */
import type { SqliteDatabase } from '../db/open.js';
import type { IdentityLink, IngestBatch, Landing, PersonRecord, SessionRecord, StitchStore, StoredPageview, Traits, VisitorRecord } from '../ingest/stitch.js';
import type { Channel, ClickIds } from '../ingest/channel.js';
import type { ValidEvent } from '../ingest/schema.js';

interface SessionRow {
  id: number;
  person_id: number;
  started_at: number;
  ended_at: number;
  campaign_key: string | null;
  channel: Channel;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
  click_ids: string | null;
  referrer: string | null;
  landing_page: string | null;
}

interface UrlRow {
  id: number;
  title: string | null;
}

/** The device facts in the form `findVisitor` reads them back (SQLite's json_array). */
function deviceSignature(device: IngestBatch['device']): string {
  const { browser, os, device: kind, ip, ipCountry, asn, organisation, language, timeZone, screen } = device;
  return JSON.stringify([browser, os, kind, ip, ipCountry, asn, organisation, language, timeZone, screen]);
}

/** An identification event's values as JSON: `identify`'s traits, a form's fields (in `events.data`). */
const IDENTIFICATION_VALUES = "json_extract(events.data, CASE events.type WHEN 'identify' THEN '$.traits' ELSE '$.fields' END)";

/** Remembered URL ids: enough for every page of a large site; a crawl of unique URLs just resets it. */
const URL_CACHE_ENTRIES = 20_000;

export interface IngestRepository {
  /** Runs `work` inside one transaction; everything it stored is committed when the promise resolves. */
  runInTransaction(work: (store: StitchStore) => void): Promise<void>;
}

export function createIngestRepository(database: SqliteDatabase): IngestRepository {
  const statements = {
    findVisitor: database.prepare(`SELECT id, person_id AS personId, json_array(browser, os, device, ip, ip_country, asn, organisation, language, time_zone, screen) AS storedDevice,
      clock_offset AS clockOffset FROM visitors WHERE site_id = ? AND client_id = ?`),
    createVisitor: database.prepare(`INSERT INTO visitors (site_id, client_id, person_id, first_seen, last_seen, clock_offset, browser, os, device, ip, ip_country, asn, organisation, language, time_zone, screen)
      VALUES (@siteId, @clientId, @personId, @at, @at, @clockOffset, @browser, @os, @device, @ip, @ipCountry, @asn, @organisation, @language, @timeZone, @screen)`),
    touchVisitor: database.prepare('UPDATE visitors SET last_seen = max(last_seen, ?), clock_offset = ? WHERE id = ?'),
    updateVisitor: database.prepare(`UPDATE visitors SET last_seen = max(last_seen, @lastSeen), clock_offset = @clockOffset, browser = coalesce(@browser, browser), os = coalesce(@os, os),
      device = coalesce(@device, device), ip = coalesce(@ip, ip), ip_country = coalesce(@ipCountry, ip_country), asn = coalesce(@asn, asn),
      organisation = coalesce(@organisation, organisation), language = coalesce(@language, language), time_zone = coalesce(@timeZone, time_zone),
      screen = coalesce(@screen, screen) WHERE id = @visitorId`),
    setVisitorPerson: database.prepare('UPDATE visitors SET person_id = ? WHERE id = ?'),
    linkVisitor: database.prepare('INSERT OR IGNORE INTO identity_links (visitor_id, person_id, linked_at) VALUES (?, ?, ?)'),
    relinkVisitor: database.prepare('UPDATE identity_links SET person_id = @to WHERE visitor_id = @visitorId AND linked_at = @at AND person_id = @from'),
    linksOf: database.prepare('SELECT person_id AS personId, linked_at AS linkedAt FROM identity_links WHERE visitor_id = ? ORDER BY linked_at'),
    createPerson: database.prepare('INSERT INTO people (site_id, email, first_seen, last_seen) VALUES (?, ?, ?, ?)'),
    findPerson: database.prepare('SELECT id, email FROM people WHERE id = ?'),
    findPersonByEmail: database.prepare('SELECT id, email FROM people WHERE site_id = ? AND email = ?'),
    setPersonEmail: database.prepare('UPDATE people SET email = ? WHERE id = ?'),
    updateTraits: database.prepare(`UPDATE people SET name = coalesce(@name, name), phone = coalesce(@phone, phone), company = coalesce(@company, company),
      country = coalesce(@country, country), message = coalesce(@message, message) WHERE id = @personId`),
    touchPerson: database.prepare('UPDATE people SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE id = ?'),
    mergeTimes: database.prepare(`UPDATE people SET first_seen = min(first_seen, (SELECT first_seen FROM people WHERE id = @from)),
      last_seen = max(last_seen, (SELECT last_seen FROM people WHERE id = @from)) WHERE id = @to`),
    mergeTraits: database.prepare(`UPDATE people SET name = coalesce(name, (SELECT name FROM people WHERE id = @from)),
      phone = coalesce(phone, (SELECT phone FROM people WHERE id = @from)), company = coalesce(company, (SELECT company FROM people WHERE id = @from)),
      country = coalesce(country, (SELECT country FROM people WHERE id = @from)), message = coalesce(message, (SELECT message FROM people WHERE id = @from))
      WHERE id = @to`),
    moveSessions: database.prepare('UPDATE sessions SET person_id = @to WHERE person_id = @from'),
    moveVisitors: database.prepare('UPDATE visitors SET person_id = @to WHERE person_id = @from'),
    moveLinks: database.prepare('UPDATE OR IGNORE identity_links SET person_id = @to WHERE person_id = @from'),
    dropLinks: database.prepare('DELETE FROM identity_links WHERE person_id = @from'),
    deletePerson: database.prepare('DELETE FROM people WHERE id = @from'),
    // One query for a whole batch's ids: json_each turns the JSON array into rows.
    storedEventIds: database.prepare('SELECT client_event_id FROM events WHERE visitor_id = ? AND client_event_id IN (SELECT value FROM json_each(?))').pluck(),
    findSessionBefore: database.prepare('SELECT * FROM sessions WHERE visitor_id = ? AND started_at <= ? ORDER BY started_at DESC LIMIT 1'),
    findSessionAfter: database.prepare('SELECT * FROM sessions WHERE visitor_id = ? AND started_at > ? ORDER BY started_at ASC LIMIT 1'),
    createSession: database.prepare(`INSERT INTO sessions (visitor_id, person_id, started_at, ended_at, channel, source, medium, campaign, term, content, campaign_key, click_ids, referrer, landing_page)
      VALUES (@visitorId, @personId, @at, @at, @channel, @source, @medium, @campaign, @term, @content, @campaignKey, @clickIds, @referrer, @landingPage)`),
    saveSessionSpan: database.prepare('UPDATE sessions SET started_at = ?, ended_at = ? WHERE id = ?'),
    findSessionAcross: database.prepare('SELECT * FROM sessions WHERE visitor_id = ? AND started_at < ? AND ended_at >= ? AND person_id != ? ORDER BY started_at DESC LIMIT 1'),
    sessionsToHandOver: database.prepare(`SELECT DISTINCT person_id FROM sessions
      WHERE visitor_id = @visitorId AND started_at >= @at AND (@until IS NULL OR started_at < @until) AND person_id != @personId`).pluck(),
    handOverSessions: database.prepare(`UPDATE sessions SET person_id = @personId
      WHERE visitor_id = @visitorId AND started_at >= @at AND (@until IS NULL OR started_at < @until) AND person_id != @personId`),
    hasEventsAfter: database.prepare('SELECT EXISTS (SELECT 1 FROM sessions WHERE visitor_id = ? AND ended_at > ?)').pluck(),
    findIdentificationsBetween: database.prepare(`SELECT ts, json_extract(${IDENTIFICATION_VALUES}, '$.email') AS email
      FROM events WHERE visitor_id = @visitorId AND type IN ('identify', 'form_submit') AND ts > @after AND (@until IS NULL OR ts < @until) ORDER BY ts`),
    findIdentificationValuesOf: database.prepare(`SELECT ${IDENTIFICATION_VALUES}
      FROM sessions JOIN events ON events.visitor_id = sessions.visitor_id AND events.session_id = sessions.id
      WHERE sessions.person_id = ? AND events.type IN ('identify', 'form_submit') ORDER BY events.ts, events.id`).pluck(),
    recountPersonTimes: database.prepare(`UPDATE people SET first_seen = coalesce((SELECT min(started_at) FROM sessions WHERE person_id = @personId), first_seen),
      last_seen = coalesce((SELECT max(ended_at) FROM sessions WHERE person_id = @personId), last_seen) WHERE id = @personId`),
    moveSessionEvents: database.prepare('UPDATE events SET session_id = @into WHERE visitor_id = @visitorId AND session_id = @from'),
    moveSessionEventsFrom: database.prepare('UPDATE events SET session_id = @into WHERE visitor_id = @visitorId AND session_id = @from AND ts >= @at RETURNING ts').pluck(),
    lastSessionEvent: database.prepare('SELECT max(ts) FROM events WHERE visitor_id = @visitorId AND session_id = @from').pluck(),
    deleteSession: database.prepare('DELETE FROM sessions WHERE id = @from'),
    // The overview's visit rows are rewritten from a person's sessions; a deleted session has no trigger.
    markRollupDirty: database.prepare('INSERT OR IGNORE INTO rollup_dirty_people (person_id) VALUES (@personId)'),
    saveSessionLanding: database.prepare(`UPDATE sessions SET channel = @channel, source = @source,
      medium = @medium, campaign = @campaign, term = @term, content = @content, campaign_key = @campaignKey, click_ids = @clickIds,
      referrer = @referrer, landing_page = @landingPage WHERE id = @sessionId`),
    findFirstEvent: database.prepare(`SELECT events.type, urls.url FROM events JOIN urls ON urls.id = events.url_id
      WHERE events.visitor_id = @visitorId AND events.session_id = @sessionId ORDER BY events.ts, events.id LIMIT 1`),
    findPageviewsFrom: database.prepare(`SELECT events.ts, urls.url, json_extract(events.data, '$.referrer') AS referrer FROM events JOIN urls ON urls.id = events.url_id
      WHERE events.visitor_id = @visitorId AND events.session_id = @sessionId AND events.type = 'pageview' AND events.ts >= @at ORDER BY events.ts, events.id`),
    insertEvent: database.prepare('INSERT INTO events (visitor_id, session_id, client_event_id, type, ts, url_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    insertUrl: database.prepare('INSERT INTO urls (site_id, url, title) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    findUrl: database.prepare('SELECT id, title FROM urls WHERE site_id = ? AND url = ?'),
  };

  const toSession = (row: SessionRow | undefined): SessionRecord | null =>
    row
      ? {
          id: row.id,
          personId: row.person_id,
          startedAt: row.started_at,
          endedAt: row.ended_at,
          campaignKey: row.campaign_key,
          referrer: row.referrer,
          landingPage: row.landing_page,
          touch: {
            channel: row.channel,
            source: row.source,
            medium: row.medium,
            campaign: row.campaign,
            term: row.term,
            content: row.content,
            clickIds: row.click_ids ? (JSON.parse(row.click_ids) as ClickIds) : {},
          },
        }
      : null;

  const landingColumns = (landing: Landing) => ({
    channel: landing.touch.channel,
    source: landing.touch.source,
    medium: landing.touch.medium,
    campaign: landing.touch.campaign,
    term: landing.touch.term,
    content: landing.touch.content,
    clickIds: Object.keys(landing.touch.clickIds).length > 0 ? JSON.stringify(landing.touch.clickIds) : null,
    campaignKey: landing.campaignKey,
    referrer: landing.referrer,
    landingPage: landing.landingPage,
  });

  /**
   * URL rows are only ever added, never changed or deleted, so their ids can be remembered: most
   * events of a busy site land on a few hundred pages. A rolled-back transaction forgets them all,
   * since the rows it added are gone.
   */
  const urlIds = new Map<string, UrlRow>();
  const findUrl = (siteId: number, url: string, title: string | undefined): UrlRow => {
    const key = `${siteId} ${url}`;
    let row = urlIds.get(key);
    if (row === undefined) {
      statements.insertUrl.run(siteId, url, title ?? null);
      row = statements.findUrl.get(siteId, url) as UrlRow;
      if (urlIds.size >= URL_CACHE_ENTRIES) urlIds.clear();
      urlIds.set(key, row);
    }
    return row;
  };

  const store: StitchStore = {
    findVisitor: (siteId, clientId) => (statements.findVisitor.get(siteId, clientId) as VisitorRecord | undefined) ?? null,
    createVisitor(batch, personId, at, clockOffset) {
      const result = statements.createVisitor.run({ siteId: batch.siteId, clientId: batch.visitorClientId, personId, at, clockOffset, ...batch.device });
      return { id: Number(result.lastInsertRowid), personId, storedDevice: deviceSignature(batch.device), clockOffset };
    },
    updateVisitor(visitor, batch, lastSeen, clockOffset) {
      // Most batches come from the same browser on the same network as the last one.
      if (deviceSignature(batch.device) === visitor.storedDevice) statements.touchVisitor.run(lastSeen, clockOffset, visitor.id);
      else statements.updateVisitor.run({ visitorId: visitor.id, lastSeen, clockOffset, ...batch.device });
    },
    createPerson: (siteId, email, at) => Number(statements.createPerson.run(siteId, email, at, at).lastInsertRowid),
    findPerson: (personId) => statements.findPerson.get(personId) as PersonRecord,
    findPersonByEmail: (siteId, email) => (statements.findPersonByEmail.get(siteId, email) as PersonRecord | undefined) ?? null,
    setPersonEmail: (personId, email) => void statements.setPersonEmail.run(email, personId),
    mergeAnonymousPerson(from, to) {
      for (const statement of [statements.mergeTimes, statements.mergeTraits, statements.moveSessions, statements.moveVisitors, statements.moveLinks, statements.dropLinks, statements.deletePerson]) {
        statement.run({ from, to });
      }
    },
    linkVisitor: (visitorId, personId, at) => void statements.linkVisitor.run(visitorId, personId, at),
    relinkVisitor: (visitorId, from, to, at) => void statements.relinkVisitor.run({ visitorId, from, to, at }),
    linksOf: (visitorId) => statements.linksOf.all(visitorId) as IdentityLink[],
    setVisitorPerson: (visitorId, personId) => void statements.setVisitorPerson.run(personId, visitorId),
    updateTraits(personId, traits: Traits) {
      statements.updateTraits.run({ personId, name: null, phone: null, company: null, country: null, message: null, ...traits });
    },
    touchPerson: (personId, firstSeen, lastSeen) => void statements.touchPerson.run(firstSeen, lastSeen, personId),
    hasEventsAfter: (visitorId, at) => statements.hasEventsAfter.get(visitorId, at) === 1,
    findIdentificationsBetween: (visitorId, after, until) =>
      statements.findIdentificationsBetween.all({ visitorId, after, until }) as Array<{ ts: number; email: string | null }>,
    findIdentificationValuesOf: (personId) =>
      (statements.findIdentificationValuesOf.all(personId) as Array<string | null>).flatMap((values) => (values ? [JSON.parse(values) as Record<string, string>] : [])),
    recountPersonTimes: (personId) => void statements.recountPersonTimes.run({ personId }),
    findStoredEventIds: (visitorId, clientEventIds) => new Set(statements.storedEventIds.all(visitorId, JSON.stringify(clientEventIds)) as string[]),
    findSessionBefore: (visitorId, at) => toSession(statements.findSessionBefore.get(visitorId, at) as SessionRow | undefined),
    findSessionAfter: (visitorId, at) => toSession(statements.findSessionAfter.get(visitorId, at) as SessionRow | undefined),
    createSession: (visitorId, personId, at, landing) =>
      Number(statements.createSession.run({ visitorId, personId, at, ...landingColumns(landing) }).lastInsertRowid),
    findSessionAcross: (visitorId, at, personId) => toSession(statements.findSessionAcross.get(visitorId, at, at, personId) as SessionRow | undefined),
    handOverSessions(visitorId, personId, at, until) {
      const parameters = { visitorId, personId, at, until };
      const previousPeople = statements.sessionsToHandOver.all(parameters) as number[];
      if (previousPeople.length > 0) statements.handOverSessions.run(parameters);
      return previousPeople;
    },
    saveSessionSpan: (session) => void statements.saveSessionSpan.run(session.startedAt, session.endedAt, session.id),
    mergeSessionInto(visitorId, from, intoSessionId) {
      const parameters = { from: from.id, into: intoSessionId, visitorId, personId: from.personId };
      for (const statement of [statements.moveSessionEvents, statements.deleteSession, statements.markRollupDirty]) statement.run(parameters);
    },
    moveEventsFrom(visitorId, from, at, intoSessionId) {
      const parameters = { from: from.id, into: intoSessionId, visitorId, at };
      const moved = statements.moveSessionEventsFrom.all(parameters) as number[];
      return { lastMoved: moved.length > 0 ? moved.reduce((latest, ts) => Math.max(latest, ts)) : null, lastLeft: statements.lastSessionEvent.get(parameters) as number | null };
    },
    saveSessionLanding: (session) => void statements.saveSessionLanding.run({ sessionId: session.id, ...landingColumns(session) }),
    findFirstEvent: (visitorId, sessionId) => (statements.findFirstEvent.get({ visitorId, sessionId }) as { type: ValidEvent['type']; url: string } | undefined) ?? null,
    findPageviewsFrom: (visitorId, sessionId, at) => statements.findPageviewsFrom.iterate({ visitorId, sessionId, at }) as IterableIterator<StoredPageview>,
    insertEvent(siteId, visitorId, sessionId, event) {
      const { id, type, ts, url, ...data } = event;
      const page = findUrl(siteId, url, 'title' in data ? data.title : undefined);
      // The page's usual title lives in `urls`; only a different one is kept with the event.
      if ('title' in data && data.title === page.title) delete data.title;
      statements.insertEvent.run(visitorId, sessionId, id, type, Math.round(ts), page.id, Object.keys(data).length > 0 ? JSON.stringify(data) : null);
    },
  };

  return {
    async runInTransaction(work) {
      try {
        database.transaction(() => work(store))();
      } catch (error) {
        urlIds.clear();
        throw error;
      }
    },
  };
}

