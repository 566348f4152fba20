/**
 * Retention on a real SQLite file: the purge deletes a site's events older than its retention, then
 * the visits and anonymous visitors left empty; leads keep their contact and their browsers. Run by
 * the app when it starts, and by `leadtrail purge`.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE, batch, formSubmit, pageview } from '../helpers/batches.js';
import { createTestCollector, loginCookie, type TestCollector, postAcceptedBatch } from '../helpers/collector.js';
import { runCommand } from '../helpers/process.js';
import { eventually } from '../helpers/stored-events.js';
import type { WireEvent } from '../../collector/ingest/schema.js';

const SITE = 'https://acme-valves.com';
const DAY = 24 * 60 * MINUTE;
const now = Date.now();

describe('retention purge', () => {
  const collectors: TestCollector[] = [];
  afterEach(async () => {
    for (const collector of collectors.splice(0)) await collector.close();
  });

  async function start(databaseFile?: string) {
    const collector = await createTestCollector({ databaseFile });
    collectors.push(collector);
    return { collector, cookie: await loginCookie(collector.app) };
  }

  /** A site (retention in days, or forever) and its traffic: leads and anonymous visitors, old and recent. */
  async function seed(collector: TestCollector, cookie: string, domain: string, retentionDays: number | null) {
    const created = await collector.app.inject({ method: 'POST', url: '/api/sites', payload: { name: domain, domains: [domain] }, headers: { cookie } });
    const key: string = created.json().key;
    const origin = `https://${domain}`;
    const send = (visitor: string, events: WireEvent[]) => postAcceptedBatch(collector.app, batch(key, visitor, events), { origin });
    // Wrote ten days ago, never came back.
    await send('visitor-old-lead', [pageview(now - 10 * DAY, `${origin}/`), formSubmit(now - 10 * DAY + MINUTE, `${origin}/contact`, { email: 'old@buyer.com', name: 'Old Buyer', company: 'Old Co' })]);
    // Wrote ten days ago and came back yesterday.
    await send('visitor-returning-lead', [pageview(now - 10 * DAY, `${origin}/`), formSubmit(now - 10 * DAY + MINUTE, `${origin}/contact`, { email: 'back@buyer.com' })]);
    await send('visitor-returning-lead', [pageview(now - DAY, `${origin}/pricing`)]);
    await send('visitor-old-anonymous', [pageview(now - 10 * DAY, `${origin}/`)]);
    await send('visitor-recent-anonymous', [pageview(now - DAY, `${origin}/`)]);
    if (retentionDays !== null) {
      const response = await collector.app.inject({ method: 'PATCH', url: `/api/sites/${key}`, payload: { retention_days: retentionDays }, headers: { cookie } });
      expect(response.statusCode, response.body).toBe(200);
    }
    return { key, send };
  }

  /** What is left of one site, table by table. */
  function remaining(collector: TestCollector, siteKey: string) {
    const count = (sql: string) => collector.database.prepare(sql).pluck().get(siteKey) as number;
    const siteVisitors = 'SELECT visitors.id FROM visitors JOIN sites ON sites.id = visitors.site_id WHERE sites.key = ?';
    return {
      events: count(`SELECT count(*) FROM events WHERE visitor_id IN (${siteVisitors})`),
      sessions: count(`SELECT count(*) FROM sessions WHERE visitor_id IN (${siteVisitors})`),
      visitors: count(`SELECT count(*) FROM visitors WHERE id IN (${siteVisitors})`),
      people: count('SELECT count(*) FROM people JOIN sites ON sites.id = people.site_id WHERE sites.key = ?'),
    };
  }

  const person = (collector: TestCollector, email: string) =>
    collector.database.prepare('SELECT id, email, name, company, session_count FROM people WHERE email = ?').get(email) as
      | { id: number; email: string; name: string | null; company: string | null; session_count: number }
      | undefined;

  it('deletes expired events and what they leave empty, keeps leads with their contact and browsers, and spares other sites', async () => {
    const { collector, cookie } = await start();
    const short = await seed(collector, cookie, 'acme-valves.com', 7);
    const forever = await seed(collector, cookie, 'acme-pumps.com', null);
    const before = remaining(collector, forever.key);
    expect(remaining(collector, short.key)).toEqual({ events: 7, sessions: 5, visitors: 4, people: 4 });

    const purged = await collector.repositories.retention.purgeExpired();
    expect(purged).toEqual({ events: 5, sessions: 3, people: 1, setAside: 0 });
    // Left: the returning lead's visit of yesterday and the recent anonymous visit; the old lead has
    // no visit but stays, with both leads' browsers; the old anonymous visitor is gone entirely.
    expect(remaining(collector, short.key)).toEqual({ events: 2, sessions: 2, visitors: 3, people: 3 });
    expect(person(collector, 'old@buyer.com')).toMatchObject({ name: 'Old Buyer', company: 'Old Co', session_count: 0 });
    expect(person(collector, 'back@buyer.com')).toMatchObject({ session_count: 1 });
    expect(remaining(collector, forever.key)).toEqual(before);

    // The old lead's trail and the people list still work, without visits.
    const oldLead = person(collector, 'old@buyer.com')!;
    const trail = await collector.app.inject({ url: `/api/people/${oldLead.id}/trail`, headers: { cookie } });
    expect(trail.json()).toMatchObject({ person: { email: 'old@buyer.com', first_touch: null }, sessions: [] });
    const list = (await collector.app.inject({ url: `/api/visitors?site=${short.key}&sort=sessions&order=asc`, headers: { cookie } })).json();
    expect(list.people[0]).toMatchObject({ email: 'old@buyer.com', sessions: 0 });

    // Their browser still belongs to them: a visit a year later continues the same lead.
    await short.send('visitor-old-lead', [pageview(now - MINUTE, `${SITE}/`)]);
    expect(person(collector, 'old@buyer.com')).toMatchObject({ id: oldLead.id, session_count: 1 });

    // A second purge finds nothing more.
    expect(await collector.repositories.retention.purgeExpired()).toEqual({ events: 0, sessions: 0, people: 0, setAside: 0 });
  });

  it('deletes the inbox records stitching set aside once they reach their site\'s retention, or the shortest when they name no site', async () => {
    const { collector, cookie } = await start();
    const short = await seed(collector, cookie, 'acme-valves.com', 7);
    const forever = await seed(collector, cookie, 'acme-pumps.com', null);
    const siteId = (key: string) => collector.database.prepare('SELECT id FROM sites WHERE key = ?').pluck().get(key) as number;
    const setAside = collector.database.prepare('INSERT INTO ingest_failures (failed_at, record, failure) VALUES (?, ?, ?)');
    const records: Array<[string, number, string]> = [
      ['a 7-day site\'s, 10 days old', now - 10 * DAY, JSON.stringify({ site: siteId(short.key), beacon: { visitor: 'visitor-x' } })],
      ['a 7-day site\'s, a day old', now - DAY, JSON.stringify({ site: siteId(short.key), beacon: { visitor: 'visitor-x' } })],
      ['a 7-day site\'s, kept by an older version (siteId), 10 days old', now - 10 * DAY, JSON.stringify({ siteId: siteId(short.key), events: [] })],
      ['a site\'s that keeps everything, 10 days old', now - 10 * DAY, JSON.stringify({ site: siteId(forever.key), beacon: {} })],
      ['not JSON, 10 days old', now - 10 * DAY, '{"site":'],
      ['not JSON, a day old', now - DAY, '{"site":'],
      ['of no site there is, 10 days old', now - 10 * DAY, JSON.stringify({ site: 999_999 })],
    ];
    for (const [name, failedAt, record] of records) setAside.run(failedAt, record, name);

    expect(await collector.repositories.retention.purgeExpired()).toMatchObject({ setAside: 4 });
    expect(collector.database.prepare('SELECT failure FROM ingest_failures ORDER BY id').pluck().all()).toEqual([
      'a 7-day site\'s, a day old',
      'a site\'s that keeps everything, 10 days old',
      'not JSON, a day old',
    ]);
  });

  it('runs when the app starts, and from the command line', async () => {
    const first = await start();
    const { key } = await seed(first.collector, first.cookie, 'acme-valves.com', 7);
    const databaseFile = first.collector.databaseFile;
    // Stopped before its hourly purge, the file keeps the expired rows (close() would also delete the temp folder).
    await first.collector.app.close();
    first.collector.database.close();
    collectors.splice(0);

    // Started again on the same file: the purge runs without being asked.
    const second = await start(databaseFile);
    await eventually(() => (remaining(second.collector, key).events === 2 ? true : undefined), 'the purge at start');
    expect(remaining(second.collector, key)).toEqual({ events: 2, sessions: 2, visitors: 3, people: 3 });

    await second.collector.repositories.sites.updateSite(key, { retentionDays: 1 });
    const command = await runCommand(['purge'], { LEADTRAIL_DB: databaseFile });
    expect(command.code, command.stderr).toBe(0);
    expect(command.stdout).toMatch(/Deleted 2 expired events, 2 visits left without events, 1 anonymous visitors left without visits and 0 expired records set aside by stitching/);
    expect(remaining(second.collector, key)).toEqual({ events: 0, sessions: 0, visitors: 2, people: 2 });
    await second.collector.close();
    collectors.splice(0);
    rmSync(dirname(databaseFile), { recursive: true, force: true });
  });
});
