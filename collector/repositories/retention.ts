/**
 * Retention: a site may keep its raw events for a number of days (sites.retention_days; NULL keeps
 * them forever). The purge deletes older events, then the visits (sessions) left without an event,
 * then the anonymous people left without a visit, with their browsers — and the inbox records
 * stitching set aside (`ingest_failures`: raw beacons) as they reach their site's retention.
 *
 * A lead stays: the person row (email, name, phone, company, stated country, latest message, first
 * and last seen) is the exporter's business record of someone who wrote to them, not browsing
 * history, and only erasure removes it. Their browsers (visitors) stay too, so a buyer who comes
 * back after a year still joins their lead instead of starting as a stranger. Page URLs (`urls`)
 * stay: ingest remembers their ids for good (repositories/ingest.ts).
 */
import type { SqliteDatabase } from '../db/open.js';
import { createPersonEraser } from './people.js';

const DAY_MS = 24 * 60 * 60_000;

/**
 * Rows examined per transaction. No index on event times (it would cost every insert, see
 * PERF-NOTES.md), so the purge walks each table in rowid ranges: one range is a millisecond or
 * two of work, and ingest and the dashboard run between ranges.
 */
const ROWS_PER_STEP = 5_000;

export interface PurgeResult {
  events: number;
  sessions: number;
  people: number;
  /** Inbox records stitching had set aside. */
  setAside: number;
}

export interface RetentionRepository {
  /** Deletes what the sites' retention has expired at `now`; stops between steps once `signal` aborts. */
  purgeExpired(options?: { now?: number; signal?: AbortSignal }): Promise<PurgeResult>;
}

/** A site's oldest time still kept, for a row that reaches its site through `visitorColumn`; NULL keeps all. */
const cutoffThroughVisitor = (visitorColumn: string) =>
  `(SELECT @now - sites.retention_days * ${DAY_MS} FROM visitors JOIN sites ON sites.id = visitors.site_id WHERE visitors.id = ${visitorColumn})`;

export function createRetentionRepository(database: SqliteDatabase): RetentionRepository {
  const statements = {
    retentions: database.prepare('SELECT retention_days FROM sites WHERE retention_days IS NOT NULL').pluck(),
    lastEventId: database.prepare('SELECT max(id) FROM events').pluck(),
    lastSessionId: database.prepare('SELECT max(id) FROM sessions').pluck(),
    lastPersonId: database.prepare('SELECT max(id) FROM people').pluck(),
    // `@latestCutoff` (the newest of all sites' cutoffs) rules out most rows before any lookup.
    deleteEvents: database.prepare(`DELETE FROM events WHERE id > @after AND id <= @until AND ts < @latestCutoff
      AND ts < ${cutoffThroughVisitor('events.visitor_id')}`),
    deleteSessions: database.prepare(`DELETE FROM sessions WHERE id > @after AND id <= @until AND ended_at < @latestCutoff
      AND ended_at < ${cutoffThroughVisitor('sessions.visitor_id')}
      AND NOT EXISTS (SELECT 1 FROM events WHERE events.visitor_id = sessions.visitor_id AND events.session_id = sessions.id)`),
    // A set-aside record names its site (`site` in an inbox record, `siteId` in a batch an older
    // version kept); one that is not JSON, or names no site there is, goes at the shortest retention.
    deleteSetAside: database.prepare(`DELETE FROM ingest_failures WHERE failed_at < @latestCutoff AND coalesce(
      (SELECT coalesce(ingest_failures.failed_at < @now - sites.retention_days * ${DAY_MS}, 0) FROM sites
        WHERE sites.id = CASE WHEN json_valid(record) THEN coalesce(record ->> '$.site', record ->> '$.siteId') END), 1)`),
    emptyAnonymousPeople: database.prepare(`SELECT id FROM people WHERE id > @after AND id <= @until AND email IS NULL AND last_seen < @latestCutoff
      AND last_seen < (SELECT @now - sites.retention_days * ${DAY_MS} FROM sites WHERE sites.id = people.site_id)
      AND NOT EXISTS (SELECT 1 FROM sessions WHERE sessions.person_id = people.id)`).pluck(),
  };
  const erasePerson = createPersonEraser(database);
  const deleteEmptyPeople = database.transaction((parameters: Record<string, number>) => {
    const personIds = statements.emptyAnonymousPeople.all(parameters) as number[];
    for (const personId of personIds) erasePerson(personId);
    return personIds.length;
  });

  /** Runs `step` over rowid ranges up to `lastId`, yielding to the event loop between them; the sum of what it returns. */
  async function inSteps(lastId: number | null, signal: AbortSignal | undefined, step: (range: { after: number; until: number }) => number): Promise<number> {
    let total = 0;
    for (let after = 0; lastId !== null && after < lastId && !signal?.aborted; after += ROWS_PER_STEP) {
      total += step({ after, until: after + ROWS_PER_STEP });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }

  return {
    async purgeExpired({ now = Date.now(), signal } = {}) {
      const retentions = statements.retentions.all() as number[];
      if (retentions.length === 0) return { events: 0, sessions: 0, people: 0, setAside: 0 };
      const parameters = { now, latestCutoff: now - Math.min(...retentions) * DAY_MS };
      // Events first: a visit is empty only once its events are gone, a person once their visits are.
      const events = await inSteps(statements.lastEventId.get() as number | null, signal, (range) => statements.deleteEvents.run({ ...parameters, ...range }).changes);
      const sessions = await inSteps(statements.lastSessionId.get() as number | null, signal, (range) => statements.deleteSessions.run({ ...parameters, ...range }).changes);
      const people = await inSteps(statements.lastPersonId.get() as number | null, signal, (range) => deleteEmptyPeople({ ...parameters, ...range }));
      // Few rows (none, normally): one statement.
      const setAside = signal?.aborted ? 0 : statements.deleteSetAside.run(parameters).changes;
      return { events, sessions, people, setAside };
    },
  };
}
