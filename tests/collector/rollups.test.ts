/**
 * The overview's rollups (collector/repositories/rollups.ts) against a plain recount of the raw
 * tables, on the real app with a temp SQLite file: random traffic through /collect in waves (late
 * events, identification after the fact, browsers that change country or share an email), random
 * ranges, three time zones, erasure, and a time zone change.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batch, event, formSubmit, pageview } from '../helpers/batches.js';
import { createTestCollector, loginCookie, type TestCollector, postAcceptedBatch } from '../helpers/collector.js';
import type { WireEvent } from '../../collector/ingest/schema.js';
import type { OverviewJson } from '../../collector/routes/json-types.js';

const SITE = 'https://acme-valves.com';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** "Now" for these tests: its last 30 days hold Berlin's fall-back (25 October) and New York's (1 November). */
const NOW = Date.parse('2026-11-05T12:00:00Z');

/**
 * The oracle: everything the overview shows, recounted from sessions and events as the overview
 * counted before rollups (scanning the range), with days named by Intl in the site's zone.
 */
function recount(collector: TestCollector, siteKey: string, from: string, to: string) {
  const { id: siteId, time_zone: timeZone } = collector.database.prepare('SELECT id, time_zone FROM sites WHERE key = ?').get(siteKey) as { id: number; time_zone: string };
  const dateIn = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const inRange = (ms: number) => {
    const date = dateIn.format(ms);
    return date >= from && date <= to ? date : null;
  };
  const sessions = collector.database
    .prepare(`SELECT sessions.person_id AS person, sessions.started_at AS at, sessions.channel, sessions.source, visitors.ip_country AS country,
      people.email IS NOT NULL AS lead FROM sessions JOIN visitors ON visitors.id = sessions.visitor_id JOIN people ON people.id = sessions.person_id
      WHERE visitors.site_id = ?`)
    .all(siteId) as Array<{ person: number; at: number; channel: string; source: string | null; country: string | null; lead: number }>;
  const events = collector.database
    .prepare(`SELECT events.type, events.ts, events.visitor_id AS visitor, urls.url, urls.title, json_extract(events.data, '$.form') AS form,
      json_extract(events.data, '$.outcome') AS outcome FROM events JOIN visitors ON visitors.id = events.visitor_id JOIN urls ON urls.id = events.url_id
      WHERE visitors.site_id = ?`)
    .all(siteId) as Array<{ type: string; ts: number; visitor: number; url: string; title: string | null; form: string | null; outcome: string | null }>;

  const reach = () => ({ sessions: 0, people: new Set<number>(), leads: new Set<number>() });
  const add = (figures: ReturnType<typeof reach>, session: (typeof sessions)[number]) => {
    figures.sessions += 1;
    figures.people.add(session.person);
    if (session.lead) figures.leads.add(session.person);
  };
  const days = new Map<string, ReturnType<typeof reach> & { form_fills: number; chat_opens: number }>();
  const dayOf = (date: string) => days.get(date) ?? days.set(date, { ...reach(), form_fills: 0, chat_opens: 0 }).get(date)!;
  const totals = reach();
  const channels = new Map<string, ReturnType<typeof reach>>();
  const sources = new Map<string | null, ReturnType<typeof reach>>();
  const countries = new Map<string | null, Set<number>>();
  for (const session of sessions) {
    const date = inRange(session.at);
    if (!date) continue;
    add(totals, session);
    add(dayOf(date), session);
    add(channels.get(session.channel) ?? channels.set(session.channel, reach()).get(session.channel)!, session);
    add(sources.get(session.source) ?? sources.set(session.source, reach()).get(session.source)!, session);
    (countries.get(session.country) ?? countries.set(session.country, new Set()).get(session.country)!).add(session.person);
  }
  const pages = new Map<string, { title: string | null; pageviews: number; visitors: Set<number> }>();
  const forms = new Map<string | null, number>();
  let formFills = 0;
  let chatOpens = 0;
  for (const stored of events) {
    const date = inRange(stored.ts);
    if (!date) continue;
    if (stored.type === 'pageview') {
      const page = pages.get(stored.url) ?? pages.set(stored.url, { title: stored.title, pageviews: 0, visitors: new Set() }).get(stored.url)!;
      page.pageviews += 1;
      page.visitors.add(stored.visitor);
    } else if (stored.type === 'chat_open') {
      chatOpens += 1;
      dayOf(date).chat_opens += 1;
    } else if (stored.type === 'form_submit' && stored.outcome !== 'invalid') {
      formFills += 1;
      dayOf(date).form_fills += 1;
      forms.set(stored.form, (forms.get(stored.form) ?? 0) + 1);
    }
  }

  /** Largest first, ties by name in SQLite's binary order, null first; at most 10. */
  const top = <Row>(rows: Row[], figure: (row: Row) => number, name: (row: Row) => string | null) =>
    rows.sort((left, right) => figure(right) - figure(left) || ((name(left) ?? '') < (name(right) ?? '') ? -1 : (name(left) ?? '') > (name(right) ?? '') ? 1 : 0)).slice(0, 10);
  const reachJson = (figures: ReturnType<typeof reach>) => ({ sessions: figures.sessions, visitors: figures.people.size, leads: figures.leads.size });
  const dates: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += DAY) dates.push(new Date(ms).toISOString().slice(0, 10));
  return {
    time_zone: timeZone,
    totals: { ...reachJson(totals), form_fills: formFills, chat_opens: chatOpens, conversion_rate: totals.people.size > 0 ? totals.leads.size / totals.people.size : null },
    days: dates.map((date) => {
      const day = days.get(date);
      return { date, visitors: day?.people.size ?? 0, sessions: day?.sessions ?? 0, leads: day?.leads.size ?? 0, form_fills: day?.form_fills ?? 0, chat_opens: day?.chat_opens ?? 0 };
    }),
    channels: top([...channels].map(([channel, figures]) => ({ channel, ...reachJson(figures) })), (row) => row.sessions, (row) => row.channel),
    sources: top([...sources].map(([source, figures]) => ({ source, ...reachJson(figures) })), (row) => row.sessions, (row) => row.source),
    countries: top([...countries].map(([country, people]) => ({ country, visitors: people.size })), (row) => row.visitors, (row) => row.country),
    pages: top([...pages].map(([url, page]) => ({ url, title: page.title, pageviews: page.pageviews, visitors: page.visitors.size })), (row) => row.pageviews, (row) => row.url),
    forms: top([...forms].map(([form, fills]) => ({ form, fills })), (row) => row.fills, (row) => row.form),
  };
}

