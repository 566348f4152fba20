/** Rate limits (SPEC §4): they never touch real traffic, and a flood gets 429 in the one error shape. */
import { afterEach, describe, expect, it } from 'vitest';
import { BASE_TIME, batch, pageview } from '../helpers/batches.js';
import { createTestCollector, type TestCollector } from '../helpers/collector.js';
import { DESKTOP_CHROME_USER_AGENT } from '../helpers/browser.js';

describe('rate limits', () => {
  let collector: TestCollector;
  afterEach(() => collector.close());

  async function collectFromOneAddress(siteKey: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    // In waves, as an office's browsers would send; each request is one page view of its own visitor.
    for (let start = 0; start < count; start += 100) {
      const wave = Array.from({ length: Math.min(100, count - start) }, (_, index) =>
        collector.app.inject({
          method: 'POST',
          url: '/collect',
          headers: { 'content-type': 'text/plain', origin: 'https://acme.com', 'user-agent': DESKTOP_CHROME_USER_AGENT, 'x-forwarded-for': '198.51.100.7' },
          payload: JSON.stringify(batch(siteKey, `office-visitor-${start + index}`, [pageview(BASE_TIME, 'https://acme.com/')])),
        }),
      );
      statuses.push(...(await Promise.all(wave)).map((response) => response.statusCode));
    }
    await collector.app.ingest.settled();
    return statuses;
  }

  it('accepts 1,000 requests a minute from one address (an office behind one NAT)', async () => {
    collector = await createTestCollector();
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    const statuses = await collectFromOneAddress(site.key, 1000);
    expect(statuses.filter((status) => status !== 204)).toEqual([]);
    expect(collector.database.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1000);
  });

  it('answers requests over the limit with 429 in the error shape, and stores none of them', async () => {
    collector = await createTestCollector({ app: { collectRateLimit: 5 } });
    const site = await collector.repositories.sites.createSite({ name: 'Acme', domains: ['acme.com'] });
    const statuses = await collectFromOneAddress(site.key, 8);
    expect(statuses.filter((status) => status === 204)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(3);
    expect(collector.database.prepare('SELECT count(*) FROM events').pluck().get()).toBe(5);
    const limited = await collector.app.inject({ method: 'POST', url: '/collect', headers: { 'x-forwarded-for': '198.51.100.7' }, payload: {} });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'rate limited', details: { retry_after: expect.any(String) } });
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
