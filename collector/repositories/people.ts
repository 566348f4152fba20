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
  /** The order applied (the defaults filled in). */
  sort: PeopleSort;
  order: SortOrder;
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
  /** Active in this range (ms, inclusive): last seen at or after `from`, first seen at or before `to`. */
  from?: number;
  to?: number;
}

/** The people list's orders: last_seen is the default (newest activity first). */
export const PEOPLE_SORTS = ['last_seen', 'first_seen', 'name', 'company', 'country', 'sessions'] as const;
export type PeopleSort = (typeof PEOPLE_SORTS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export interface PeopleListOptions extends PeopleFilters {
  sort?: PeopleSort;
  /** Default: ascending for the text sorts (A to Z), descending for times and counts (newest, most). */
  order?: SortOrder;
  cursor?: string;
  limit: number;
}

export interface PeopleRepository {
  listPeople(siteId: number, options: PeopleListOptions): Promise<PeoplePage>;
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

/**
 * What each sort orders by: an expression with an index of its own (db/migrations/003_settings.sql:
 * the query must repeat the indexed expression exactly), and whether it is text. Text sorts ignore
 * ASCII case and may lack a value: people without one (anonymous visitors have no name) come last
 * in both directions, as in a spreadsheet. Times and counts are never NULL.
 */
const SORT_KEYS: Record<PeopleSort, { expression: string; text: boolean }> = {
  last_seen: { expression: 'people.last_seen', text: false },
  first_seen: { expression: 'people.first_seen', text: false },
  name: { expression: 'coalesce(people.name, people.email) COLLATE NOCASE', text: true },
  company: { expression: 'people.company COLLATE NOCASE', text: true },
  country: { expression: 'people.country COLLATE NOCASE', text: true },
  sessions: { expression: 'people.session_count', text: false },
};

/** Where the last page ended: its last row's sort value (null in the trailing part without one) and id. */
interface ListPosition {
  value: number | string | null;
  id: number;
}

/** Cursors name their sort, so one cannot continue a list in another order. */
function encodeCursor(sort: PeopleSort, order: SortOrder, position: ListPosition): string {
  return Buffer.from(JSON.stringify([sort, order, position.value, position.id])).toString('base64url');
}

function decodeCursor(cursor: string, sort: PeopleSort, order: SortOrder): ListPosition | null {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 4 || decoded[0] !== sort || decoded[1] !== order) return null;
  const [, , value, id] = decoded as unknown[];
  const valueFits = SORT_KEYS[sort].text ? value === null || typeof value === 'string' : Number.isSafeInteger(value);
  return valueFits && Number.isSafeInteger(id) ? { value: value as ListPosition['value'], id: id as number } : null;
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

/**
 * Deletes one person and everything tied to them, in one transaction; false when there is no such
 * person. Shared by erasure and the retention purge (repositories/retention.ts).
 *
 * That includes the inbox records stitching set aside (`ingest_failures`) that name one of their
 * browsers or their email: raw beacons, form fields and all. A record is text that may not even be
 * JSON (that can be why it failed), so it is matched by what it contains; a set-aside record of
 * someone sharing one of their browsers goes too.
 */
export function createPersonEraser(database: SqliteDatabase): (personId: number) => boolean {
  const statements = {
    deleteSetAsideRecords: database.prepare(`DELETE FROM ingest_failures WHERE instr(lower(record), (SELECT email FROM people WHERE id = @personId)) > 0
      OR EXISTS (SELECT 1 FROM visitors WHERE (visitors.person_id = @personId OR visitors.id IN (SELECT visitor_id FROM sessions WHERE person_id = @personId))
        AND instr(ingest_failures.record, visitors.client_id) > 0)`),
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
  const rollups = createRollupEraser(database);
  return database.transaction((personId: number): boolean => {
    const visitorIds = statements.visitorsOf.all(personId) as number[];
    rollups.beforeErase(personId);
    // First: it finds their browsers through the visits and browsers deleted next.
    statements.deleteSetAsideRecords.run({ personId });
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
}

export function createPeopleRepository(database: SqliteDatabase): PeopleRepository {
  const listColumns = `people.id, people.email, people.name, people.company, people.country, people.first_seen, people.last_seen,
    people.session_count AS sessions,
    (SELECT channel FROM sessions WHERE sessions.person_id = people.id ORDER BY started_at DESC LIMIT 1) AS channel,
    (SELECT ip_country FROM visitors WHERE visitors.person_id = people.id ORDER BY last_seen DESC LIMIT 1) AS ip_country`;
  const searchCondition = `(@pattern IS NULL OR people.email LIKE @pattern ESCAPE '\\' OR people.name LIKE @pattern ESCAPE '\\' OR people.company LIKE @pattern ESCAPE '\\')`;
  // Filters in the WHERE clause, so the cursor (sort value and id of the last row shown) stays exact.
  const filterCondition = `(@identified IS NULL OR (people.email IS NOT NULL) = @identified)
    AND (@channel IS NULL OR (SELECT channel FROM sessions WHERE sessions.person_id = people.id ORDER BY started_at DESC LIMIT 1) = @channel)
    AND (@country IS NULL OR EXISTS (SELECT 1 FROM visitors WHERE visitors.person_id = people.id AND visitors.ip_country = @country))`;
  // Active in the range. A unary + keeps a time column's index out of the planner's choice unless it
  // is the sort's own: SQLite would otherwise read every person in the range through it and sort
  // them all (the whole site when no range is given) instead of walking the sort's index.
  const listCondition = (sort: PeopleSort) => `people.site_id = @siteId AND ${searchCondition} AND ${filterCondition}
    AND ${sort === 'last_seen' ? '' : '+'}people.last_seen >= @from AND ${sort === 'first_seen' ? '' : '+'}people.first_seen <= @to`;

  /**
   * A page of ids in one order, continuing after a position or not: keyset pagination, so every page
   * is an index range however deep the list (no OFFSET). The id breaks ties in the sort's direction.
   * A text sort reads its rows with the value first, then (`part: 'missing'`) those without, by id.
   */
  type Statement = ReturnType<SqliteDatabase['prepare']>;
  const pageStatements = new Map<string, Statement>();
  const pageStatement = (sort: PeopleSort, order: SortOrder, part: 'valued' | 'missing', continued: boolean): Statement => {
    const name = `${sort} ${order} ${part} ${continued}`;
    let statement = pageStatements.get(name);
    if (!statement) {
      const { expression, text } = SORT_KEYS[sort];
      const [direction, after] = order === 'asc' ? ['ASC', '>'] : ['DESC', '<'];
      let sql: string;
      if (part === 'missing') {
        sql = `SELECT people.id, NULL AS value FROM people WHERE ${listCondition(sort)} AND ${expression} IS NULL
          ${continued ? `AND people.id ${after} @id` : ''} ORDER BY people.id ${direction} LIMIT @limit`;
      } else {
        // The inclusive bound gives the index a range to start from; the OR then skips the rows shown.
        const position = continued ? `AND ${expression} ${after}= @value AND (${expression} ${after} @value OR people.id ${after} @id)` : '';
        // For text, >= '' means IS NOT NULL (the columns have TEXT affinity, so every value is text)
        // but is a range: NULLs come first in the index, and an ascending walk would step over every
        // anonymous visitor before the first name.
        sql = `SELECT people.id, ${expression} AS value FROM people WHERE ${listCondition(sort)} ${text ? `AND ${expression} >= ''` : ''}
          ${position} ORDER BY ${expression} ${direction}, people.id ${direction} LIMIT @limit`;
      }
      statement = database.prepare(sql);
      pageStatements.set(name, statement);
    }
    return statement;
  };

  const statements = {
    // The costlier columns (latest channel, IP country) only for the rows of the page.
    summaries: database.prepare(`SELECT ${listColumns} FROM people WHERE people.id IN (SELECT value FROM json_each(?))`),
    person: database.prepare('SELECT people.*, sites.key AS site_key FROM people JOIN sites ON sites.id = people.site_id WHERE people.id = ?'),
    sessions: database.prepare('SELECT * FROM sessions WHERE person_id = ? ORDER BY started_at, id'),
    devices: database.prepare(`SELECT * FROM visitors WHERE id IN (SELECT visitor_id FROM sessions WHERE person_id = @personId) OR person_id = @personId ORDER BY first_seen`),
    events: database.prepare(`SELECT events.session_id, events.client_event_id, events.type, events.ts, urls.url, urls.title AS page_title, events.data
      FROM sessions JOIN events ON events.visitor_id = sessions.visitor_id AND events.session_id = sessions.id JOIN urls ON urls.id = events.url_id
      WHERE sessions.person_id = ? ORDER BY events.ts, events.id`),
    peopleByEmail: database.prepare('SELECT id FROM people WHERE email = ?').pluck(),
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

  const erase = createPersonEraser(database);

  /** Erased rows must not linger in the WAL file either. */
  const checkpoint = () => database.pragma('wal_checkpoint(TRUNCATE)');

  return {
    async listPeople(siteId, { query, identified, channel, country, from = 0, to = Number.MAX_SAFE_INTEGER, sort = 'last_seen', order, cursor, limit }) {
      const direction = order ?? (SORT_KEYS[sort].text ? 'asc' : 'desc');
      const pattern = query?.trim() ? likePattern(query.trim()) : null;
      // SQLite has no booleans: the comparison above yields 1 or 0.
      const parameters = { siteId, pattern, identified: identified === undefined ? null : Number(identified), channel: channel ?? null, country: country ?? null, from, to };
      const position = cursor ? decodeCursor(cursor, sort, direction) : null;
      if (cursor && !position) throw new InvalidCursorError('cursor is not one this server returned for this sort and order');

      // One row more than asked tells whether there is a next page.
      let rows: Array<{ id: number; value: ListPosition['value'] }> = [];
      if (position?.value !== null) {
        rows = pageStatement(sort, direction, 'valued', position !== null).all({ ...parameters, ...position, limit: limit + 1 }) as typeof rows;
      }
      if (SORT_KEYS[sort].text && rows.length <= limit) {
        const continued = position?.value === null;
        rows.push(...(pageStatement(sort, direction, 'missing', continued).all({ ...parameters, id: position?.id, limit: limit + 1 - rows.length }) as typeof rows));
      }

      const pageRows = rows.slice(0, limit);
      const byId = new Map((statements.summaries.all(JSON.stringify(pageRows.map((row) => row.id))) as SummaryRow[]).map((row) => [row.id, row]));
      const people = pageRows.map((row) => toSummary(byId.get(row.id)!));
      const last = pageRows.at(-1);
      return { people, sort, order: direction, next: rows.length > limit && last ? encodeCursor(sort, direction, last) : null };
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