/** A fixed pseudo-random sequence: a failure replays the same traffic. */
function randomSequence(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

const ADDRESSES = { DE: '80.156.1.77', US: '8.8.8.8', BR: '200.147.67.142', none: '127.0.0.1' };
const ARRIVALS = [
  { query: '?utm_source=google&utm_medium=cpc&utm_campaign=valves', referrer: 'https://www.google.com/' },
  { query: '?utm_source=alibaba.com&utm_medium=referral', referrer: 'https://message.alibaba.com/' },
  { query: '', referrer: 'https://www.google.com/' },
  { query: '', referrer: 'https://www.linkedin.com/' },
  { query: '', referrer: '' },
];
const PAGES = ['/', '/products', '/products/ball-valves', '/products/gate-valves', '/about', '/contact'];
const EMAILS = ['li.wei@shenzhen-pumps.cn', 'ana@importadora-souza.com.br', 'j.smith@valves-us.com', 'k.mueller@rohrbau.de'];

describe('overview rollups', () => {
  let collector: TestCollector;
  let cookie: string;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    collector = await createTestCollector();
    cookie = await loginCookie(collector.app);
  });
  afterEach(async () => {
    await collector.close();
    vi.useRealTimers();
  });

  async function createSite(timeZone?: string): Promise<string> {
    const response = await collector.app.inject({
      method: 'POST',
      url: '/api/sites',
      payload: { name: 'Acme', domains: ['acme-valves.com'], ...(timeZone ? { time_zone: timeZone } : {}) },
      headers: { cookie },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().key;
  }

  /** `browser` names the visitor id (`visitor-…`: ids are at least 8 characters). */
  const collect = (siteKey: string, browser: string, events: WireEvent[], address = ADDRESSES.none) =>
    postAcceptedBatch(collector.app, batch(siteKey, `visitor-${browser}`, events), { 'x-forwarded-for': address });

  async function overview(siteKey: string, from: string, to: string): Promise<OverviewJson> {
    const response = await collector.app.inject({ url: `/api/overview?site=${siteKey}&from=${from}&to=${to}`, headers: { cookie } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  /** The overview of a range equals the recount of the raw tables, list by list. */
  async function expectRecount(siteKey: string, from: string, to: string) {
    const answer = await overview(siteKey, from, to);
    const expected = recount(collector, siteKey, from, to);
    for (const part of Object.keys(expected) as Array<keyof typeof expected>) expect(answer[part], `${part} of ${from} – ${to}`).toEqual(expected[part]);
  }

  const dateIn = (timeZone: string, ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

  describe.each(['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/New_York'])('in %s', (timeZone) => {
    it('equals a recount of the raw tables over random ranges, as traffic arrives late, identifies and moves', async () => {
      const siteKey = await createSite(timeZone);
      const random = randomSequence(timeZone.length * 7919);
      const pick = <Item>(items: Item[]) => items[Math.floor(random() * items.length)]!;

      // Each browser's visits at random times of the last 28 days; sent in two waves, and within a
      // wave not in time order, so later batches carry events older than ones already folded.
      const visits = Array.from({ length: 24 }, (_, browser) =>
        Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
          browser: String(browser),
          at: NOW - 28 * DAY + Math.floor(random() * 28 * DAY - HOUR),
          wave: random() < 0.6 ? 1 : 2,
          address: pick(Object.values(ADDRESSES)),
        })),
      ).flat();
      async function send(wave: number) {
        for (const visit of visits.filter((candidate) => candidate.wave === wave)) {
          const arrival = pick(ARRIVALS);
          const events: WireEvent[] = [pageview(visit.at, `${SITE}${pick(PAGES)}${arrival.query}`, arrival.referrer ? { referrer: arrival.referrer } : {})];
          for (let view = 1; view < 1 + Math.floor(random() * 4); view++) events.push(pageview(visit.at + view * MINUTE, `${SITE}${pick(PAGES)}`));
          if (random() < 0.3) events.push(event('chat_open', visit.at + 5 * MINUTE, `${SITE}/contact`, { provider: 'whatsapp', target: '8613800000000' }));
          if (random() < 0.35) {
            // Some fills fail validation, some forms have no name; an email identifies, and two
            // browsers with the same email become one person.
            const fields: Record<string, string> = random() < 0.7 ? { email: pick(EMAILS), name: 'Buyer' } : { name: 'Anonymous' };
            const form = pick(['contact', 'quote', undefined]);
            events.push(formSubmit(visit.at + 6 * MINUTE, `${SITE}/contact`, fields, { outcome: random() < 0.2 ? 'invalid' : 'success', form }));
          }
          await collect(siteKey, visit.browser, events, visit.address);
        }
      }

      const ranges = () => {
        const chosen = [[dateIn(timeZone, NOW - 29 * DAY), dateIn(timeZone, NOW)] as [string, string]];
        for (let count = 0; count < 5; count++) {
          const start = NOW - Math.floor(random() * 29) * DAY;
          chosen.push([dateIn(timeZone, start), dateIn(timeZone, Math.min(NOW, start + Math.floor(random() * 12) * DAY))]);
        }
        return chosen;
      };

      await send(1);
      for (const [from, to] of ranges()) await expectRecount(siteKey, from, to);
      await send(2);
      for (const [from, to] of ranges()) await expectRecount(siteKey, from, to);
    });
  });

  it('names days in the site zone across a daylight saving change: 25 October 2026 has 25 hours in Berlin', async () => {
    const siteKey = await createSite('Europe/Berlin');
    // 00:30 on the 25th (UTC+2), 23:30 on the 25th after the change (UTC+1), and 00:30 on the 26th.
    await collect(siteKey, 'early', [pageview(Date.parse('2026-10-24T22:30:00Z'), `${SITE}/`)]);
    await collect(siteKey, 'late', [pageview(Date.parse('2026-10-25T22:30:00Z'), `${SITE}/`)]);
    await collect(siteKey, 'next', [pageview(Date.parse('2026-10-25T23:30:00Z'), `${SITE}/`)]);
    const body = await overview(siteKey, '2026-10-24', '2026-10-26');
    expect(body.time_zone).toBe('Europe/Berlin');
    expect(body.days.map((day) => [day.date, day.sessions])).toEqual([['2026-10-24', 0], ['2026-10-25', 2], ['2026-10-26', 1]]);
  });

  it('names days in a half-hour zone: Kolkata midnight is 18:30 UTC', async () => {
    const siteKey = await createSite('Asia/Kolkata');
    await collect(siteKey, 'before', [pageview(Date.parse('2026-11-01T18:29:00Z'), `${SITE}/`)]);
    await collect(siteKey, 'after', [pageview(Date.parse('2026-11-01T18:30:00Z'), `${SITE}/`)]);
    const body = await overview(siteKey, '2026-11-01', '2026-11-02');
    expect(body.days.map((day) => [day.date, day.visitors])).toEqual([['2026-11-01', 1], ['2026-11-02', 1]]);
  });

  it('counts a late event on its own, older day', async () => {
    const siteKey = await createSite();
    const old = NOW - 10 * DAY;
    await collect(siteKey, 'buyer', [pageview(NOW - HOUR, `${SITE}/`)]);
    expect((await overview(siteKey, dateIn('UTC', old), dateIn('UTC', old))).totals.chat_opens).toBe(0);
    // A retry store sends what an offline browser kept ten days ago.
    await collect(siteKey, 'buyer', [event('chat_open', old, `${SITE}/contact`, { provider: 'whatsapp', target: '8613800000000' })]);
    const body = await overview(siteKey, dateIn('UTC', old), dateIn('UTC', NOW));
    expect(body.days[0]).toMatchObject({ date: dateIn('UTC', old), chat_opens: 1, sessions: 1 });
    await expectRecount(siteKey, dateIn('UTC', old), dateIn('UTC', NOW));
  });

  it('makes a visitor identified after the fact a lead on the days of their earlier visits', async () => {
    const siteKey = await createSite();
    const firstVisit = NOW - 5 * DAY;
    const firstDay = dateIn('UTC', firstVisit);
    await collect(siteKey, 'buyer', [pageview(firstVisit, `${SITE}/products`)]);
    expect((await overview(siteKey, firstDay, firstDay)).totals).toMatchObject({ visitors: 1, leads: 0 });

    // The inquiry of that same visit arrives later (the browser was offline): no new session, the
    // person just gets an email.
    await collect(siteKey, 'buyer', [formSubmit(firstVisit + 2 * MINUTE, `${SITE}/contact`, { email: 'li.wei@shenzhen-pumps.cn' })]);
    expect((await overview(siteKey, firstDay, firstDay)).totals).toMatchObject({ visitors: 1, sessions: 1, leads: 1, conversion_rate: 1 });

    // A second browser of the same buyer, anonymous until it identifies with the same email: then
    // its earlier visit belongs to the one person.
    await collect(siteKey, 'buyer-phone', [pageview(firstVisit + HOUR, `${SITE}/`)]);
    expect((await overview(siteKey, firstDay, firstDay)).totals).toMatchObject({ visitors: 2, leads: 1 });
    await collect(siteKey, 'buyer-phone', [formSubmit(NOW - MINUTE, `${SITE}/contact`, { email: 'li.wei@shenzhen-pumps.cn' })]);
    expect((await overview(siteKey, firstDay, firstDay)).totals).toMatchObject({ visitors: 1, sessions: 2, leads: 1 });
    await expectRecount(siteKey, firstDay, dateIn('UTC', NOW));
  });

  it("moves a browser's visits to its new IP country", async () => {
    const siteKey = await createSite();
    const today = dateIn('UTC', NOW);
    await collect(siteKey, 'traveller', [pageview(NOW - 10 * MINUTE, `${SITE}/`)], ADDRESSES.DE);
    expect((await overview(siteKey, today, today)).countries).toEqual([{ country: 'DE', visitors: 1 }]);
    // The same visit goes on from another network: the browser's country is the latest one.
    await collect(siteKey, 'traveller', [pageview(NOW - 5 * MINUTE, `${SITE}/products`)], ADDRESSES.US);
    expect((await overview(siteKey, today, today)).countries).toEqual([{ country: 'US', visitors: 1 }]);
    await expectRecount(siteKey, today, today);
  });

  it('takes an erased person out of every rollup, and keeps counting what arrives after', async () => {
    const siteKey = await createSite();
    const from = dateIn('UTC', NOW - 3 * DAY);
    const to = dateIn('UTC', NOW);
    await collect(siteKey, 'reader', [pageview(NOW - 2 * DAY, `${SITE}/`), pageview(NOW - 2 * DAY + MINUTE, `${SITE}/products`)], ADDRESSES.DE);
    // The buyer's events are the newest: erasing them frees the highest event ids for reuse.
    await collect(siteKey, 'buyer', [
      pageview(NOW - DAY, `${SITE}/products`),
      event('chat_open', NOW - DAY + MINUTE, `${SITE}/products`, { provider: 'whatsapp', target: '8613800000000' }),
      formSubmit(NOW - DAY + 2 * MINUTE, `${SITE}/contact`, { email: 'li.wei@shenzhen-pumps.cn' }, { form: 'quote' }),
    ], ADDRESSES.BR);
    expect((await overview(siteKey, from, to)).totals).toMatchObject({ visitors: 2, leads: 1, form_fills: 1, chat_opens: 1 });

    const buyer = collector.database.prepare('SELECT id FROM people WHERE email IS NOT NULL').pluck().get() as number;
    const buyerBrowser = collector.database.prepare("SELECT id FROM visitors WHERE client_id = 'visitor-buyer'").pluck().get() as number;
    expect((await collector.app.inject({ method: 'DELETE', url: `/api/people/${buyer}`, headers: { cookie } })).statusCode).toBe(204);
    const body = await overview(siteKey, from, to);
    expect(body.totals).toMatchObject({ visitors: 1, sessions: 1, leads: 0, form_fills: 0, chat_opens: 0 });
    expect(body.forms).toEqual([]);
    expect(body.countries).toEqual([{ country: 'DE', visitors: 1 }]);
    await expectRecount(siteKey, from, to);
    expect(collector.database.prepare('SELECT count(*) FROM rollup_visits WHERE person_id = ?').pluck().get(buyer)).toBe(0);
    expect(collector.database.prepare('SELECT count(*) FROM rollup_page_visitors WHERE visitor_id = ?').pluck().get(buyerBrowser)).toBe(0);

    await collect(siteKey, 'newcomer', [pageview(NOW - MINUTE, `${SITE}/about`), event('chat_open', NOW, `${SITE}/about`, { provider: 'tel', target: '+49301234567' })]);
    expect((await overview(siteKey, from, to)).totals).toMatchObject({ visitors: 2, chat_opens: 1 });
    await expectRecount(siteKey, from, to);
  });

  it('takes out a person erased by email (leadtrail erase) before the rollups saw them', async () => {
    const siteKey = await createSite();
    const today = dateIn('UTC', NOW);
    await collect(siteKey, 'reader', [pageview(NOW - HOUR, `${SITE}/`)]);
    await overview(siteKey, today, today);
    await collect(siteKey, 'buyer', [formSubmit(NOW - MINUTE, `${SITE}/contact`, { email: 'ana@importadora-souza.com.br' })]);
    expect(await collector.repositories.people.erasePeopleByEmail('ana@importadora-souza.com.br')).toBe(1);
    expect((await overview(siteKey, today, today)).totals).toMatchObject({ visitors: 1, leads: 0, form_fills: 0 });
    await expectRecount(siteKey, today, today);
  });

  it('rebuilds a site in its new time zone when the zone changes, and on demand', async () => {
    const siteKey = await createSite('UTC');
    // 20:00 UTC: the same evening in UTC, already the next morning in Kolkata (UTC+5:30).
    const evening = Date.parse('2026-11-02T20:00:00Z');
    await collect(siteKey, 'buyer', [pageview(evening, `${SITE}/`), formSubmit(evening + MINUTE, `${SITE}/contact`, { email: 'j.smith@valves-us.com' })]);
    const before = await overview(siteKey, '2026-11-02', '2026-11-03');
    expect(before.days.map((day) => [day.date, day.sessions, day.form_fills])).toEqual([['2026-11-02', 1, 1], ['2026-11-03', 0, 0]]);

    // No route edits a site here (the settings screen will): the column is the source of truth.
    collector.database.prepare("UPDATE sites SET time_zone = 'Asia/Kolkata' WHERE key = ?").run(siteKey);
    const after = await overview(siteKey, '2026-11-02', '2026-11-03');
    expect(after.time_zone).toBe('Asia/Kolkata');
    expect(after.days.map((day) => [day.date, day.sessions, day.form_fills])).toEqual([['2026-11-02', 0, 0], ['2026-11-03', 1, 1]]);
    await expectRecount(siteKey, '2026-10-10', '2026-11-05');

    const siteId = collector.database.prepare('SELECT id FROM sites WHERE key = ?').pluck().get(siteKey) as number;
    collector.database.exec('DELETE FROM rollup_days; DELETE FROM rollup_visits');
    await collector.repositories.rollups.rebuildSiteRollups(siteId);
    await expectRecount(siteKey, '2026-10-10', '2026-11-05');
  });

  it('folds once: a second refresh with nothing new changes nothing', async () => {
    const siteKey = await createSite();
    await collect(siteKey, 'buyer', [pageview(NOW - HOUR, `${SITE}/`)]);
    await collector.repositories.rollups.refreshRollups();
    expect(collector.database.prepare('SELECT count(*) FROM rollup_dirty_people').pluck().get()).toBe(0);
    expect(collector.database.prepare('SELECT sum(pageviews) FROM rollup_pages').pluck().get()).toBe(1);
    await collector.repositories.rollups.refreshRollups();
    expect(collector.database.prepare('SELECT sum(pageviews) FROM rollup_pages').pluck().get()).toBe(1);
  });
});
