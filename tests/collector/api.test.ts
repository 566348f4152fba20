/** The authenticated API (SPEC §4) on the real app with a temp SQLite file. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BASE_TIME, MINUTE, batch, formSubmit, pageview, event } from '../helpers/batches.js';
import { createTestCollector, loginCookie, type TestCollector, postAcceptedBatch } from '../helpers/collector.js';
import type { WireEvent } from '../../collector/ingest/schema.js';

const SITE = 'https://acme-valves.com';

describe('API', () => {
  let collector: TestCollector;
  let cookie: string;

  beforeEach(async () => {
    collector = await createTestCollector();
    cookie = await loginCookie(collector.app);
  });
  afterEach(() => collector.close());

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) =>
    collector.app.inject({ method, url, payload, headers: { cookie, ...headers } });

  async function createSite(domains = ['acme-valves.com']): Promise<string> {
    const response = await api('POST', '/api/sites', { name: 'Acme Valves', domains });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().key;
  }

  const collect = (siteKey: string, visitor: string, events: WireEvent[]) => postAcceptedBatch(collector.app, batch(siteKey, visitor, events));

  describe('authentication', () => {
    it('logs in with the admin password and sets an HttpOnly, SameSite=Strict session cookie', async () => {
      const response = await collector.app.inject({ method: 'POST', url: '/api/login', payload: { password: collector.adminPassword } });
      expect(response.statusCode).toBe(200);
      const setCookie = String(response.headers['set-cookie']);
      expect(setCookie).toMatch(/^lt_session=/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Strict/);
    });

    it('answers a wrong password with 401 and a missing one with 400', async () => {
      expect((await collector.app.inject({ method: 'POST', url: '/api/login', payload: { password: 'guess' } })).statusCode).toBe(401);
      expect((await collector.app.inject({ method: 'POST', url: '/api/login', payload: {} })).statusCode).toBe(400);
    });

    it('answers every /api route with 401 without a session or token', async () => {
      for (const url of ['/api/me', '/api/sites', '/api/visitors?site=x', '/api/people/1/trail', '/api/leads?site=x', '/api/leads.csv?site=x', '/api/tokens']) {
        const response = await collector.app.inject({ url });
        expect(response.statusCode, url).toBe(401);
        expect(response.json()).toHaveProperty('error');
      }
    });

    it('ends the session on logout', async () => {
      expect((await api('GET', '/api/me')).statusCode).toBe(200);
      expect((await api('POST', '/api/logout')).statusCode).toBe(204);
      expect((await api('GET', '/api/me')).statusCode).toBe(401);
    });

    it('accepts API tokens as Bearer on every route, shows the secret once and revokes it', async () => {
      const created = await api('POST', '/api/tokens', { name: 'CRM sync' });
      expect(created.statusCode).toBe(201);
      const { token, id } = created.json();
      expect(token).toMatch(/^lt_/);
      const bearer = { authorization: `Bearer ${token}` };
      expect((await collector.app.inject({ url: '/api/sites', headers: bearer })).statusCode).toBe(200);
      const listed = (await api('GET', '/api/tokens')).json().tokens;
      expect(listed).toEqual([expect.objectContaining({ id, name: 'CRM sync', last_used_at: expect.any(String) })]);
      expect(JSON.stringify(listed)).not.toContain(token);
      expect((await api('DELETE', `/api/tokens/${id}`)).statusCode).toBe(204);
      expect((await collector.app.inject({ url: '/api/sites', headers: bearer })).statusCode).toBe(401);
      expect((await api('DELETE', `/api/tokens/${id}`)).statusCode).toBe(404);
    });

    it('refuses a cookie-authenticated change sent from another origin (CSRF)', async () => {
      const response = await api('POST', '/api/sites', { name: 'Evil', domains: ['evil.example'] }, { origin: 'https://evil.example' });
      expect(response.statusCode).toBe(403);
      expect((await api('GET', '/api/sites')).json().sites).toEqual([]);
    });
  });

  describe('sites', () => {
    it('creates a site with its tag and lists it', async () => {
      const response = await api('POST', '/api/sites', { name: 'Acme', domains: ['https://www.Acme-Valves.com/', 'shop.acme.de'] });
      expect(response.statusCode).toBe(201);
      const site = response.json();
      expect(site).toMatchObject({ name: 'Acme', domains: ['acme-valves.com', 'shop.acme.de'], time_zone: 'UTC' });
      expect(site.snippet).toBe(`<script defer src="${collector.url}/lt.js" data-site="${site.key}"></script>`);
      expect((await api('GET', '/api/sites')).json().sites).toEqual([site]);
    });

    it('answers a site without a name or with a malformed domain with 400 naming the field', async () => {
      const noName = await api('POST', '/api/sites', { domains: ['acme.com'] });
      expect(noName.statusCode).toBe(400);
      expect(noName.json().details[0].path).toBe('name');
      const badDomain = await api('POST', '/api/sites', { name: 'x', domains: ['not a domain!'] });
      expect(badDomain.statusCode).toBe(400);
      expect(badDomain.json().details[0].path).toBe('domains.0');
    });

    it('keeps a site\'s reporting time zone as the IANA name given, and answers one Intl does not know with 400', async () => {
      const kolkata = await api('POST', '/api/sites', { name: 'Acme', domains: ['acme.com'], time_zone: 'Asia/Kolkata' });
      expect(kolkata.statusCode).toBe(201);
      expect(kolkata.json().time_zone).toBe('Asia/Kolkata');
      for (const time_zone of ['Mars/Olympus_Mons', '+05:30', 'UTC; DROP TABLE sites', '', 42]) {
        const response = await api('POST', '/api/sites', { name: 'Acme', domains: ['acme.com'], time_zone });
        expect(response.statusCode, String(time_zone)).toBe(400);
        expect(response.json()).toMatchObject({ error: expect.any(String), details: [{ path: 'time_zone' }] });
      }
    });
  });

  describe('people', () => {
    it('lists leads and anonymous visitors, newest activity first, and searches email, name and company', async () => {
      const siteKey = await createSite();
      await collect(siteKey, 'visitor-anon', [pageview(BASE_TIME, `${SITE}/`)]);
      await collect(siteKey, 'visitor-lead', [formSubmit(BASE_TIME + MINUTE, `${SITE}/contact`, { email: 'li.wei@shenzhen-pumps.cn', name: '李伟', company: 'Shenzhen Pumps Co.' })]);
      const all = (await api('GET', `/api/visitors?site=${siteKey}`)).json();
      expect(all.people.map((person: { email: string | null; identified: boolean }) => [person.email, person.identified])).toEqual([
        ['li.wei@shenzhen-pumps.cn', true],
        [null, false],
      ]);
      expect(all.people[0].last_seen).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(all.next).toBeNull();
      for (const q of ['SHENZHEN-PUMPS', '李伟', 'pumps co']) {
        const found = (await api('GET', `/api/visitors?site=${siteKey}&q=${encodeURIComponent(q)}`)).json().people;
        expect(found.map((person: { name: string }) => person.name), q).toEqual(['李伟']);
      }
      expect((await api('GET', `/api/visitors?site=${siteKey}&q=%25`)).json().people).toEqual([]);
    });

    it('pages through people with a cursor', async () => {
      const siteKey = await createSite();
      for (let index = 0; index < 5; index++) await collect(siteKey, `visitor-${index}-page`, [pageview(BASE_TIME + index * MINUTE, `${SITE}/`)]);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { people: Array<{ id: number }>; next: string | null } = (
          await api('GET', `/api/visitors?site=${siteKey}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        ).json();
        seen.push(...page.people.map((person) => person.id));
        cursor = page.next;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
      expect((await api('GET', `/api/visitors?site=${siteKey}&cursor=garbage`)).statusCode).toBe(400);
    });

    it('answers the people list without ?site with 400 and with an unknown site with 404', async () => {
      expect((await api('GET', '/api/visitors')).statusCode).toBe(400);
      expect((await api('GET', '/api/visitors?site=unknown')).statusCode).toBe(404);
    });

    it('returns one person\'s trail: sessions and events in time order with ISO times and form fields', async () => {
      const siteKey = await createSite();
      await collect(siteKey, 'visitor-trail', [
        pageview(BASE_TIME, `${SITE}/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=valves-eu`, { title: 'Home', referrer: 'https://www.linkedin.com/' }),
        event('chat_open', BASE_TIME + MINUTE, `${SITE}/`, { provider: 'whatsapp', target: '8613800000000' }),
        formSubmit(BASE_TIME + 2 * MINUTE, `${SITE}/contact`, { email: 'buyer@example.com', message: 'Need 200 DN50 valves' }),
      ]);
      const [person] = (await api('GET', `/api/visitors?site=${siteKey}`)).json().people;
      const trail = (await api('GET', `/api/people/${person.id}/trail`)).json();
      expect(trail.person).toMatchObject({ id: person.id, email: 'buyer@example.com', message: 'Need 200 DN50 valves', first_touch: { channel: 'paid_social', campaign: 'valves-eu' } });
      expect(trail.devices).toEqual([expect.objectContaining({ browser: 'Chrome', os: 'Windows', device: 'desktop' })]);
      expect(trail.sessions).toHaveLength(1);
      const [session] = trail.sessions;
      expect(session).toMatchObject({ channel: 'paid_social', source: 'linkedin', medium: 'paid_social', campaign: 'valves-eu', device: trail.devices[0].id });
      expect(session.events.map((item: { type: string }) => item.type)).toEqual(['pageview', 'chat_open', 'form_submit']);
      expect(session.events[0]).toMatchObject({ title: 'Home', ts: new Date(session.events[0].ts).toISOString() });
      expect(session.events[1]).toMatchObject({ provider: 'whatsapp', target: '8613800000000' });
      expect(session.events[2].fields).toEqual({ email: 'buyer@example.com', message: 'Need 200 DN50 valves' });
    });

    it('answers unknown and malformed person ids with 404', async () => {
      expect((await api('GET', '/api/people/999999/trail')).statusCode).toBe(404);
      expect((await api('GET', '/api/people/abc/trail')).statusCode).toBe(404);
      expect((await api('GET', '/api/nothing-here')).statusCode).toBe(404);
    });

    it('erases a person and everything tied to them', async () => {
      const siteKey = await createSite();
      await collect(siteKey, 'visitor-erase', [pageview(BASE_TIME, `${SITE}/`), formSubmit(BASE_TIME + MINUTE, `${SITE}/contact`, { email: 'gone@buyer.com' })]);
      const [person] = (await api('GET', `/api/visitors?site=${siteKey}`)).json().people;
      expect((await api('DELETE', `/api/people/${person.id}`)).statusCode).toBe(204);
      expect((await api('GET', `/api/people/${person.id}/trail`)).statusCode).toBe(404);
      for (const table of ['people', 'visitors', 'sessions', 'events', 'identity_links']) {
        expect(collector.database.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(0);
      }
    });

    it('erases the inbox records stitching set aside that name their browser or their email, and no others', async () => {
      const siteKey = await createSite();
      await collect(siteKey, 'visitor-erase-set-aside', [formSubmit(BASE_TIME, `${SITE}/contact`, { email: 'gone@buyer.com' })]);
      const setAside = collector.database.prepare('INSERT INTO ingest_failures (failed_at, record, failure) VALUES (?, ?, ?)');
      // As they would be set aside: records of a site since deleted, a record a damaged disk cut short.
      setAside.run(BASE_TIME, '{"site":999,"beacon":{"visitor":"visitor-erase-set-aside","events":[]}}', 'their browser');
      setAside.run(BASE_TIME, '{"site":999,"beacon":{"visitor":"visitor-other","events":[{"fields":{"email":"Gone@Buyer.com"', 'their email, cut short');
      setAside.run(BASE_TIME, '{"site":999,"beacon":{"visitor":"visitor-other","events":[]}}', 'someone else');
      const [person] = (await api('GET', `/api/visitors?site=${siteKey}`)).json().people;
      expect((await api('DELETE', `/api/people/${person.id}`)).statusCode).toBe(204);
      expect(collector.database.prepare('SELECT failure FROM ingest_failures').pluck().all()).toEqual(['someone else']);
    });
  });

  describe('leads', () => {
    it('exports leads as CSV with a BOM, the SPEC columns in order, and formula-guarded cells', async () => {
      const siteKey = await createSite();
      await collect(siteKey, 'visitor-csv', [
        pageview(BASE_TIME, `${SITE}/?gclid=abc123`, { referrer: 'https://www.google.com/' }),
        formSubmit(BASE_TIME + MINUTE, `${SITE}/contact`, { email: 'josé@example.com', name: 'José Müller, "Jr."', company: '=HYPERLINK("http://x")', phone: '+34 600 000 000', message: 'Line one\nLine two' }),
      ]);
      await collect(siteKey, 'visitor-anonymous', [pageview(BASE_TIME, `${SITE}/`)]);
      const response = await api('GET', `/api/leads.csv?site=${siteKey}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(/attachment; filename="leadtrail-leads-/);
      const body = response.rawPayload.toString('utf8');
      expect(body.startsWith('\uFEFFemail,name,phone,company,country,message,first_seen,last_seen,sessions,pageviews,forms,chats,first_channel,first_source,first_campaign,last_channel,last_source,gclid,fbclid,ip_country,organisation,device,trail_url\r\n')).toBe(true);
      expect(body).toContain('"José Müller, ""Jr."""');
      expect(body).toContain(`"'=HYPERLINK(""http://x"")"`);
      expect(body).toContain("'+34 600 000 000");
      expect(body).toContain('"Line one\nLine two"');
      expect(body).toContain(',1,1,1,0,paid_search,google,,paid_search,google,abc123,,');
      expect(body.trimEnd().split('\r\n')).toHaveLength(2);
    });

    it('lists the same leads as JSON and filters CSV rows by activity date', async () => {
      const siteKey = await createSite();
      await collect(siteKey, 'visitor-json', [formSubmit(BASE_TIME, `${SITE}/contact`, { email: 'buyer@example.com' })]);
      const { leads } = (await api('GET', `/api/leads?site=${siteKey}`)).json();
      expect(leads).toEqual([expect.objectContaining({ email: 'buyer@example.com', forms: 1, trail_url: `${collector.url}/people/${leads[0].id}` })]);
      const day = new Date(BASE_TIME).toISOString().slice(0, 10);
      const dayAfter = new Date(BASE_TIME + 24 * 60 * MINUTE).toISOString().slice(0, 10);
      const rows = async (query: string) => (await api('GET', `/api/leads.csv?site=${siteKey}${query}`)).body.trimEnd().split('\r\n').length - 1;
      expect(await rows(`&from=${day}&to=${day}`)).toBe(1);
      expect(await rows(`&from=${dayAfter}`)).toBe(0);
      expect((await api('GET', `/api/leads.csv?site=${siteKey}&from=someday`)).statusCode).toBe(400);
    });
  });
});
