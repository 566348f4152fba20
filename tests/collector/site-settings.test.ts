/** `PATCH /api/sites/:key`: rename, domains, IP mode (applied by /collect) and retention; 400, 404 and CSRF. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BASE_TIME, batch, pageview } from '../helpers/batches.js';
import { createCollectorWithSite, type TestCollector, postBatch, postAcceptedBatch } from '../helpers/collector.js';
import type { IpMode } from '../../collector/ingest/network.js';

describe('PATCH /api/sites/:key', () => {
  let collector: TestCollector;
  let cookie: string;
  let siteKey: string;

  async function start(ipMode?: IpMode) {
    ({ collector, cookie, siteKey } = await createCollectorWithSite({ app: { ipMode } }));
  }
  afterEach(() => collector.close());

  const patch = (payload: unknown, headers: Record<string, string> = {}, key = siteKey) =>
    collector.app.inject({ method: 'PATCH', url: `/api/sites/${key}`, payload: payload as object, headers: { cookie, ...headers } });

  /** A page view from a buyer's public address (the collector trusts X-Forwarded-For from localhost). */
  async function visit(visitor: string) {
    await postAcceptedBatch(collector.app, batch(siteKey, visitor, [pageview(BASE_TIME, 'https://acme-valves.com/')]), { 'x-forwarded-for': '80.156.1.77' });
    return collector.database.prepare('SELECT ip, ip_country FROM visitors WHERE client_id = ?').get(visitor);
  }

  describe('names and domains', () => {
    beforeEach(() => start());

    it('renames a site and replaces its domains, normalized like at creation, and lists it so', async () => {
      const response = await patch({ name: '  Acme Valves GmbH ', domains: ['https://www.Acme-Valves.de/', 'acme-valves.de', 'acme.com.br'] });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ key: siteKey, name: 'Acme Valves GmbH', domains: ['acme-valves.de', 'acme.com.br'] });
      expect((await collector.app.inject({ url: '/api/sites', headers: { cookie } })).json().sites).toEqual([response.json()]);
    });

    it('applies new domains to /collect at once: the old origin is refused, the new one accepted', async () => {
      expect((await patch({ domains: ['acme-valves.de'] })).statusCode).toBe(200);
      const event = () => batch(siteKey, 'visitor-1', [pageview(BASE_TIME, 'https://acme-valves.de/')]);
      expect((await postBatch(collector.app, event())).statusCode).toBe(403);
      expect((await postBatch(collector.app, event(), { origin: 'https://shop.acme-valves.de' })).statusCode).toBe(204);
    });

    it('changes only the fields sent', async () => {
      expect((await patch({ retention_days: 90 })).json()).toMatchObject({ name: 'Acme', domains: ['acme-valves.com'], ip_mode: null, retention_days: 90 });
      expect((await patch({ name: 'Acme 2' })).json()).toMatchObject({ name: 'Acme 2', retention_days: 90 });
      expect((await patch({ retention_days: null })).json()).toMatchObject({ name: 'Acme 2', retention_days: null });
    });

    it.each([
      ['no field', {}],
      ['an empty name', { name: '  ' }],
      ['no domain', { domains: [] }],
      ['a domain that is not one', { domains: ['not a domain!'] }],
      ['an unknown IP mode', { ip_mode: 'partial' }],
      ['zero days', { retention_days: 0 }],
      ['part of a day', { retention_days: 1.5 }],
      ['an unknown field', { colour: 'blue' }],
      ['a list instead of an object', [{ name: 'x' }]],
    ])('answers %s with 400 and changes nothing', async (_case, payload) => {
      const response = await patch(payload);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ error: 'invalid site changes', details: expect.any(Array) });
      expect((await collector.app.inject({ url: '/api/sites', headers: { cookie } })).json().sites[0]).toMatchObject({ name: 'Acme', domains: ['acme-valves.com'] });
    });

    it('answers an unknown site with 404', async () => {
      for (const key of ['nosuchsite', 'x'.repeat(80)]) {
        const response = await patch({ name: 'New' }, {}, key);
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ error: 'no such site' });
      }
    });

    it('needs a login and refuses a cookie-authenticated change from another origin (CSRF)', async () => {
      expect((await collector.app.inject({ method: 'PATCH', url: `/api/sites/${siteKey}`, payload: { name: 'x' } })).statusCode).toBe(401);
      expect((await patch({ name: 'Evil' }, { origin: 'https://evil.example' })).statusCode).toBe(403);
      expect((await patch({ name: 'Same origin' }, { origin: 'http://collector.test', host: 'collector.test' })).statusCode).toBe(200);
    });
  });

  describe('IP mode', () => {
    it('follows LEADTRAIL_IP_MODE until the site chooses, then stores as the site says', async () => {
      await start('truncated');
      const sites = (await collector.app.inject({ url: '/api/sites', headers: { cookie } })).json().sites;
      expect(sites[0]).toMatchObject({ ip_mode: null, ip_mode_default: 'truncated' });
      expect(await visit('visitor-default')).toEqual({ ip: '80.156.1.0', ip_country: 'DE' });

      expect((await patch({ ip_mode: 'full' })).json()).toMatchObject({ ip_mode: 'full', ip_mode_default: 'truncated' });
      expect(await visit('visitor-full')).toEqual({ ip: '80.156.1.77', ip_country: 'DE' });

      // Country and network still come from the full address, which is not kept.
      expect((await patch({ ip_mode: 'none' })).statusCode).toBe(200);
      expect(await visit('visitor-none')).toEqual({ ip: null, ip_country: 'DE' });
    });

    it('removes or truncates the addresses already stored when the mode becomes stricter', async () => {
      await start('full');
      await visit('visitor-before');
      expect((await patch({ ip_mode: 'truncated' })).statusCode).toBe(200);
      expect(await visit('visitor-after')).toEqual({ ip: '80.156.1.0', ip_country: 'DE' });
      expect(collector.database.prepare('SELECT ip FROM visitors ORDER BY id').pluck().all()).toEqual(['80.156.1.0', '80.156.1.0']);
      expect((await patch({ ip_mode: 'none' })).statusCode).toBe(200);
      expect(collector.database.prepare('SELECT ip FROM visitors').pluck().all()).toEqual([null, null]);
      // A returning browser must not bring its address back.
      expect(await visit('visitor-before')).toEqual({ ip: null, ip_country: 'DE' });
    });

    it('goes back to the server default with null', async () => {
      await start('none');
      expect((await patch({ ip_mode: 'full' })).statusCode).toBe(200);
      expect((await patch({ ip_mode: null })).json()).toMatchObject({ ip_mode: null, ip_mode_default: 'none' });
      expect(await visit('visitor-default')).toEqual({ ip: null, ip_country: 'DE' });
    });
  });
});
