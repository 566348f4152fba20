/** `GET /api/visitors` orders and date range: every sort both ways, keyset pages, and 400s for bad parameters. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BASE_TIME, MINUTE, batch, formSubmit, pageview } from '../helpers/batches.js';
import { createCollectorWithSite, type TestCollector, postAcceptedBatch } from '../helpers/collector.js';
import type { WireEvent } from '../../collector/ingest/schema.js';
import type { PeoplePageJson } from '../../collector/routes/json-types.js';

const SITE = 'https://acme-valves.com';
const DAY = 24 * 60 * MINUTE;
const day = (time: number) => new Date(time).toISOString().slice(0, 10);

describe('GET /api/visitors order and date range', () => {
  let collector: TestCollector;
  let cookie: string;
  let siteKey: string;

  beforeEach(async () => {
    ({ collector, cookie, siteKey } = await createCollectorWithSite());
  });
  afterEach(() => collector.close());

  const collect = (visitor: string, events: WireEvent[]) => postAcceptedBatch(collector.app, batch(siteKey, visitor, events));

  async function list(parameters: string): Promise<PeoplePageJson> {
    const response = await collector.app.inject({ url: `/api/visitors?site=${siteKey}&${parameters}`, headers: { cookie } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  /** Every page of a list, followed through its cursors, two people a page. */
  async function listAll(parameters: string): Promise<PeoplePageJson['people']> {
    const people: PeoplePageJson['people'] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`${parameters}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      people.push(...page.people);
      cursor = page.next;
    } while (cursor);
    return people;
  }

  /**
   * Five leads and two anonymous visitors, over three days two days apart. Zoë and "ana" tie with
   * others on purpose (case and equal values) so the id tiebreaker is exercised.
   */
  async function seed() {
    const lead = (visitor: string, at: number, fields: Record<string, string>, visits = 1) =>
      collect(visitor, [
        ...Array.from({ length: visits }, (_, index) => pageview(at - index * 2 * 60 * MINUTE, `${SITE}/`)),
        formSubmit(at + MINUTE, `${SITE}/contact`, fields),
      ]);
    await lead('visitor-ana', BASE_TIME - 4 * DAY, { email: 'ana@souza.com.br', name: 'ana Souza', company: 'Importadora Souza', country: 'Brazil' });
    await lead('visitor-bruno', BASE_TIME - 2 * DAY, { email: 'bruno@valvulas.pt', name: 'Bruno Costa', company: 'válvulas', country: 'Portugal' }, 3);
    await lead('visitor-chen', BASE_TIME, { email: 'chen@lakeside.co.uk', name: 'Chen Wei', company: 'Lakeside Valves', country: 'United Kingdom' }, 2);
    await lead('visitor-hans', BASE_TIME, { email: 'hans@pumpen.de', company: 'pumpen weber' });
    await lead('visitor-zoe', BASE_TIME - 2 * DAY, { email: 'zoe@flow.nl', name: 'Ana Souza', country: 'brazil' });
    await collect('visitor-anonymous-1', [pageview(BASE_TIME - 4 * DAY, `${SITE}/`)]);
    await collect('visitor-anonymous-2', [pageview(BASE_TIME - 2 * DAY, `${SITE}/`)]);
  }

  const labels = (people: PeoplePageJson['people']) => people.map((person) => person.name ?? person.email ?? `#${person.id}`);

  it('sorts by each column both ways, people without the value last, and pages without skipping or repeating', async () => {
    await seed();
    const anonymous = (await list('identified=false&sort=first_seen&order=asc')).people.map((person) => `#${person.id}`);

    // Text ignores ASCII case; equal values keep the id order of the direction.
    const byName = labels(await listAll('sort=name'));
    expect(byName).toEqual(['ana Souza', 'Ana Souza', 'Bruno Costa', 'Chen Wei', 'hans@pumpen.de', ...anonymous]);
    expect(labels(await listAll('sort=name&order=desc'))).toEqual([
      'hans@pumpen.de',
      'Chen Wei',
      'Bruno Costa',
      'Ana Souza',
      'ana Souza',
      ...[...anonymous].reverse(),
    ]);
    expect((await listAll('sort=company&order=asc')).slice(0, 5).map((person) => person.company)).toEqual([
      'Importadora Souza',
      'Lakeside Valves',
      'pumpen weber',
      'válvulas',
      null,
    ]);
    expect((await listAll('sort=country&order=desc')).slice(0, 5).map((person) => person.country)).toEqual([
      'United Kingdom',
      'Portugal',
      'brazil',
      'Brazil',
      null,
    ]);

    const byVisits = await listAll('sort=sessions');
    expect(byVisits.map((person) => person.sessions)).toEqual([3, 2, 1, 1, 1, 1, 1]);
    expect(byVisits[0]!.name).toBe('Bruno Costa');
    expect((await listAll('sort=sessions&order=asc')).map((person) => person.sessions)).toEqual([1, 1, 1, 1, 1, 2, 3]);

    const firstSeen = (await listAll('sort=first_seen&order=asc')).map((person) => Date.parse(person.first_seen));
    expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
    const lastSeen = (await listAll('')).map((person) => Date.parse(person.last_seen));
    expect(lastSeen).toEqual([...lastSeen].sort((a, b) => b - a));

    for (const sort of ['last_seen', 'first_seen', 'name', 'company', 'country', 'sessions']) {
      for (const order of ['asc', 'desc']) {
        const ids = (await listAll(`sort=${sort}&order=${order}`)).map((person) => person.id);
        expect(new Set(ids).size, `${sort} ${order}`).toBe(7);
      }
    }
  });

  it('says which order it applied: A to Z for text, newest or most first otherwise', async () => {
    await seed();
    expect(await list('')).toMatchObject({ sort: 'last_seen', order: 'desc' });
    expect(await list('sort=name')).toMatchObject({ sort: 'name', order: 'asc' });
    expect(await list('sort=sessions')).toMatchObject({ sort: 'sessions', order: 'desc' });
    expect(await list('sort=company&order=desc')).toMatchObject({ sort: 'company', order: 'desc' });
  });

  it('keeps the people active in a date range, with the search and the filters, in any order', async () => {
    await seed();
    // Active on the day of BASE_TIME − 2 days: Bruno (three visits from then on), Zoë and one anonymous visitor.
    const range = `from=${day(BASE_TIME - 2 * DAY)}&to=${day(BASE_TIME - 2 * DAY)}`;
    expect(labels(await listAll(`${range}&sort=name`))).toEqual(['Ana Souza', 'Bruno Costa', expect.stringMatching(/^#\d+$/)]);
    expect(labels(await listAll(`${range}&identified=true&q=souza`))).toEqual(['Ana Souza']);
    // From that day on: everyone but those last seen four days before BASE_TIME.
    expect((await listAll(`from=${day(BASE_TIME - 2 * DAY)}&sort=first_seen`)).length).toBe(5);
    // Up to two days before BASE_TIME, by exact time: first seen by then.
    expect((await listAll(`to=${new Date(BASE_TIME - 2 * DAY - MINUTE).toISOString()}`)).length).toBe(3);
  });

  it('answers invalid orders, ranges and cursors with 400 in the error shape', async () => {
    await seed();
    const { next } = await list('sort=name&limit=2');
    for (const parameters of [
      'sort=email',
      'sort=',
      'order=up',
      'order=ASC',
      'from=yesterday',
      'to=2026-02-30',
      'from=2026-03-02&to=2026-03-01',
      'cursor=not-a-cursor',
      // A cursor continues only the order it came from.
      `sort=company&cursor=${next}`,
      `sort=name&order=desc&cursor=${next}`,
    ]) {
      const response = await collector.app.inject({ url: `/api/visitors?site=${siteKey}&${parameters}`, headers: { cookie } });
      expect(response.statusCode, parameters).toBe(400);
      const body = response.json();
      expect(body, parameters).toMatchObject({ error: expect.any(String) });
      expect(Object.keys(body).filter((key) => key !== 'error' && key !== 'details'), parameters).toEqual([]);
    }
  });
});
