/** `GET /api/overview` on the real app with a temp SQLite file: counts come from what /collect stored. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BASE_TIME, MINUTE, batch, event, formSubmit, pageview } from '../helpers/batches.js';
import { createCollectorWithSite, type TestCollector, postAcceptedBatch } from '../helpers/collector.js';
import type { WireEvent } from '../../collector/ingest/schema.js';

const SITE = 'https://acme-valves.com';
const DAY = 24 * 60 * MINUTE;
/** Noon (UTC) of the day two days ago and of the next day: visits minutes apart never cross midnight. */
const DAY_ONE_NOON = Math.floor(BASE_TIME / DAY) * DAY + 12 * 60 * MINUTE;
const DAY_TWO_NOON = DAY_ONE_NOON + DAY;
const dateOf = (milliseconds: number) => new Date(milliseconds).toISOString().slice(0, 10);
const DAY_ONE = dateOf(DAY_ONE_NOON);
const DAY_TWO = dateOf(DAY_TWO_NOON);

describe('GET /api/overview', () => {
  let collector: TestCollector;
  let cookie: string;
  let siteKey: string;

  beforeEach(async () => {
    ({ collector, cookie, siteKey } = await createCollectorWithSite());
  });
  afterEach(() => collector.close());

  const overview = (query: string) => collector.app.inject({ url: `/api/overview?${query}`, headers: { cookie } });

  const collect = (visitor: string, events: WireEvent[], headers: Record<string, string> = {}) => postAcceptedBatch(collector.app, batch(siteKey, visitor, events), headers);

  /** Day one: an anonymous reader from Germany, a buyer who sends an inquiry, a chat that also fails a form. Day two: the buyer returns. */
  async function seedTwoDays() {
    await collect('visitor-reader', [pageview(DAY_ONE_NOON, `${SITE}/`), pageview(DAY_ONE_NOON + MINUTE, `${SITE}/products`)], {
      'x-forwarded-for': '80.156.1.77',
    });
    await collect('visitor-buyer', [
      pageview(DAY_ONE_NOON, `${SITE}/products?utm_source=google&utm_medium=cpc&utm_campaign=valves`),
      formSubmit(DAY_ONE_NOON + MINUTE, `${SITE}/contact`, { email: 'li.wei@shenzhen-pumps.cn', name: '李伟' }),
    ]);
    await collect('visitor-chatter', [
      pageview(DAY_ONE_NOON, `${SITE}/products`),
      event('chat_open', DAY_ONE_NOON + MINUTE, `${SITE}/products`, { provider: 'whatsapp', target: '8613800000000' }),
      formSubmit(DAY_ONE_NOON + 2 * MINUTE, `${SITE}/contact`, { name: 'x' }, { outcome: 'invalid' }),
    ]);
    await collect('visitor-buyer', [pageview(DAY_TWO_NOON, `${SITE}/`)]);
  }

  it('counts visitors, sessions, leads, form fills and chat opens, with the conversion rate', async () => {
    await seedTwoDays();
    const response = await overview(`site=${siteKey}&from=${DAY_ONE}&to=${DAY_TWO}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ site: siteKey, from: DAY_ONE, to: DAY_TWO, time_zone: 'UTC' });
    // The buyer's return is a second session but the same visitor and the same lead.
    expect(body.totals).toEqual({ visitors: 3, sessions: 4, leads: 1, form_fills: 1, chat_opens: 1, conversion_rate: 1 / 3 });
    expect(body.days).toEqual([
      { date: DAY_ONE, visitors: 3, sessions: 3, leads: 1, form_fills: 1, chat_opens: 1 },
      { date: DAY_TWO, visitors: 1, sessions: 1, leads: 1, form_fills: 0, chat_opens: 0 },
    ]);
  });

  it('lists the top channels, sources, countries, pages and forms, largest first', async () => {
    await seedTwoDays();
    const body = (await overview(`site=${siteKey}&from=${DAY_ONE}&to=${DAY_TWO}`)).json();
    expect(body.channels).toEqual([
      { channel: 'direct', sessions: 3, visitors: 3, leads: 1 },
      { channel: 'paid_search', sessions: 1, visitors: 1, leads: 1 },
    ]);
    expect(body.sources).toEqual([
      { source: null, sessions: 3, visitors: 3, leads: 1 },
      { source: 'google', sessions: 1, visitors: 1, leads: 1 },
    ]);
    // The chatter's failed submission is no fill.
    expect(body.forms).toEqual([{ form: 'contact', fills: 1 }]);
    expect(body.countries).toEqual([
      { country: null, visitors: 2 },
      { country: 'DE', visitors: 1 },
    ]);
    // Pages are whole URLs: the ad landing with its UTM query is a page of its own (ties by URL).
    expect(body.pages).toEqual([
      { url: `${SITE}/`, title: null, pageviews: 2, visitors: 2 },
      { url: `${SITE}/products`, title: null, pageviews: 2, visitors: 2 },
      { url: `${SITE}/products?utm_source=google&utm_medium=cpc&utm_campaign=valves`, title: null, pageviews: 1, visitors: 1 },
    ]);
  });

  it('fills every day of the range, counts only what falls inside it, and defaults to the last 30 days', async () => {
    await seedTwoDays();
    const dayTwoOnly = (await overview(`site=${siteKey}&from=${DAY_TWO}&to=${DAY_TWO}`)).json();
    expect(dayTwoOnly.totals).toEqual({ visitors: 1, sessions: 1, leads: 1, form_fills: 0, chat_opens: 0, conversion_rate: 1 });

    const empty = (await overview(`site=${siteKey}&from=2020-02-27&to=2020-03-01`)).json();
    expect(empty.days.map((day: { date: string }) => day.date)).toEqual(['2020-02-27', '2020-02-28', '2020-02-29', '2020-03-01']);
    expect(empty.totals).toEqual({ visitors: 0, sessions: 0, leads: 0, form_fills: 0, chat_opens: 0, conversion_rate: null });

    const recent = (await overview(`site=${siteKey}`)).json();
    expect(recent.days).toHaveLength(30);
    expect(recent.to).toBe(dateOf(Date.now()));
    expect(recent.totals.sessions).toBe(4);
  });

  it('answers a bad range with 400, an unknown site with 404, and no session with 401', async () => {
    for (const query of [`site=${siteKey}&from=2026-13-01`, `site=${siteKey}&from=yesterday`, `site=${siteKey}&from=2026-02-10&to=2026-02-01`, `site=${siteKey}&from=2020-01-01&to=2026-01-01`]) {
      const response = await overview(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json()).toHaveProperty('error');
    }
    expect((await overview('')).statusCode).toBe(400);
    expect((await overview('site=nope')).statusCode).toBe(404);
    expect((await collector.app.inject({ url: `/api/overview?site=${siteKey}` })).statusCode).toBe(401);
  });

  it('counts the people on the site in the last five minutes', async () => {
    await collect('visitor-earlier', [pageview(Date.now() - 10 * MINUTE, `${SITE}/`)]);
    await collect('visitor-now', [pageview(Date.now() - MINUTE, `${SITE}/`)]);
    const response = await collector.app.inject({ url: `/api/overview/now?site=${siteKey}`, headers: { cookie } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ visitors: 1, minutes: 5 });
    expect((await collector.app.inject({ url: '/api/overview/now?site=nope', headers: { cookie } })).statusCode).toBe(404);
  });

  it('keeps each site to itself', async () => {
    await seedTwoDays();
    const other = await collector.app.inject({ method: 'POST', url: '/api/sites', payload: { name: 'Other', domains: ['other.example'] }, headers: { cookie } });
    const body = (await overview(`site=${other.json().key}&from=${DAY_ONE}&to=${DAY_TWO}`)).json();
    expect(body.totals).toMatchObject({ visitors: 0, sessions: 0, form_fills: 0, chat_opens: 0 });
    expect(body.pages).toEqual([]);
  });
});
