/**
 * What the collector stored, read straight from its SQLite file: the observation point of browser
 * tests (Playwright cannot see beacons sent while a page unloads), and of stitching tests that
 * compare how two browsers' events were stitched.
 */
import type { ValidEvent } from '../../collector/ingest/schema.js';
import type { TestCollector } from './collector.js';
import { toTrailEvent, type StoredEventRow } from '../../collector/repositories/people.js';
import { BASE_TIME, MINUTE } from './batches.js';

/** Every stored event of the site, oldest first, as it arrived on the wire (ts on the server's clock). */
export function storedEvents(collector: TestCollector, siteKey: string): ValidEvent[] {
  const rows = collector.database
    .prepare(
      `SELECT events.client_event_id, events.type, events.ts, urls.url, urls.title AS page_title, events.data FROM events
       JOIN urls ON urls.id = events.url_id JOIN visitors ON visitors.id = events.visitor_id JOIN sites ON sites.id = visitors.site_id
       WHERE sites.key = ? ORDER BY events.ts, events.id`,
    )
    .all(siteKey) as StoredEventRow[];
  return rows.map(toTrailEvent);
}

export interface StoredVisit {
  /** The person's email (null: anonymous). */
  email: string | null;
  channel: string;
  landingPage: string | null;
  referrer: string | null;
  /** Its events' times in minutes after BASE_TIME, to the hundredth (transit adds milliseconds). */
  minutes: number[];
}

/** A browser's sessions in order, with their events' times: how its events were stitched. */
export function storedVisits(collector: TestCollector, clientId: string): StoredVisit[] {
  const rows = collector.database
    .prepare(`SELECT people.email, sessions.channel, sessions.landing_page AS landingPage, sessions.referrer,
        (SELECT json_group_array(ts) FROM (SELECT events.ts FROM events WHERE events.session_id = sessions.id ORDER BY events.ts, events.id)) AS times
      FROM sessions JOIN visitors ON visitors.id = sessions.visitor_id JOIN people ON people.id = sessions.person_id
      WHERE visitors.client_id = ? ORDER BY sessions.started_at, sessions.id`)
    .all(clientId) as Array<Omit<StoredVisit, 'minutes'> & { times: string }>;
  return rows.map(({ times, ...visit }) => ({ ...visit, minutes: (JSON.parse(times) as number[]).map((ts) => Math.round(((ts - BASE_TIME) / MINUTE) * 100) / 100) }));
}

/** Polls until `check` returns a value: beacons arrive on their own schedule. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
