/**
 * Sites: a name, the public key the tag carries, the domains allowed to send for it, and its
 * settings (how much of an IP address to keep, how long to keep raw events).
 */
import { customAlphabet } from 'nanoid';
import type { SqliteDatabase } from '../db/open.js';
import type { IpMode } from '../ingest/network.js';

/**
 * Every beacon looks its site up, and sites change rarely: a found site is remembered this long.
 * Unknown keys are not remembered, so a site added by the CLI in another process works at once.
 */
const SITE_CACHE_MS = 10_000;

/** 16 lowercase letters and digits: unguessable enough for a public key, easy to read aloud. */
const newSiteKey = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16);

export interface Site {
  id: number;
  key: string;
  name: string;
  domains: string[];
  /** IANA name: the overview's days are calendar days there. */
  timeZone: string;
  createdAt: number;
  /** null: the server's default (LEADTRAIL_IP_MODE). */
  ipMode: IpMode | null;
  /** Days raw events are kept; null: forever. */
  retentionDays: number | null;
}

/** What can change on a site; a field left out stays as it is. */
export type SiteChanges = Partial<Pick<Site, 'name' | 'domains' | 'timeZone' | 'ipMode' | 'retentionDays'>>;

interface SiteRow {
  id: number;
  key: string;
  name: string;
  domains: string;
  time_zone: string;
  created_at: number;
  ip_mode: IpMode | null;
  retention_days: number | null;
}

/** Whether a site's tag works: the setup screen's live check. */
export interface SiteStatus {
  /** The latest event's time, or null before the first one. */
  lastEventAt: number | null;
  eventsLastHour: number;
}

export interface SiteRepository {
  /** `timeZone`: an IANA name the caller has checked (default UTC). */
  createSite(input: { name: string; domains: string[]; timeZone?: string }): Promise<Site>;
  findSiteByKey(key: string): Promise<Site | null>;
  /** The site after the change, or null when there is no such site. */
  updateSite(key: string, changes: SiteChanges): Promise<Site | null>;
  /** Replaces every IP address stored for the site's browsers by `rewrite(address)`, in one transaction. */
  rewriteStoredIps(siteId: number, rewrite: (ip: string) => string | null): Promise<void>;
  listSites(): Promise<Site[]>;
  findSiteStatus(siteId: number, now?: number): Promise<SiteStatus>;
}

const HOUR_MS = 60 * 60_000;

export function createSiteRepository(database: SqliteDatabase): SiteRepository {
  const statements = {
    insert: database.prepare('INSERT INTO sites (key, name, domains, time_zone, created_at) VALUES (?, ?, ?, ?, ?)'),
    findByKey: database.prepare('SELECT * FROM sites WHERE key = ?'),
    update: database.prepare(`UPDATE sites SET name = @name, domains = @domains, time_zone = @timeZone, ip_mode = @ipMode, retention_days = @retentionDays
      WHERE id = @id RETURNING *`),
    list: database.prepare('SELECT * FROM sites ORDER BY id'),
    storedIps: database.prepare('SELECT id, ip FROM visitors WHERE site_id = ? AND ip IS NOT NULL'),
    setIp: database.prepare('UPDATE visitors SET ip = ? WHERE id = ?'),
    // Polled every few seconds, so both read an index range instead of the events table:
    // a person's last_seen follows its latest event (people_by_activity is (site_id, last_seen)),
    // and only browsers of people active in the last hour can have events in it.
    lastEventAt: database.prepare('SELECT max(last_seen) FROM people WHERE site_id = ?').pluck(),
    eventsSince: database.prepare(`SELECT count(*) FROM events WHERE ts >= @since AND visitor_id IN (
      SELECT visitors.id FROM people JOIN visitors ON visitors.person_id = people.id
      WHERE people.site_id = @siteId AND people.last_seen >= @since)`).pluck(),
  };
  const toSite = (row: SiteRow): Site => ({
    id: row.id,
    key: row.key,
    name: row.name,
    domains: JSON.parse(row.domains) as string[],
    timeZone: row.time_zone,
    createdAt: row.created_at,
    ipMode: row.ip_mode,
    retentionDays: row.retention_days,
  });

  const cache = new Map<string, { site: Site; until: number }>();

  return {
    async createSite({ name, domains, timeZone = 'UTC' }) {
      const key = newSiteKey();
      const createdAt = Date.now();
      const result = statements.insert.run(key, name, JSON.stringify(domains), timeZone, createdAt);
      return { id: Number(result.lastInsertRowid), key, name, domains, timeZone, createdAt, ipMode: null, retentionDays: null };
    },
    async findSiteByKey(key) {
      const now = Date.now();
      const cached = cache.get(key);
      if (cached && cached.until > now) return cached.site;
      const row = statements.findByKey.get(key) as SiteRow | undefined;
      if (!row) return null;
      const site = toSite(row);
      cache.set(key, { site, until: now + SITE_CACHE_MS });
      return site;
    },
    async updateSite(key, changes) {
      const row = statements.findByKey.get(key) as SiteRow | undefined;
      if (!row) return null;
      const changed = { ...toSite(row), ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) };
      const site = toSite(statements.update.get({ ...changed, domains: JSON.stringify(changed.domains) }) as SiteRow);
      // This process's ingest sees the change at once; another process's within SITE_CACHE_MS.
      cache.delete(key);
      return site;
    },
    async rewriteStoredIps(siteId, rewrite) {
      database.transaction(() => {
        for (const { id, ip } of statements.storedIps.all(siteId) as Array<{ id: number; ip: string }>) {
          const rewritten = rewrite(ip);
          if (rewritten !== ip) statements.setIp.run(rewritten, id);
        }
      })();
    },
    async listSites() {
      return (statements.list.all() as SiteRow[]).map(toSite);
    },
    async findSiteStatus(siteId, now = Date.now()) {
      const lastEventAt = statements.lastEventAt.get(siteId) as number | null;
      const eventsLastHour = lastEventAt === null ? 0 : (statements.eventsSince.get({ siteId, since: now - HOUR_MS }) as number);
      return { lastEventAt, eventsLastHour };
    },
  };
}
