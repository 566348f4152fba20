/** `GET /api/sites/:key/status`: the setup screen's live check of a site's tag. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BASE_TIME, MINUTE, batch, pageview } from '../helpers/batches.js';
import { createTestCollector, loginCookie, type TestCollector, postAcceptedBatch } from '../helpers/collector.js';
import type { WireEvent } from '../../collector/ingest/schema.js';

const SITE = 'https://acme-valves.com';

describe('GET /api/sites/:key/status', () => {
  let collector: TestCollector;
  let cookie: string;

  beforeEach(async () => {
    collector = await createTestCollector();
    cookie = await loginCookie(collector.app);
  });
  afterEach(() => collector.close());

  const api = (method: 'GET' | 'POST', url: string, payload?: object) => collector.app.inject({ method, url, payload, headers: { cookie } });

  async function createSite(): Promise<string> {
    const response = await api('POST', '/api/sites', { name: 'Acme Valves', domains: ['acme-valves.com'] });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().key;
  }

  const collect = (siteKey: string, visitor: string, events: WireEvent[]) => postAcceptedBatch(collector.app, batch(siteKey, visitor, events));

  it('answers null and zero before the tag has sent anything', async () => {
    const siteKey = await createSite();
    const response = await api('GET', `/api/sites/${siteKey}/status`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ last_event_at: null, events_last_hour: 0 });
  });

  it('reports the latest event and counts only the last hour, across visitors and only for this site', async () => {
    const siteKey = await createSite();
    const otherSiteKey = await createSite();
    const now = Date.now();
    await collect(siteKey, 'visitor-old', [pageview(BASE_TIME, `${SITE}/`)]);
    await collect(siteKey, 'visitor-recent-1', [pageview(now - 10 * MINUTE, `${SITE}/`), pageview(now - 5 * MINUTE, `${SITE}/products`)]);
    await collect(siteKey, 'visitor-recent-2', [pageview(now - 2 * MINUTE, `${SITE}/contact`)]);
    await collect(otherSiteKey, 'visitor-other', [pageview(now - MINUTE, `${SITE}/`)]);

    const status = (await api('GET', `/api/sites/${siteKey}/status`)).json();
    expect(status.events_last_hour).toBe(3);
    expect(status.last_event_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // The collector moves event times to its own clock by the milliseconds in transit.
    expect(Math.abs(Date.parse(status.last_event_at) - (now - 2 * MINUTE))).toBeLessThan(5_000);
    expect((await api('GET', `/api/sites/${otherSiteKey}/status`)).json().events_last_hour).toBe(1);
  });

  it('answers an unknown site with 404 and an unauthenticated call with 401', async () => {
    expect((await api('GET', '/api/sites/nosuchsite/status')).statusCode).toBe(404);
    const siteKey = await createSite();
    expect((await collector.app.inject({ url: `/api/sites/${siteKey}/status` })).statusCode).toBe(401);
  });
});
