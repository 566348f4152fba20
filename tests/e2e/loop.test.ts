/**
 * The whole loop in real Chromium: a page on the exporter's site carries the tag; the buyer lands
 * from a marketplace, goes to the contact page and sends an inquiry; the collector's trail shows
 * both page views and the form fill in order, the lead is in the CSV, and what must never be
 * captured (a password, a card number, a hidden field) is nowhere in the SQLite files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { inboxDirectory, listSegments, segmentFile } from '../../collector/ingest/inbox-files.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { loginCookie, startCollector, type TestCollector } from '../helpers/collector.js';
import { serveFixtureSite, type FixtureSite } from '../helpers/fixture-site.js';
import { eventually } from '../helpers/stored-events.js';

const PASSWORD_TYPED = 'Hunter2-Secret-Pass';
const CARD_TYPED = '4111 1111 1111 1111';

describe('tag → collector → trail → CSV, in Chromium', () => {
  let collector: TestCollector;
  let site: FixtureSite;
  let browser: Browser;
  let siteKey: string;
  let cookie: string;

  beforeAll(async () => {
    collector = await startCollector();
    cookie = await loginCookie(collector.app);
    const created = await collector.app.inject({ method: 'POST', url: '/api/sites', headers: { cookie }, payload: { name: 'Acme Valves', domains: ['localhost'] } });
    siteKey = created.json().key;
    site = await serveFixtureSite({ collector: collector.url, siteKey });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await collector?.close();
  });

  const api = async (url: string) => (await collector.app.inject({ url, headers: { cookie } })).json();

  it('records the visit and the inquiry as one trail, exports the lead, and stores no password or card number', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/?utm_source=alibaba.com&utm_medium=referral&utm_campaign=valves-2026`);
    await page.waitForFunction(() => typeof window.leadtrail === 'function');
    // The snippet adds exactly one global: compare with a fresh window of the same browser.
    const addedGlobals = await page.evaluate(() => {
      const frame = document.body.appendChild(document.createElement('iframe'));
      const fresh = new Set(Object.keys(frame.contentWindow!));
      frame.remove();
      return Object.keys(window).filter((key) => !fresh.has(key));
    });
    expect(addedGlobals).toEqual(['leadtrail']);
    await page.click('#contact-link');
    await page.waitForURL('**/contact.html');
    await page.fill('[name=first_name]', 'Ana');
    await page.fill('[name=last_name]', 'Souza');
    await page.fill('[name=your-email]', 'Ana.Souza@Importadora.com.br');
    await page.fill('[name=company]', 'Importadora Souza Ltda');
    await page.fill('[name=password]', PASSWORD_TYPED);
    await page.fill('[name=payment]', CARD_TYPED);
    await page.fill('[name=message]', 'Please quote 200 pcs DN50, CIF Santos.');
    await page.click('button[type=submit]');
    await page.waitForURL('**/thanks.html');

    const person = await eventually(async () => {
      const { people } = await api(`/api/visitors?site=${siteKey}&q=importadora`);
      return people.find((candidate: { identified: boolean }) => candidate.identified);
    }, 'the identified person');
    expect(person).toMatchObject({ email: 'ana.souza@importadora.com.br', name: 'Ana Souza', company: 'Importadora Souza Ltda' });

    const trail = await eventually(async () => {
      const current = await api(`/api/people/${person.id}/trail`);
      const types = current.sessions.flatMap((session: { events: Array<{ type: string }> }) => session.events.map((item) => item.type));
      return types.filter((type: string) => type === 'pageview').length >= 3 ? current : undefined;
    }, 'three page views in the trail');

    const events = trail.sessions.flatMap((session: { events: Array<Record<string, unknown>> }) => session.events);
    const path = (url: unknown) => new URL(String(url)).pathname;
    const steps = events.filter((item: { type: string }) => item.type === 'pageview' || item.type === 'form_submit').map((item: { type: string; url: string }) => `${item.type} ${path(item.url)}`);
    // The form's event goes out as the page unloads, and on a loaded machine that beacon can arrive
    // after the next page's: stitching places it with the browser's quickest beacon's clock offset,
    // not its own, which would count its longer transit as clock skew (ingest/clock.ts).
    expect(steps).toEqual(['pageview /', 'pageview /contact.html', 'form_submit /contact.html', 'pageview /thanks.html']);
    const times = events.map((item: { ts: string }) => Date.parse(item.ts));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(trail.sessions[0]).toMatchObject({ channel: 'b2b_marketplace', source: 'alibaba.com', campaign: 'valves-2026' });

    const fill = events.find((item: { type: string }) => item.type === 'form_submit');
    expect(fill.fields).toMatchObject({ email: 'Ana.Souza@Importadora.com.br', name: 'Ana Souza', company: 'Importadora Souza Ltda', message: 'Please quote 200 pcs DN50, CIF Santos.' });
    const sent = JSON.stringify(fill.fields);
    expect(sent).not.toContain(PASSWORD_TYPED);
    expect(sent).not.toContain('4111');
    expect(sent).not.toContain('HIDDEN-TOKEN-77');

    const csv = (await collector.app.inject({ url: `/api/leads.csv?site=${siteKey}`, headers: { cookie } })).body;
    const [header, row] = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(header!.split(',')[0]).toBe('email');
    expect(row!.startsWith('ana.souza@importadora.com.br,Ana Souza,,Importadora Souza Ltda,,"Please quote 200 pcs DN50, CIF Santos."')).toBe(true);
    expect(row).toContain(',b2b_marketplace,alibaba.com,valves-2026,');
    expect(row).toContain(`${collector.url}/people/${person.id}`);

    // Closing the tab sends the thank-you page's engagement by beacon while it unloads; Playwright
    // cannot see that request, so the proof is what the collector stored.
    await page.close({ runBeforeUnload: true });
    const engagement = await eventually(async () => {
      const current = await api(`/api/people/${person.id}/trail`);
      return current.sessions
        .flatMap((session: { events: Array<{ type: string; url: string }> }) => session.events)
        .find((item: { type: string; url: string }) => item.type === 'engagement' && path(item.url) === '/thanks.html');
    }, 'the engagement beacon of the closed page');
    expect(engagement.seconds).toBeGreaterThanOrEqual(0);

    // Every file the collector writes: the database, its WAL, and the inbox's segments (the beacons as received).
    const inbox = inboxDirectory(collector.databaseFile);
    const stored = Buffer.concat(
      [collector.databaseFile, `${collector.databaseFile}-wal`, ...listSegments(inbox).map((segment) => segmentFile(inbox, segment))]
        .filter((file) => existsSync(file))
        .map((file) => readFileSync(file)),
    );
    // The scan looks at the right bytes: the lead's email is there…
    expect(stored.includes('ana.souza@importadora.com.br')).toBe(true);
    // …and what must never be captured is not.
    expect(stored.includes(PASSWORD_TYPED)).toBe(false);
    expect(stored.includes('4111 1111 1111 1111') || stored.includes('4111111111111111')).toBe(false);
    expect(stored.includes('HIDDEN-TOKEN-77')).toBe(false);
  });
});
