/**
 * Reading people for the dashboard and the API: the paginated, filtered list, one person's whole trail,
 * and erasure. Attribution and device facts are read from sessions and visitors as they are.
 */
import type { SqliteDatabase } from '../db/open.js';
import type { Channel, ClickIds } from '../ingest/channel.js';
import type { ValidEvent } from '../ingest/schema.js';
import { createRollupEraser } from './rollups.js';

export interface PersonSummary {
  id: number;
  email: string | null;
  name: string | null;
  company: string | null;
  country: string | null;
  identified: boolean;
  firstSeen: number;
  lastSeen: number;
  sessions: number;
  channel: Channel | null;
  /** The IP country of the person's most recently seen browser. */
  ipCountry: string | null;
}

export interface PeoplePage {
  people: PersonSummary[];
  /** Opaque cursor for the next page, or null on the last one. */
  next: string | null;
}

export interface Touchpoint {
  channel: Channel;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  at: number;
}

export interface PersonDetails {
  id: number;
  siteKey: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  company: string | null;
  country: string | null;
  message: string | null;
  identified: boolean;
  firstSeen: number;
  lastSeen: number;
  firstTouch: Touchpoint | null;
  lastTouch: Touchpoint | null;
  /** The latest value of each click id that brought this person. */
  clickIds: ClickIds;
}

export interface Device {
  id: number;
  browser: string | null;
  os: string | null;
  device: string | null;
  ipCountry: string | null;
  asn: number | null;
  organisation: string | null;
  language: string | null;
  timeZone: string | null;
  screen: string | null;
  firstSeen: number;
  lastSeen: number;
}

/** A stored event as it arrived on the wire (validated then), with `ts` on the server's clock. */
export type TrailEvent = ValidEvent;

export interface TrailSession extends Touchpoint {
  id: number;
  deviceId: number;
  startedAt: number;
  endedAt: number;
  term: string | null;
  content: string | null;
  clickIds: ClickIds;
  referrer: string | null;
  landingPage: string | null;
  events: TrailEvent[];
}

export interface Trail {
  person: PersonDetails;
  devices: Device[];
  sessions: TrailSession[];
}

/** The people list's optional narrowing; every filter left out matches everyone. */
export interface PeopleFilters {
  /** Case-insensitive substring of email, name or company. */
  query?: string;
  /** true: leads (with an email) only; false: anonymous visitors only. */
  identified?: boolean;
  /** The channel of the person's latest session: the one the list shows. */
  channel?: Channel;
  /** ISO 3166-1 alpha-2 of the IP address of any of the person's browsers. */
  country?: string;
}

export interface PeopleRepository {
  listPeople(siteId: number, options: PeopleFilters & { cursor?: string; limit: number }): Promise<PeoplePage>;
  findTrail(personId: number): Promise<Trail | null>;
  /** Deletes every person with this email (on every site) and everything tied to them; returns how many. */
  erasePeopleByEmail(email: string): Promise<number>;
  /** Deletes one person and everything tied to them; false when there is no such person. */
  erasePerson(personId: number): Promise<boolean>;
}

interface PersonRow {
  id: number;
  site_id: number;
  email: string | null;
  name: string | null;
  phone: string | null;
  company: string | null;
  country: string | null;
  message: string | null;
  first_seen: number;
  last_seen: number;
}

type PersonWithSiteRow = PersonRow & { site_key: string };

type SummaryRow = PersonRow & { sessions: number; channel: Channel | null; ip_country: string | null };

