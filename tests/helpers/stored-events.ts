/**
 * What the collector stored for a site, read straight from its SQLite file: the observation point
 * of browser tests (Playwright cannot see beacons sent while a page unloads).
 */
import type { ValidEvent } from '../../collector/ingest/schema.js';
import type { TestCollector } from './collector.js';
import { toTrailEvent, type StoredEventRow } from '../../collector/repositories/people.js';

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
