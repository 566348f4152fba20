/**
 * Sessions and people (SPEC §5), driven through POST /collect on the real app and read back
 * through the repositories the API uses.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../collector/ingest/schema.js';
import { BASE_TIME, MINUTE, batch, event, formSubmit, identify, pageview } from '../helpers/batches.js';
import { createTestCollector, type TestCollector, postAcceptedBatch } from '../helpers/collector.js';
import { storedVisits } from '../helpers/stored-events.js';

const SITE = 'https://acme-valves.com';
const HOUR = 60 * MINUTE;

describe('stitching', () => {
  let collector: TestCollector;
  let siteKey: string;
  let siteId: number;

  beforeEach(async () => {
    collector = await createTestCollector();
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme-valves.com'] });
    siteKey = site.key;
    siteId = site.id;
  });
  afterEach(() => collector.close());

  const send = (visitor: string, events: WireEvent[], options: { clockSkew?: number; transit?: number } = {}) => postAcceptedBatch(collector.app, batch(siteKey, visitor, events, options));

  const personIdByEmail = (email: string) =>
    collector.database.prepare('SELECT id FROM people WHERE email = ?').pluck().get(email) as number | undefined;
  const personIdOfVisitor = (clientId: string) =>
    collector.database.prepare('SELECT person_id FROM visitors WHERE client_id = ?').pluck().get(clientId) as number;
  const trailOf = async (personId: number) => (await collector.repositories.people.findTrail(personId))!;
  /** A browser's visits in order, each as its person's email, its channel and its events' minutes after BASE_TIME. */
  const visitsOf = (clientId: string) =>
    storedVisits(collector, clientId).map((visit) => `${visit.email ?? 'anonymous'} ${visit.channel}: ${visit.minutes.join(' ')}`);
  const urlsOf = (trail: Awaited<ReturnType<typeof trailOf>>) => trail.sessions.flatMap((session) => session.events.map((item) => `${item.type} ${item.url}`));

  describe('sessions', () => {
    it.each([
      { case: '29 minutes apart stay one session', gap: 29 * MINUTE, sessions: 1 },
      { case: '31 minutes apart are two sessions', gap: 31 * MINUTE, sessions: 2 },
    ])('$case', async ({ gap, sessions }) => {
      await send('visitor-a', [pageview(BASE_TIME, `${SITE}/`), pageview(BASE_TIME + gap, `${SITE}/valves`)]);
      const trail = await trailOf(personIdOfVisitor('visitor-a'));
      expect(trail.sessions).toHaveLength(sessions);
    });

    it('ends a session after 24 hours even without a 30-minute pause', async () => {
      const events = Array.from({ length: 26 * 3 }, (_, index) => pageview(BASE_TIME - 24 * HOUR + index * 20 * MINUTE, `${SITE}/p${index}`));
      await send('visitor-a', events);
      const trail = await trailOf(personIdOfVisitor('visitor-a'));
      expect(trail.sessions).toHaveLength(2);
      expect(trail.sessions[0]!.endedAt - trail.sessions[0]!.startedAt).toBeLessThan(24 * HOUR);
    });

    it('starts a new session when a new campaign arrives mid-visit, but not for a later page without parameters', async () => {
      await send('visitor-a', [
        pageview(BASE_TIME, `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=nov`),
        pageview(BASE_TIME + MINUTE, `${SITE}/valves`, { referrer: `${SITE}/` }),
        pageview(BASE_TIME + 2 * MINUTE, `${SITE}/valves?gclid=Cj0KCQ`, { referrer: 'https://www.google.com/' }),
        pageview(BASE_TIME + 3 * MINUTE, `${SITE}/contact`, { referrer: `${SITE}/valves` }),
      ]);
      const trail = await trailOf(personIdOfVisitor('visitor-a'));
      expect(trail.sessions.map((session) => [session.channel, session.events.length])).toEqual([
        ['email', 2],
        ['paid_search', 2],
      ]);
      expect(trail.sessions[1]!.clickIds).toEqual({ gclid: 'Cj0KCQ' });
    });

    it('makes one visit of two that a late event brings within 30 minutes of each other, but not of two campaigns', async () => {
      await send('visitor-a', [pageview(BASE_TIME, `${SITE}/`), pageview(BASE_TIME + 10 * MINUTE, `${SITE}/valves`)]);
      await send('visitor-a', [pageview(BASE_TIME + 50 * MINUTE, `${SITE}/pumps`), pageview(BASE_TIME + 55 * MINUTE, `${SITE}/contact`)]);
      await send('visitor-a', [pageview(BASE_TIME + 2 * HOUR, `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=dec`), pageview(BASE_TIME + 2 * HOUR + 5 * MINUTE, `${SITE}/valves`)]);
      expect((await trailOf(personIdOfVisitor('visitor-a'))).sessions).toHaveLength(3);
      const overviewVisits = async () => {
        await collector.repositories.rollups.refreshRollups();
        return collector.database.prepare('SELECT sum(sessions) FROM rollup_visits WHERE person_id = ?').pluck().get(personIdOfVisitor('visitor-a'));
      };
      expect(await overviewVisits()).toBe(3);
      // Retried late: the engagement of the valves page, and one between the second visit and the newsletter's.
      await send('visitor-a', [event('engagement', BASE_TIME + 30 * MINUTE, `${SITE}/valves`, { seconds: 40 }), event('engagement', BASE_TIME + 85 * MINUTE, `${SITE}/contact`, { seconds: 20 })]);
      const trail = await trailOf(personIdOfVisitor('visitor-a'));
      expect(trail.sessions.map((session) => [session.channel, session.events.length])).toEqual([
        ['direct', 6],
        ['email', 2],
      ]);
      // From the first page view to the late engagement (each batch's clock correction moves times by milliseconds).
      expect(Math.round((trail.sessions[0]!.endedAt - trail.sessions[0]!.startedAt) / MINUTE)).toBe(85);
      expect(collector.database.prepare('SELECT session_count FROM people WHERE id = ?').pluck().get(personIdOfVisitor('visitor-a'))).toBe(2);
      expect(await overviewVisits()).toBe(2);
    });

    it.each([
      ['a campaign name from a search', `${SITE}/?utm_campaign=expo`, 'https://www.google.com/', 'organic_search'],
      ['a Facebook click id from Instagram', `${SITE}/?fbclid=IwAR0abc`, 'https://l.instagram.com/', 'organic_social'],
    ])('keeps one session for a partly tagged landing (%s) whose query a single-page app keeps on its routes', async (_label, landingUrl, referrer, channel) => {
      await send('visitor-a', [
        pageview(BASE_TIME, landingUrl, { referrer }),
        pageview(BASE_TIME + MINUTE, `${landingUrl}#/products`, { referrer: landingUrl }),
        pageview(BASE_TIME + 2 * MINUTE, `${landingUrl}#/contact`, { referrer: `${landingUrl}#/products` }),
      ]);
      const trail = await trailOf(personIdOfVisitor('visitor-a'));
      expect(trail.sessions.map((session) => [session.channel, session.events.length])).toEqual([[channel, 3]]);
    });

    it('places late, out-of-order and duplicated batches in the sessions they belong to', async () => {
      const landing = pageview(BASE_TIME, `${SITE}/?utm_source=alibaba.com&utm_medium=referral`, { referrer: 'https://message.alibaba.com/' });
      const second = pageview(BASE_TIME + 5 * MINUTE, `${SITE}/valves`, { referrer: `${SITE}/` });
      const nextDay = pageview(BASE_TIME + 26 * HOUR, `${SITE}/`);
      // The later batches arrive first; the landing page view comes last, and twice.
      await send('visitor-a', [nextDay]);
      await send('visitor-a', [second]);
      await send('visitor-a', [landing]);
      await send('visitor-a', [landing, second]);
      const trail = await trailOf(personIdOfVisitor('visitor-a'));
      expect(trail.sessions.map((session) => session.events.length)).toEqual([2, 1]);
      expect(trail.sessions[0]).toMatchObject({ channel: 'b2b_marketplace', landingPage: landing.url });
      expect(collector.database.prepare('SELECT count(*) FROM events').pluck().get()).toBe(3);
    });

    // The ad's landing page view is retried after the pages that followed it were stored in the
    // visit it interrupted: those pages came after the ad click, so they belong to its visit.
    const adLanding = () => pageview(BASE_TIME + 10 * MINUTE, `${SITE}/?gclid=Cj0KCQ`, { referrer: 'https://www.google.com/' });
    it.each([
      {
        case: 'pages without parameters, stored in the direct visit it interrupted',
        later: [
          pageview(BASE_TIME + 11 * MINUTE, `${SITE}/valves`, { referrer: `${SITE}/` }),
          event('engagement', BASE_TIME + 12 * MINUTE, `${SITE}/valves`, { seconds: 40 }),
          pageview(BASE_TIME + 13 * MINUTE, `${SITE}/contact`, { referrer: `${SITE}/valves` }),
        ],
      },
      {
        case: 'a page that kept the ad’s query (it opened the ad’s visit) and one before it in the direct visit',
        later: [
          pageview(BASE_TIME + 11 * MINUTE, `${SITE}/valves`, { referrer: `${SITE}/` }),
          pageview(BASE_TIME + 12 * MINUTE, `${SITE}/valves?gclid=Cj0KCQ`, { referrer: `${SITE}/valves` }),
          pageview(BASE_TIME + 13 * MINUTE, `${SITE}/contact`, { referrer: `${SITE}/valves` }),
        ],
      },
      {
        case: 'pages that now reach, within 30 minutes, a later visit from the same ad',
        later: [
          pageview(BASE_TIME + 11 * MINUTE, `${SITE}/valves`, { referrer: `${SITE}/` }),
          pageview(BASE_TIME + 25 * MINUTE, `${SITE}/pumps`, { referrer: `${SITE}/valves` }),
          pageview(BASE_TIME + 40 * MINUTE, `${SITE}/contact`, { referrer: `${SITE}/pumps` }),
          pageview(BASE_TIME + 45 * MINUTE, `${SITE}/?gclid=Cj0KCQ`, { referrer: 'https://www.google.com/' }),
          pageview(BASE_TIME + 46 * MINUTE, `${SITE}/valves`, { referrer: `${SITE}/` }),
        ],
        paidEvents: 6,
        paidMinutes: 36,
      },
    ])('gives a late ad landing the pages stored after it: $case', async ({ later, paidEvents = 4, paidMinutes = 3 }) => {
      await send('visitor-a', [pageview(BASE_TIME, `${SITE}/`)]);
      await send('visitor-a', later);
      await send('visitor-a', [adLanding()]);
      const personId = personIdOfVisitor('visitor-a');
      const trail = await trailOf(personId);
      expect(trail.sessions.map((session) => [session.channel, session.events.length])).toEqual([
        ['direct', 1],
        ['paid_search', paidEvents],
      ]);
      const [direct, paid] = trail.sessions;
      expect(paid).toMatchObject({ landingPage: `${SITE}/?gclid=Cj0KCQ`, clickIds: { gclid: 'Cj0KCQ' } });
      expect(Math.round((paid!.endedAt - paid!.startedAt) / MINUTE)).toBe(paidMinutes);
      expect(direct!.endedAt).toBe(direct!.startedAt);
      expect(collector.database.prepare('SELECT session_count FROM people WHERE id = ?').pluck().get(personId)).toBe(2);
      await collector.repositories.rollups.refreshRollups();
      expect(collector.database.prepare('SELECT sum(sessions) FROM rollup_visits WHERE person_id = ?').pluck().get(personId)).toBe(2);
    });

    // The buyer came from the newsletter, clicked an ad (its landing is retried late), then went back
    // to the newsletter's tab and on from there: in order, that return opened a third visit.
    const newsletter = `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=nov`;
    it.each([
      { case: 'the last visit', after: [], sessions: [['email', 1], ['paid_search', 2], ['email', 2]] },
      {
        case: 'a later visit from the same ad, which it does not reach across the return',
        after: [pageview(BASE_TIME + 20 * MINUTE, `${SITE}/?gclid=Cj0KCQ`, { referrer: 'https://www.google.com/' }), pageview(BASE_TIME + 21 * MINUTE, `${SITE}/pumps`, { referrer: `${SITE}/` })],
        sessions: [['email', 1], ['paid_search', 2], ['email', 2], ['paid_search', 2]],
      },
    ])('ends a late ad landing’s visit where a stored page view brought back the campaign it interrupted, before $case', async ({ after, sessions }) => {
      await send('visitor-a', [
        pageview(BASE_TIME, newsletter, { referrer: 'https://mail.google.com/' }),
        pageview(BASE_TIME + 11 * MINUTE, `${SITE}/valves`, { referrer: `${SITE}/` }),
        pageview(BASE_TIME + 12 * MINUTE, newsletter, { referrer: `${SITE}/valves` }),
        pageview(BASE_TIME + 13 * MINUTE, `${SITE}/contact`, { referrer: newsletter }),
        ...after,
      ]);
      await send('visitor-a', [adLanding()]);
      const personId = personIdOfVisitor('visitor-a');
      const trail = await trailOf(personId);
      expect(trail.sessions.map((session) => [session.channel, session.events.length])).toEqual(sessions);
      const [, paid, returned] = trail.sessions;
      expect(urlsOf({ ...trail, sessions: [paid!] })).toEqual([`pageview ${SITE}/?gclid=Cj0KCQ`, `pageview ${SITE}/valves`]);
      // In minutes after the first page view (the clocks add a few milliseconds of transit).
      const minutes = (at: number) => Math.round((at - BASE_TIME) / MINUTE);
      expect(returned).toMatchObject({ channel: 'email', landingPage: newsletter });
      expect([paid!, returned!].map((session) => [minutes(session.startedAt), minutes(session.endedAt)])).toEqual([[10, 11], [12, 13]]);
      expect(collector.database.prepare('SELECT session_count FROM people WHERE id = ?').pluck().get(personId)).toBe(sessions.length);
      await collector.repositories.rollups.refreshRollups();
      expect(collector.database.prepare('SELECT sum(sessions) FROM rollup_visits WHERE person_id = ?').pluck().get(personId)).toBe(sessions.length);
    });

    // Each case: batches as they arrived (the last ones late), against the same events sent one at a
    // time in order to another browser — by default sorted by time, or as `inOrder` says for events
    // of one millisecond. Both browsers keep their first batch's clock: later batches spent longer in
    // transit (clock.ts), so events of one millisecond stay so.
    const ad = `${SITE}/?gclid=Cj0KCQ`;
    const adClick = (minute: number) => pageview(BASE_TIME + minute * MINUTE, ad, { referrer: 'https://www.google.com/' });
    const page = (minute: number, path: string) => pageview(BASE_TIME + minute * MINUTE, `${SITE}${path}`, { referrer: `${SITE}/` });
    const newsletterClick = (minute: number) => pageview(BASE_TIME + minute * MINUTE, newsletter, { referrer: 'https://mail.google.com/' });
    it.each([
      {
        case: 'a late ad landing in the millisecond of a stored return of the campaign it interrupted',
        batches: [[newsletterClick(0), page(11, '/valves'), newsletterClick(12), page(13, '/contact')], [adClick(12)]],
        inOrder: [newsletterClick(0), page(11, '/valves'), adClick(12), newsletterClick(12), page(13, '/contact')],
        visits: ['anonymous email: 0 11', 'anonymous paid_search: 12', 'anonymous email: 12 13'],
      },
      {
        case: 'a late ad landing before a return whose visit now reaches the visit that the 24-hour limit split off',
        batches: [
          Array.from({ length: 74 }, (_, index) => index * 20).map((minute) => (minute === 0 || minute === 1400 ? newsletterClick(minute) : page(minute, `/p${minute}`))),
          [adClick(1390)],
        ],
        visits: [`anonymous email: ${Array.from({ length: 70 }, (_, index) => index * 20).join(' ')}`, 'anonymous paid_search: 1390', 'anonymous email: 1400 1420 1440 1460'],
      },
      {
        case: 'a late page view that closes the gaps to two stored visits',
        batches: [[newsletterClick(0)], [page(35, '/a'), page(38, '/b')], [newsletterClick(60)], [page(10, '/valves')]],
        visits: ['anonymous email: 0 10 35 38 60'],
      },
    ])('stores $case as in order', async ({ batches, inOrder, visits }) => {
      for (const [index, events] of batches.entries()) await send('visitor-late', events, { transit: index === 0 ? 0 : 500 });
      for (const [index, item] of (inOrder ?? batches.flat().sort((a, b) => a.ts - b.ts)).entries()) await send('visitor-in-order', [item], { transit: index === 0 ? 0 : 500 });
      expect(visitsOf('visitor-late')).toEqual(visitsOf('visitor-in-order'));
      expect(visitsOf('visitor-late')).toEqual(visits);
    });

    it('orders events by corrected time when browser clocks are hours off', async () => {
      await send('visitor-fast', [pageview(BASE_TIME, `${SITE}/a`)], { clockSkew: 5 * HOUR });
      await send('visitor-fast', [pageview(BASE_TIME + 10 * MINUTE, `${SITE}/b`)], { clockSkew: -3 * HOUR });
      const trail = await trailOf(personIdOfVisitor('visitor-fast'));
      expect(trail.sessions).toHaveLength(1);
      expect(urlsOf(trail)).toEqual([`pageview ${SITE}/a`, `pageview ${SITE}/b`]);
    });

    // Each beacon: one event (`at` ms after BASE_TIME on a browser clock that agrees with the server's),
    // sent `transit` ms before it arrives; beacons arrive in the order listed.
    const contact = `${SITE}/contact`;
    const thanks = `${SITE}/thanks`;
    it.each([
      {
        case: 'a form sent as its page unloads, slower in transit than the next page view, stays before it',
        beacons: [
          { event: pageview(BASE_TIME, contact), transit: 0 },
          { event: pageview(BASE_TIME + 300, thanks), transit: 0 },
          { event: formSubmit(BASE_TIME + 200, contact, { email: 'ana@buyer-gmbh.de' }), transit: 1_500 },
        ],
        order: [`pageview ${contact}`, `form_submit ${contact}`, `pageview ${thanks}`],
      },
      {
        case: 'a beacon quicker in transit than the first one lowers the offset used for the later ones',
        beacons: [
          { event: pageview(BASE_TIME, `${SITE}/`), transit: 1_000 },
          { event: pageview(BASE_TIME + 5_000, contact), transit: 0 },
          { event: formSubmit(BASE_TIME + 5_200, contact, { email: 'ana@buyer-gmbh.de' }), transit: 1_500 },
          { event: pageview(BASE_TIME + 5_500, thanks), transit: 0 },
        ],
        order: [`pageview ${SITE}/`, `pageview ${contact}`, `form_submit ${contact}`, `pageview ${thanks}`],
      },
    ])('$case', async ({ beacons, order }) => {
      for (const { event: item, transit } of beacons) await send('visitor-a', [item], { transit });
      const trail = await trailOf(personIdOfVisitor('visitor-a'));
      expect(urlsOf(trail)).toEqual(order);
    });

    it('follows a browser clock set back by minutes instead of taking the difference for transit', async () => {
      await send('visitor-a', [pageview(BASE_TIME, `${SITE}/a`)]);
      // The clock was set back 5 minutes between the two page views, which are a minute apart.
      await send('visitor-a', [pageview(BASE_TIME + MINUTE, `${SITE}/b`)], { clockSkew: -5 * MINUTE });
      const trail = await trailOf(personIdOfVisitor('visitor-a'));
      expect(urlsOf(trail)).toEqual([`pageview ${SITE}/a`, `pageview ${SITE}/b`]);
      const [first, second] = trail.sessions.flatMap((session) => session.events.map((item) => item.ts));
      expect(Math.abs(first! - BASE_TIME)).toBeLessThan(1_000);
      expect(Math.abs(second! - (BASE_TIME + MINUTE))).toBeLessThan(1_000);
    });
  });

  describe('people', () => {
    it('joins all earlier anonymous sessions to the person when the visitor identifies', async () => {
      await send('visitor-a', [pageview(BASE_TIME - 48 * HOUR, `${SITE}/`)]);
      await send('visitor-a', [pageview(BASE_TIME, `${SITE}/valves`), formSubmit(BASE_TIME + MINUTE, `${SITE}/contact`, { email: ' Buyer@Example.COM ', name: 'Ana Buyer' })]);
      const personId = personIdByEmail('buyer@example.com')!;
      expect(personIdOfVisitor('visitor-a')).toBe(personId);
      const trail = await trailOf(personId);
      expect(trail.person).toMatchObject({ email: 'buyer@example.com', name: 'Ana Buyer', identified: true });
      expect(trail.sessions).toHaveLength(2);
      expect(urlsOf(trail)).toEqual([`pageview ${SITE}/`, `pageview ${SITE}/valves`, `form_submit ${SITE}/contact`]);
      expect(collector.database.prepare('SELECT count(*) FROM people').pluck().get()).toBe(1);
    });

    it('makes two browsers that identify with the same email one person with two devices', async () => {
      await send('visitor-laptop', [pageview(BASE_TIME, `${SITE}/`), identify(BASE_TIME + MINUTE, `${SITE}/`, { email: 'buyer@example.com' })]);
      await send('visitor-phone', [pageview(BASE_TIME + HOUR, `${SITE}/valves`), formSubmit(BASE_TIME + HOUR + MINUTE, `${SITE}/contact`, { email: 'BUYER@example.com', phone: '+49 151 0000000' })]);
      const personId = personIdByEmail('buyer@example.com')!;
      const trail = await trailOf(personId);
      expect(trail.devices).toHaveLength(2);
      expect(trail.sessions.map((session) => session.deviceId)).toEqual(trail.devices.map((device) => device.id));
      expect(trail.person.phone).toBe('+49 151 0000000');
      expect(collector.database.prepare('SELECT count(*) FROM people').pluck().get()).toBe(1);
    });

    it('starts a second person for a browser that identifies with a different email, keeping the first one\'s history', async () => {
      await send('visitor-shared', [
        pageview(BASE_TIME, `${SITE}/`),
        identify(BASE_TIME + MINUTE, `${SITE}/`, { email: 'first@buyer.com' }),
        pageview(BASE_TIME + 2 * MINUTE, `${SITE}/valves`),
        identify(BASE_TIME + 3 * MINUTE, `${SITE}/`, { email: 'second@buyer.com' }),
        pageview(BASE_TIME + 4 * MINUTE, `${SITE}/pumps`),
      ]);
      const first = await trailOf(personIdByEmail('first@buyer.com')!);
      const second = await trailOf(personIdByEmail('second@buyer.com')!);
      expect(urlsOf(first)).toEqual([`pageview ${SITE}/`, `identify ${SITE}/`, `pageview ${SITE}/valves`]);
      expect(urlsOf(second)).toEqual([`identify ${SITE}/`, `pageview ${SITE}/pumps`]);
      expect(personIdOfVisitor('visitor-shared')).toBe(second.person.id);
      const links = collector.database.prepare('SELECT count(*) FROM identity_links WHERE visitor_id = (SELECT id FROM visitors WHERE client_id = ?)').pluck();
      expect(links.get('visitor-shared')).toBe(2);
    });

    it.each(['undefined', 'null', '', '   ', 'not-an-email', 'test@test.com', 'someone@localhost', 'a@b', 'undefined@buyer.com', 'NULL@acme.de', 'you@example.com', 'your@email.com', 'john.doe@company.com', 'xxx@xxx.com'])(
      'never makes a person from the placeholder email %j',
      async (email) => {
        await send('visitor-a', [formSubmit(BASE_TIME, `${SITE}/contact`, { email, name: 'Someone' })]);
        expect(collector.database.prepare('SELECT count(*) FROM people WHERE email IS NOT NULL').pluck().get()).toBe(0);
      },
    );

    it('identifies with an internationalised domain, one person however the accent was typed', async () => {
      // "ü" as one character (NFC) from the laptop, as "u" and a combining diaeresis (NFD) from the phone.
      await send('visitor-laptop', [formSubmit(BASE_TIME, `${SITE}/contact`, { email: 'Einkauf@Müller-Armaturen.de'.normalize('NFC') })]);
      await send('visitor-phone', [identify(BASE_TIME + HOUR, `${SITE}/`, { email: 'einkauf@müller-armaturen.de'.normalize('NFD') })]);
      expect(collector.database.prepare('SELECT email FROM people WHERE email IS NOT NULL').pluck().all()).toEqual(['einkauf@müller-armaturen.de'.normalize('NFC')]);
      expect((await trailOf(personIdByEmail('einkauf@müller-armaturen.de'.normalize('NFC'))!)).devices).toHaveLength(2);
    });

    describe('a late event from before a browser switched email (a retry, a beacon of a page that unloaded)', () => {
      /** visitor-shared: first@ at +1 min, second@ at +5 min. */
      async function switchedBrowser() {
        await send('visitor-shared', [pageview(BASE_TIME, `${SITE}/`), identify(BASE_TIME + MINUTE, `${SITE}/`, { email: 'first@buyer.com' })]);
        await send('visitor-shared', [identify(BASE_TIME + 5 * MINUTE, `${SITE}/`, { email: 'second@buyer.com' }), pageview(BASE_TIME + 6 * MINUTE, `${SITE}/pumps`)]);
      }

      it('goes to the person of its time, in their visit', async () => {
        await switchedBrowser();
        await send('visitor-shared', [pageview(BASE_TIME + 3 * MINUTE, `${SITE}/valves`)]);
        const first = await trailOf(personIdByEmail('first@buyer.com')!);
        const second = await trailOf(personIdByEmail('second@buyer.com')!);
        expect(urlsOf(first)).toEqual([`pageview ${SITE}/`, `identify ${SITE}/`, `pageview ${SITE}/valves`]);
        expect(urlsOf(second)).toEqual([`identify ${SITE}/`, `pageview ${SITE}/pumps`]);
        expect(first.sessions).toHaveLength(1);
      });

      it('identifying as the first email does not take the browser back from the second', async () => {
        await switchedBrowser();
        await send('visitor-shared', [formSubmit(BASE_TIME + 2 * MINUTE, `${SITE}/contact`, { email: 'first@buyer.com', phone: '+1 555 0100' })]);
        await send('visitor-shared', [pageview(BASE_TIME + 7 * MINUTE, `${SITE}/pricing`)]);
        expect(personIdOfVisitor('visitor-shared')).toBe(personIdByEmail('second@buyer.com'));
        const first = await trailOf(personIdByEmail('first@buyer.com')!);
        expect(urlsOf(first)).toEqual([`pageview ${SITE}/`, `identify ${SITE}/`, `form_submit ${SITE}/contact`]);
        expect(first.person.phone).toBe('+1 555 0100');
        expect(urlsOf(await trailOf(personIdByEmail('second@buyer.com')!))).toEqual([`identify ${SITE}/`, `pageview ${SITE}/pumps`, `pageview ${SITE}/pricing`]);
      });
    });

    it('gives a late identification with another email what the browser did from then until its next switch', async () => {
      await send('visitor-shared', [pageview(BASE_TIME, `${SITE}/`), identify(BASE_TIME + MINUTE, `${SITE}/`, { email: 'first@buyer.com' })]);
      await send('visitor-shared', [pageview(BASE_TIME + 3 * MINUTE, `${SITE}/valves`), pageview(BASE_TIME + 4 * MINUTE, `${SITE}/pumps`)]);
      await send('visitor-shared', [pageview(BASE_TIME + HOUR, `${SITE}/pricing`)]);
      await send('visitor-shared', [identify(BASE_TIME + 90 * MINUTE, `${SITE}/`, { email: 'third@buyer.com' }), pageview(BASE_TIME + 91 * MINUTE, `${SITE}/contact`)]);
      // Retried late: the second email, given between the first and the third.
      await send('visitor-shared', [identify(BASE_TIME + 2 * MINUTE, `${SITE}/`, { email: 'second@buyer.com' })]);

      const [first, second, third] = await Promise.all(['first', 'second', 'third'].map((name) => trailOf(personIdByEmail(`${name}@buyer.com`)!)));
      expect(urlsOf(first!)).toEqual([`pageview ${SITE}/`, `identify ${SITE}/`]);
      expect(urlsOf(second!)).toEqual([`identify ${SITE}/`, `pageview ${SITE}/valves`, `pageview ${SITE}/pumps`, `pageview ${SITE}/pricing`]);
      expect(second!.sessions.map((session) => session.events.length)).toEqual([3, 1]);
      expect(urlsOf(third!)).toEqual([`identify ${SITE}/`, `pageview ${SITE}/contact`]);
      expect(personIdOfVisitor('visitor-shared')).toBe(third!.person.id);
      // Each person's times and visit counts are what their trail now holds.
      for (const trail of [first!, second!, third!]) {
        const person = collector.database.prepare('SELECT first_seen, last_seen, session_count FROM people WHERE id = ?').get(trail.person.id);
        const times = trail.sessions.flatMap((session) => session.events.map((item) => item.ts));
        expect(person).toEqual({ first_seen: Math.min(...times), last_seen: Math.max(...times), session_count: trail.sessions.length });
      }
      await collector.repositories.rollups.refreshRollups();
      const visits = collector.database.prepare('SELECT sum(sessions) FROM rollup_visits WHERE person_id = ?').pluck();
      expect([first, second, third].map((trail) => visits.get(trail!.person.id))).toEqual([1, 2, 1]);
    });

    it.each([
      {
        case: 'the first email again',
        before: 'first@buyer.com',
        again: 'First@Buyer.com',
        owner: 'first@buyer.com',
        secondUrls: [`identify ${SITE}/`, `pageview ${SITE}/valves`],
        ownerUrls: [`pageview ${SITE}/`, `identify ${SITE}/`, `form_submit ${SITE}/contact`, `pageview ${SITE}/thanks`, `pageview ${SITE}/pricing`],
      },
      {
        // In order, the late identification was the browser's first: its anonymous past is theirs.
        case: 'an anonymous browser whose later form gave the email it now has',
        before: null,
        again: 'third@buyer.com',
        owner: 'third@buyer.com',
        secondUrls: [`pageview ${SITE}/`, `pageview ${SITE}/`, `identify ${SITE}/`, `pageview ${SITE}/valves`],
        ownerUrls: [`form_submit ${SITE}/contact`, `pageview ${SITE}/thanks`, `pageview ${SITE}/pricing`],
      },
    ])('ends a late identification’s share at a stored form that identified the browser as someone else: $case', async ({ before, again, owner, secondUrls, ownerUrls }) => {
      await send('visitor-shared', before ? [pageview(BASE_TIME, `${SITE}/`), identify(BASE_TIME + MINUTE, `${SITE}/`, { email: before })] : [pageview(BASE_TIME, `${SITE}/`), pageview(BASE_TIME + MINUTE, `${SITE}/`)]);
      await send('visitor-shared', [
        pageview(BASE_TIME + 3 * MINUTE, `${SITE}/valves`),
        formSubmit(BASE_TIME + 4 * MINUTE, `${SITE}/contact`, { email: again }),
        pageview(BASE_TIME + 5 * MINUTE, `${SITE}/thanks`),
      ]);
      // Retried late: another email, given between the two.
      await send('visitor-shared', [identify(BASE_TIME + 2 * MINUTE, `${SITE}/`, { email: 'second@buyer.com' })]);
      await send('visitor-shared', [pageview(BASE_TIME + 6 * MINUTE, `${SITE}/pricing`)]);

      expect(urlsOf(await trailOf(personIdByEmail('second@buyer.com')!))).toEqual(secondUrls);
      const ownerTrail = await trailOf(personIdByEmail(owner)!);
      expect(urlsOf(ownerTrail)).toEqual(ownerUrls);
      expect(personIdOfVisitor('visitor-shared')).toBe(ownerTrail.person.id);
      expect(collector.database.prepare('SELECT count(*) FROM people').pluck().get()).toBe(2);
    });

    // The browser switched to second@ and came from the newsletter; a late identification as first@
    // arrives from a minute later (with that landing, or after it): in order, first@ went on with the
    // newsletter's visit, and a later ad click opened first@'s next one.
    const switched = [
      identify(BASE_TIME, `${SITE}/contact`, { email: 'first@buyer.com' }),
      identify(BASE_TIME + MINUTE, `${SITE}/contact`, { email: 'second@buyer.com' }),
      pageview(BASE_TIME + 2 * MINUTE, `${SITE}/?gclid=Cj0KCQ`, { referrer: 'https://www.google.com/' }),
      pageview(BASE_TIME + 5 * MINUTE, `${SITE}/valves`, { referrer: `${SITE}/` }),
    ];
    const newsletterLanding = pageview(BASE_TIME + 8 * MINUTE, `${SITE}/?utm_source=newsletter&utm_medium=email`, { referrer: 'https://mail.google.com/' });
    const switchBack = identify(BASE_TIME + 9 * MINUTE, `${SITE}/contact`, { email: 'first@buyer.com' });
    const adAgain = pageview(BASE_TIME + 10 * MINUTE, `${SITE}/?gclid=Cj0KCQ`, { referrer: 'https://www.google.com/' });
    it.each([
      { case: 'stored', batches: [[...switched, newsletterLanding, adAgain], [switchBack]] },
      { case: 'late too', batches: [[...switched, adAgain], [newsletterLanding, switchBack]] },
    ])('continues the visit a late switch interrupts, not the next stored one, with its landing $case', async ({ batches }) => {
      for (const [index, events] of batches.entries()) await send('visitor-late', events, { transit: index === 0 ? 0 : 500 });
      for (const [index, item] of batches.flat().sort((a, b) => a.ts - b.ts).entries()) await send('visitor-in-order', [item], { transit: index === 0 ? 0 : 500 });
      expect(visitsOf('visitor-late')).toEqual(visitsOf('visitor-in-order'));
      expect(visitsOf('visitor-late')).toEqual([
        'first@buyer.com direct: 0',
        'second@buyer.com direct: 1',
        'second@buyer.com paid_search: 2 5',
        'second@buyer.com email: 8',
        'first@buyer.com email: 9',
        'first@buyer.com paid_search: 10',
      ]);
    });

    it('makes one visit of a late switch, the visit it takes and the visit the next identification opened', async () => {
      await send('visitor-shared', [pageview(BASE_TIME, `${SITE}/`), identify(BASE_TIME + MINUTE, `${SITE}/`, { email: 'first@buyer.com' }), pageview(BASE_TIME + 10 * MINUTE, `${SITE}/valves`)]);
      await send('visitor-shared', [pageview(BASE_TIME + 45 * MINUTE, `${SITE}/pumps`), pageview(BASE_TIME + 59 * MINUTE, `${SITE}/contact`)]);
      await send('visitor-shared', [identify(BASE_TIME + 60 * MINUTE, `${SITE}/contact`, { email: 'second@buyer.com' }), pageview(BASE_TIME + 61 * MINUTE, `${SITE}/thanks`)]);
      await send('visitor-shared', [identify(BASE_TIME + 20 * MINUTE, `${SITE}/valves`, { email: 'second@buyer.com' })]);
      const second = await trailOf(personIdByEmail('second@buyer.com')!);
      expect(second.sessions.map((session) => session.events.length)).toEqual([5]);
      expect(collector.database.prepare('SELECT session_count FROM people WHERE id = ?').pluck().get(second.person.id)).toBe(1);
      expect(urlsOf(await trailOf(personIdByEmail('first@buyer.com')!))).toEqual([`pageview ${SITE}/`, `identify ${SITE}/`, `pageview ${SITE}/valves`]);
    });

    it('leaves a page view in the same millisecond as a switch, stitched before it, with the person before', async () => {
      await send('visitor-shared', [pageview(BASE_TIME, `${SITE}/`), identify(BASE_TIME + MINUTE, `${SITE}/`, { email: 'first@buyer.com' })]);
      await send('visitor-shared', [pageview(BASE_TIME + 5 * MINUTE, `${SITE}/a`), identify(BASE_TIME + 5 * MINUTE, `${SITE}/a`, { email: 'second@buyer.com' })]);
      const first = await trailOf(personIdByEmail('first@buyer.com')!);
      expect(urlsOf(first)).toEqual([`pageview ${SITE}/`, `identify ${SITE}/`, `pageview ${SITE}/a`]);
      expect(urlsOf(await trailOf(personIdByEmail('second@buyer.com')!))).toEqual([`identify ${SITE}/a`]);
      expect(collector.database.prepare('SELECT last_seen FROM people WHERE id = ?').pluck().get(first.person.id)).toBe(first.sessions.at(-1)!.events.at(-1)!.ts);
    });

    it('gives a late identification from just before a campaign’s stored visit a visit of its own, as in order: the campaign’s arrival started the stored one', async () => {
      await send('visitor-shared', [pageview(BASE_TIME, `${SITE}/`), identify(BASE_TIME + MINUTE, `${SITE}/`, { email: 'first@buyer.com' })]);
      await send('visitor-shared', [
        pageview(BASE_TIME + 40 * MINUTE, `${SITE}/valves?utm_source=newsletter&utm_medium=email&utm_campaign=nov`),
        pageview(BASE_TIME + 41 * MINUTE, `${SITE}/pumps`, { referrer: `${SITE}/valves` }),
      ]);
      await send('visitor-shared', [identify(BASE_TIME + 35 * MINUTE, `${SITE}/`, { email: 'second@buyer.com' })]);
      const second = await trailOf(personIdByEmail('second@buyer.com')!);
      expect(second.sessions.map((session) => [session.channel, session.events.length])).toEqual([['direct', 1], ['email', 2]]);
      expect(urlsOf(await trailOf(personIdByEmail('first@buyer.com')!))).toEqual([`pageview ${SITE}/`, `identify ${SITE}/`]);
    });

    it('keeps every switch of a browser between two emails, and gives it back to the first', async () => {
      await send('visitor-shared', [
        identify(BASE_TIME, `${SITE}/`, { email: 'first@buyer.com' }),
        identify(BASE_TIME + HOUR, `${SITE}/`, { email: 'second@buyer.com' }),
        identify(BASE_TIME + 2 * HOUR, `${SITE}/`, { email: 'first@buyer.com' }),
        pageview(BASE_TIME + 2 * HOUR + MINUTE, `${SITE}/valves`),
      ]);
      // A late page view from the second email's hour stays with them.
      await send('visitor-shared', [pageview(BASE_TIME + HOUR + MINUTE, `${SITE}/pumps`)]);
      expect(personIdOfVisitor('visitor-shared')).toBe(personIdByEmail('first@buyer.com'));
      expect(urlsOf(await trailOf(personIdByEmail('first@buyer.com')!))).toEqual([`identify ${SITE}/`, `identify ${SITE}/`, `pageview ${SITE}/valves`]);
      expect(urlsOf(await trailOf(personIdByEmail('second@buyer.com')!))).toEqual([`identify ${SITE}/`, `pageview ${SITE}/pumps`]);
      const links = collector.database.prepare('SELECT p.email FROM identity_links l JOIN people p ON p.id = l.person_id WHERE l.visitor_id = (SELECT id FROM visitors WHERE client_id = ?) ORDER BY l.linked_at').pluck();
      expect(links.all('visitor-shared')).toEqual(['first@buyer.com', 'second@buyer.com', 'first@buyer.com']);
    });

    it('never merges two identified people that share a browser and later return', async () => {
      await send('visitor-a', [identify(BASE_TIME, `${SITE}/`, { email: 'one@buyer.com' })]);
      await send('visitor-b', [identify(BASE_TIME, `${SITE}/`, { email: 'two@buyer.com' })]);
      await send('visitor-a', [identify(BASE_TIME + HOUR, `${SITE}/`, { email: 'two@buyer.com' })]);
      expect(collector.database.prepare('SELECT count(*) FROM people WHERE site_id = ?').pluck().get(siteId)).toBe(2);
      expect((await trailOf(personIdByEmail('one@buyer.com')!)).sessions).toHaveLength(1);
      expect((await trailOf(personIdByEmail('two@buyer.com')!)).devices).toHaveLength(2);
    });

    it('keeps the newest form’s name and message when an older form arrives late, and takes what only the older one gave', async () => {
      await send('visitor-a', [
        pageview(BASE_TIME, `${SITE}/contact`),
        formSubmit(BASE_TIME + 10 * MINUTE, `${SITE}/contact`, { email: 'ana@buyer-gmbh.de', name: 'Ana Buyer', message: 'Please quote 500 ball valves DN50' }),
      ]);
      // Retried late: the first inquiry, sent five minutes before.
      await send('visitor-a', [formSubmit(BASE_TIME + 5 * MINUTE, `${SITE}/contact`, { email: 'ana@buyer-gmbh.de', name: 'Ana', message: 'Do you make DN50?', company: 'Buyer GmbH' })]);
      const person = collector.database.prepare('SELECT name, message, company FROM people WHERE email = ?').get('ana@buyer-gmbh.de');
      expect(person).toEqual({ name: 'Ana Buyer', message: 'Please quote 500 ball valves DN50', company: 'Buyer GmbH' });
    });

    it('records a chat opening with its provider and target in the trail', async () => {
      await send('visitor-a', [event('chat_open', BASE_TIME, `${SITE}/contact`, { provider: 'whatsapp', target: '8613800000000' })]);
      const trail = await trailOf(personIdOfVisitor('visitor-a'));
      expect(trail.sessions[0]!.events[0]).toMatchObject({ type: 'chat_open', provider: 'whatsapp', target: '8613800000000' });
    });
  });
});