interface SessionRow {
  id: number;
  visitor_id: number;
  started_at: number;
  ended_at: number;
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

/** An event row joined with its page: the columns `toTrailEvent` reads. */
export interface StoredEventRow {
  client_event_id: string;
  type: string;
  ts: number;
  url: string;
  page_title: string | null;
  data: string | null;
}

interface EventRow extends StoredEventRow {
  session_id: number;
}

/** A stored event back in its wire form: the envelope, the type's own fields, the page's title. */
export function toTrailEvent(row: StoredEventRow): TrailEvent {
  const fields = row.data ? (JSON.parse(row.data) as { title?: string }) : {};
  // A page view's title is its own when it had a different one, else the page's (urls.title).
  const title = row.type === 'pageview' && row.page_title !== null ? { title: fields.title ?? row.page_title } : {};
  return { ...fields, ...title, id: row.client_event_id, type: row.type, ts: row.ts, url: row.url } as TrailEvent;
}

interface DeviceRow {
  id: number;
  browser: string | null;
  os: string | null;
  device: string | null;
  ip_country: string | null;
  asn: number | null;
  organisation: string | null;
  language: string | null;
  time_zone: string | null;
  screen: string | null;
  first_seen: number;
  last_seen: number;
}

/** Cursors encode the sort key of the last row shown: `last_seen:id`. */
function encodeCursor(person: PersonSummary): string {
  return Buffer.from(`${person.lastSeen}:${person.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { lastSeen: number; id: number } | null {
  const match = /^(\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? { lastSeen: Number(match[1]), id: Number(match[2]) } : null;
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** LIKE treats % and _ as wildcards; a search for "100%" must match the text "100%". */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export function toTouchpoint(row: Pick<SessionRow, 'channel' | 'source' | 'medium' | 'campaign' | 'started_at'>): Touchpoint {
  return { channel: row.channel, source: row.source, medium: row.medium, campaign: row.campaign, at: row.started_at };
}

export function parseClickIds(json: string | null): ClickIds {
  return json ? (JSON.parse(json) as ClickIds) : {};
}

export function createPeopleRepository(database: SqliteDatabase): PeopleRepository {
  const listColumns = `people.id, people.email, people.name, people.company, people.country, people.first_seen, people.last_seen,
    (SELECT count(*) FROM sessions WHERE sessions.person_id = people.id) AS sessions,
    (SELECT channel FROM sessions WHERE sessions.person_id = people.id ORDER BY started_at DESC LIMIT 1) AS channel,
    (SELECT ip_country FROM visitors WHERE visitors.person_id = people.id ORDER BY last_seen DESC LIMIT 1) AS ip_country`;
  const searchCondition = `(@pattern IS NULL OR people.email LIKE @pattern ESCAPE '\\' OR people.name LIKE @pattern ESCAPE '\\' OR people.company LIKE @pattern ESCAPE '\\')`;
  // Filters in the WHERE clause, so the cursor (last_seen:id of the last row shown) stays exact.
  const filterCondition = `(@identified IS NULL OR (people.email IS NOT NULL) = @identified)
    AND (@channel IS NULL OR (SELECT channel FROM sessions WHERE sessions.person_id = people.id ORDER BY started_at DESC LIMIT 1) = @channel)
    AND (@country IS NULL OR EXISTS (SELECT 1 FROM visitors WHERE visitors.person_id = people.id AND visitors.ip_country = @country))`;
  const statements = {
    firstPage: database.prepare(`SELECT ${listColumns} FROM people WHERE site_id = @siteId AND ${searchCondition} AND ${filterCondition}
      ORDER BY last_seen DESC, id DESC LIMIT @limit`),
    nextPage: database.prepare(`SELECT ${listColumns} FROM people WHERE site_id = @siteId AND ${searchCondition} AND ${filterCondition}
      AND (last_seen < @lastSeen OR (last_seen = @lastSeen AND id < @id)) ORDER BY last_seen DESC, id DESC LIMIT @limit`),
    person: database.prepare('SELECT people.*, sites.key AS site_key FROM people JOIN sites ON sites.id = people.site_id WHERE people.id = ?'),
    sessions: database.prepare('SELECT * FROM sessions WHERE person_id = ? ORDER BY started_at, id'),
    devices: database.prepare(`SELECT * FROM visitors WHERE id IN (SELECT visitor_id FROM sessions WHERE person_id = @personId) OR person_id = @personId ORDER BY first_seen`),
    events: database.prepare(`SELECT events.session_id, events.client_event_id, events.type, events.ts, urls.url, urls.title AS page_title, events.data
      FROM sessions JOIN events ON events.visitor_id = sessions.visitor_id AND events.session_id = sessions.id JOIN urls ON urls.id = events.url_id
      WHERE sessions.person_id = ? ORDER BY events.ts, events.id`),
    peopleByEmail: database.prepare('SELECT id FROM people WHERE email = ?').pluck(),
    deleteEvents: database.prepare(`DELETE FROM events WHERE visitor_id IN (SELECT visitor_id FROM sessions WHERE person_id = @personId)
      AND session_id IN (SELECT id FROM sessions WHERE person_id = @personId)`),
    deleteSessions: database.prepare('DELETE FROM sessions WHERE person_id = ?'),
    deleteLinks: database.prepare('DELETE FROM identity_links WHERE person_id = ?'),
    visitorsOf: database.prepare('SELECT id FROM visitors WHERE person_id = ?').pluck(),
    latestOtherPerson: database.prepare('SELECT person_id FROM sessions WHERE visitor_id = ? ORDER BY started_at DESC LIMIT 1').pluck(),
    reassignVisitor: database.prepare('UPDATE visitors SET person_id = ? WHERE id = ?'),
    deleteVisitorLinks: database.prepare('DELETE FROM identity_links WHERE visitor_id = ?'),
    deleteVisitor: database.prepare('DELETE FROM visitors WHERE id = ?'),
    deletePerson: database.prepare('DELETE FROM people WHERE id = ?'),
  };

  const toSummary = (row: SummaryRow): PersonSummary => ({
    id: row.id,
    email: row.email,
    name: row.name,
    company: row.company,
    country: row.country,
    identified: row.email !== null,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    sessions: row.sessions,
    channel: row.channel,
    ipCountry: row.ip_country,
  });

  const rollups = createRollupEraser(database);
  const erase = database.transaction((personId: number): boolean => {
    const visitorIds = statements.visitorsOf.all(personId) as number[];
    rollups.beforeErase(personId);
    statements.deleteEvents.run({ personId });
    statements.deleteSessions.run(personId);
    statements.deleteLinks.run(personId);
    for (const visitorId of visitorIds) {
      // A browser shared with another person (one device, two emails) stays for the other's trail.
      const otherPerson = statements.latestOtherPerson.get(visitorId) as number | undefined;
      if (otherPerson === undefined) {
        statements.deleteVisitorLinks.run(visitorId);
        statements.deleteVisitor.run(visitorId);
      } else {
        statements.reassignVisitor.run(otherPerson, visitorId);
      }
    }
    const erased = statements.deletePerson.run(personId).changes > 0;
    rollups.afterErase(personId);
    return erased;
  });

  /** Erased rows must not linger in the WAL file either. */
  const checkpoint = () => database.pragma('wal_checkpoint(TRUNCATE)');

  return {
    async listPeople(siteId, { query, identified, channel, country, cursor, limit }) {
      const pattern = query?.trim() ? likePattern(query.trim()) : null;
      // SQLite has no booleans: the comparison above yields 1 or 0.
      const filters = { pattern, identified: identified === undefined ? null : Number(identified), channel: channel ?? null, country: country ?? null };
      let rows: SummaryRow[];
      if (cursor) {
        const position = decodeCursor(cursor);
        if (!position) throw new InvalidCursorError('cursor is not one this server returned');
        rows = statements.nextPage.all({ ...filters, siteId, limit: limit + 1, ...position }) as typeof rows;
      } else {
        rows = statements.firstPage.all({ ...filters, siteId, limit: limit + 1 }) as typeof rows;
      }
      const people = rows.slice(0, limit).map(toSummary);
      return { people, next: rows.length > limit ? encodeCursor(people.at(-1)!) : null };
    },

    async findTrail(personId) {
      const row = statements.person.get(personId) as PersonWithSiteRow | undefined;
      if (!row) return null;
      const sessionRows = statements.sessions.all(personId) as SessionRow[];
      const eventsBySession = new Map<number, TrailEvent[]>();
      for (const event of statements.events.all(personId) as EventRow[]) {
        const list = eventsBySession.get(event.session_id) ?? [];
        list.push(toTrailEvent(event));
        eventsBySession.set(event.session_id, list);
      }
      const sessions: TrailSession[] = sessionRows.map((session) => ({
        ...toTouchpoint(session),
        id: session.id,
        deviceId: session.visitor_id,
        startedAt: session.started_at,
        endedAt: session.ended_at,
        term: session.term,
        content: session.content,
        clickIds: parseClickIds(session.click_ids),
        referrer: session.referrer,
        landingPage: session.landing_page,
        events: eventsBySession.get(session.id) ?? [],
      }));
      const devices = (statements.devices.all({ personId }) as DeviceRow[]).map((device) => ({
        id: device.id,
        browser: device.browser,
        os: device.os,
        device: device.device,
        ipCountry: device.ip_country,
        asn: device.asn,
        organisation: device.organisation,
        language: device.language,
        timeZone: device.time_zone,
        screen: device.screen,
        firstSeen: device.first_seen,
        lastSeen: device.last_seen,
      }));
      const first = sessionRows[0];
      const last = sessionRows.at(-1);
      return {
        person: {
          id: row.id,
          siteKey: row.site_key,
          email: row.email,
          name: row.name,
          phone: row.phone,
          company: row.company,
          country: row.country,
          message: row.message,
          identified: row.email !== null,
          firstSeen: row.first_seen,
          lastSeen: row.last_seen,
          firstTouch: first ? toTouchpoint(first) : null,
          lastTouch: last ? toTouchpoint(last) : null,
          clickIds: Object.assign({}, ...sessions.map((session) => session.clickIds)) as ClickIds,
        },
        devices,
        sessions,
      };
    },

    async erasePeopleByEmail(email) {
      const personIds = statements.peopleByEmail.all(email) as number[];
      for (const personId of personIds) erase(personId);
      checkpoint();
      return personIds.length;
    },

    async erasePerson(personId) {
      const erased = erase(personId);
      checkpoint();
      return erased;
    },
  };
}
