/**
 * Late events (SPEC §5: "late and out-of-order events land in the session they belong to"), checked
 * against their own definition: random visits are sent to one browser in shuffled batches and to
 * another one event at a time in time order, and both must be stored as the same visits. Seeded,
 * so a failure names the scenario that reproduces it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../collector/ingest/schema.js';
import { BASE_TIME, MINUTE, batch, event, formSubmit, identify, pageview } from '../helpers/batches.js';
import { createTestCollector, postAcceptedBatch, type TestCollector } from '../helpers/collector.js';
import { storedVisits } from '../helpers/stored-events.js';

const SITE = 'https://acme-valves.com';
const SCENARIOS = Number(process.env.SCENARIOS ?? 300);

/** mulberry32: a small seeded generator, so every run draws the same scenarios. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The kinds of event a visit is drawn from: plain pages, sources without a campaign (a search, a
 * marketplace's link), four campaigns' landings and a page that kept an ad's query, engagement and
 * chat, identifications as three people (by `identify` or a form, one typed in capitals) and a
 * placeholder email that identifies no one.
 */
const KINDS = [
  'page', 'page', 'page', 'search', 'marketplace', 'newsletter', 'ad', 'other ad', 'marketplace campaign', 'ad page kept query',
  'engagement', 'chat', 'first email', 'first email in capitals', 'second email', 'third by form', 'placeholder',
] as const;

function eventOf(kind: (typeof KINDS)[number], ts: number, emailDomain: string): WireEvent {
  switch (kind) {
    case 'page':
      return pageview(ts, `${SITE}/valves`, { referrer: `${SITE}/` });
    case 'search':
      return pageview(ts, `${SITE}/pumps`, { referrer: 'https://www.google.com/' });
    case 'marketplace':
      return pageview(ts, `${SITE}/pumps`, { referrer: 'https://www.alibaba.com/product/123' });
    case 'marketplace campaign':
      return pageview(ts, `${SITE}/?utm_source=alibaba.com&utm_medium=referral`, { referrer: 'https://message.alibaba.com/' });
    case 'ad page kept query':
      return pageview(ts, `${SITE}/valves?gclid=AAA`, { referrer: `${SITE}/` });
    case 'newsletter':
      return pageview(ts, `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=nov`, { referrer: 'https://mail.google.com/' });
    case 'ad':
      return pageview(ts, `${SITE}/?gclid=AAA`, { referrer: 'https://www.google.com/' });
    case 'other ad':
      return pageview(ts, `${SITE}/?gclid=BBB`, { referrer: 'https://www.google.com/' });
    case 'engagement':
      return event('engagement', ts, `${SITE}/valves`, { seconds: 30 });
    case 'chat':
      return event('chat_open', ts, `${SITE}/contact`, { provider: 'whatsapp' });
    case 'first email in capitals':
      return identify(ts, `${SITE}/contact`, { email: ` FIRST@${emailDomain.toUpperCase()} ` });
    case 'first email':
      return identify(ts, `${SITE}/contact`, { email: `first@${emailDomain}` });
    case 'second email':
      return identify(ts, `${SITE}/contact`, { email: `second@${emailDomain}` });
    case 'third by form':
      return formSubmit(ts, `${SITE}/contact`, { email: `third@${emailDomain}`, name: 'Third Buyer' });
    case 'placeholder':
      return identify(ts, `${SITE}/contact`, { email: 'test@test.com' });
  }
}

interface Scenario {
  /** Kind and minute after BASE_TIME of each event, in time order (distinct times). */
  events: Array<{ kind: (typeof KINDS)[number]; minute: number }>;
  /** The order the late browser's events arrive in, cut into batches. */
  batches: number[][];
}

