/** `GET /api/visitors` filters: identified or anonymous, the latest channel, the IP country; with cursor paging. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BASE_TIME, MINUTE, batch, formSubmit, pageview } from '../helpers/batches.js';
import { createCollectorWithSite, type TestCollector, postAcceptedBatch } from '../helpers/collector.js';
import type { WireEvent } from '../../collector/ingest/schema.js';

const SITE = 'https://acme-valves.com';

describe('GET /api/visitors filters', () => {
  let collector: TestCollector;
  let cookie: string;
  let siteKey: string;

  beforeEach(async () => {
    ({ collector, cookie, siteKey } = await createCollectorWithSite());
  });
  afterEach(() => collector.close());

  const collect = (visitor: string, events: WireEvent[]) => postAcceptedBatch(collector.app, batch(siteKey, visitor, events));

  /** Requests from the test have no public address; the IP country is set as enrichment would have. */
  function setIpCountry(visitor: string, country: string) {
    collector.database.prepare('UPDATE visitors SET ip_country = ? WHERE client_id = ?').run(country, visitor);
  }

  async function list(parameters: string): Promise<{ people: Array<{ id: number; email: string | null; channel: string }>; next: string | null }> {
    const response = await collector.app.inject({ url: `/api/visitors?site=${siteKey}&${parameters}`, headers: { cookie } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  async function seed() {
    await collect('visitor-de-google', [pageview(BASE_TIME, `${SITE}/?gclid=abc`), formSubmit(BASE_TIME + MINUTE, `${SITE}/contact`, { email: 'hans@pumpen.de' })]);
    await collect('visitor-us-direct', [pageview(BASE_TIME + 2 * MINUTE, `${SITE}/`)]);
    await collect('visitor-de-direct', [pageview(BASE_TIME + 3 * MINUTE, `${SITE}/`)]);
    await collect('visitor-br-linkedin', [
      pageview(BASE_TIME + 4 * MINUTE, `${SITE}/?utm_source=linkedin&utm_medium=paid_social`),
      formSubmit(BASE_TIME + 5 * MINUTE, `${SITE}/contact`, { email: 'joao@valvulas.com.br' }),
    ]);
    setIpCountry('visitor-de-google', 'DE');
    setIpCountry('visitor-us-direct', 'US');
    setIpCountry('visitor-de-direct', 'DE');
    setIpCountry('visitor-br-linkedin', 'BR');
  }

  it('keeps only identified people, or only anonymous ones', async () => {
    await seed();
    expect((await list('identified=true')).people.map((person) => person.email)).toEqual(['joao@valvulas.com.br', 'hans@pumpen.de']);
    const anonymous = (await list('identified=false')).people;
    expect(anonymous).toHaveLength(2);
    expect(anonymous.every((person) => person.email === null)).toBe(true);
  });

  it('keeps people whose latest visit came from a channel, and people browsing from a country', async () => {
    await seed();
    expect((await list('channel=paid_search')).people.map((person) => person.email)).toEqual(['hans@pumpen.de']);
    expect((await list('channel=direct')).people.map((person) => person.channel)).toEqual(['direct', 'direct']);
    expect((await list('country=de')).people).toHaveLength(2);
    expect((await list('country=DE&identified=true')).people.map((person) => person.email)).toEqual(['hans@pumpen.de']);
    expect((await list('country=CN')).people).toEqual([]);
  });

  it('pages through a filtered list without skipping or repeating anyone', async () => {
    for (let index = 0; index < 7; index++) {
      await collect(`visitor-page-${index}`, [pageview(BASE_TIME + index * MINUTE, `${SITE}/`)]);
      setIpCountry(`visitor-page-${index}`, index % 2 === 0 ? 'DE' : 'US');
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`country=DE&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.people.map((person) => person.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
  });

  it('answers malformed filters with 400', async () => {
    for (const parameters of ['identified=yes', 'channel=carrier_pigeon', 'country=DEU', 'country=1']) {
      const response = await collector.app.inject({ url: `/api/visitors?site=${siteKey}&${parameters}`, headers: { cookie } });
      expect(response.statusCode, parameters).toBe(400);
    }
  });
});