/** Minutes after BASE_TIME, to the second, distinct, in order. */
function drawMinutes(random: () => number): number[] {
  const minutes = new Set<number>();
  if (random() < 0.1) {
    // A day-long visit, never 30 minutes idle: the 24-hour limit splits it.
    for (let minute = random() * 20; minute < 1500; minute += 5 + random() * 24) minutes.add(Math.round(minute * 60) / 60);
  } else {
    // Up to two hours: gaps under and over 30 minutes both occur.
    const count = 3 + Math.floor(random() * 8);
    while (minutes.size < count) minutes.add(Math.round(random() * 120 * 60) / 60);
  }
  return [...minutes].sort((a, b) => a - b);
}

function drawScenario(random: () => number): Scenario {
  const events = drawMinutes(random).map((minute) => ({ kind: KINDS[Math.floor(random() * KINDS.length)]!, minute }));
  // Fisher–Yates, so the order depends on the seed alone.
  const order = events.map((_, index) => index);
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  const batches: number[][] = [];
  for (let start = 0; start < order.length; ) {
    const size = 1 + Math.floor(random() * Math.max(3, order.length / 4));
    batches.push(order.slice(start, start + size));
    start += size;
  }
  return { events, batches };
}

describe('late events are stored as in-order arrival stores them', () => {
  let collector: TestCollector;
  let siteKey: string;

  beforeAll(async () => {
    // Thousands of beacons from one address: no rate limit.
    collector = await createTestCollector({ app: { collectRateLimit: 0 } });
    siteKey = (await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme-valves.com'] })).key;
  });
  afterAll(() => collector.close());

  /** Both browsers keep their first batch's clock: later batches spent longer in transit (clock.ts). */
  const send = (visitor: string, events: WireEvent[], first: boolean) => postAcceptedBatch(collector.app, batch(siteKey, visitor, events, { transit: first ? 0 : 500 }));

  /**
   * A browser's visits in order: each as its person (the email's name, the domain differs per
   * browser), channel, landing page and referrer, and its events' minutes.
   */
  const visitsOf = (clientId: string) =>
    storedVisits(collector, clientId).map(
      (visit) => `${visit.email?.split('@')[0] ?? 'anonymous'} ${visit.channel} ${visit.landingPage} from ${visit.referrer ?? 'nowhere'}: ${visit.minutes.join(' ')}`,
    );

  const random = seededRandom(Number(process.env.SEED ?? 20261125));
  const scenarios = Array.from({ length: SCENARIOS }, (_, index) => ({ index, ...drawScenario(random) }));

  it.each(scenarios)('scenario $index', async ({ index, events, batches }) => {
    // Each browser identifies with addresses of its own domain, so the two never share a person.
    const lateEvents = events.map(({ kind, minute }) => eventOf(kind, BASE_TIME + minute * MINUTE, `late-${index}.com`));
    const inOrderEvents = events.map(({ kind, minute }) => eventOf(kind, BASE_TIME + minute * MINUTE, `in-order-${index}.com`));
    for (const [number, indexes] of batches.entries()) await send(`late-visitor-${index}`, indexes.map((at) => lateEvents[at]!), number === 0);
    for (const [number, item] of inOrderEvents.entries()) await send(`in-order-visitor-${index}`, [item], number === 0);
    const description = `${events.map(({ kind, minute }) => `${kind}@${minute.toFixed(2)}`).join(', ')}; batches ${JSON.stringify(batches)}`;
    expect(visitsOf(`late-visitor-${index}`), description).toEqual(visitsOf(`in-order-visitor-${index}`));
    // Each of the late browser's people: first and last seen, and the visit count, are its visits'.
    const people = collector.database
      .prepare(`SELECT people.first_seen = min(sessions.started_at) AND people.last_seen = max(sessions.ended_at) AND people.session_count = count(*) AS consistent
        FROM people JOIN sessions ON sessions.person_id = people.id JOIN visitors ON visitors.id = sessions.visitor_id
        WHERE visitors.client_id = ? GROUP BY people.id`)
      .pluck()
      .all(`late-visitor-${index}`);
    expect(people.every((consistent) => consistent === 1), description).toBe(true);
  });
});
