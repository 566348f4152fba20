/**
 * Getting events to the collector in real Chromium when the network fails, and sending nothing at
 * all without consent. "Exactly once" is judged on what the collector stored, by event id and by
 * type: nothing lost (every event the page made is there) and nothing doubled.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { ValidEvent } from '../../collector/ingest/schema.js';
import { tagLoaded, useFixtureBrowser } from '../helpers/fixture-browser.js';
import { eventually, storedEvents } from '../helpers/stored-events.js';

const { collector, newSite, newContext } = useFixtureBrowser('pages');

const pathOf = (url: string) => new URL(url).pathname + new URL(url).hash;
const describeEvent = (event: ValidEvent) =>
  event.type === 'pageview' ? `pageview ${pathOf(event.url)}` : event.type === 'track' ? `track ${event.name}` : event.type;

/** The ids of the events waiting in the page's retry store. */
const waitingIds = (page: Page): Promise<string[]> =>
  page.evaluate(() => (JSON.parse(localStorage.getItem('_lt_retry') ?? '[]') as Array<{ id: string }>).map((event) => event.id));

/**
 * Waits until every id in `ids` is stored, then checks the site's stored events: each id once, and
 * the events (engagement aside, whose count depends on timing) exactly `expected`, in any order.
 */
async function expectStoredOnce(siteKey: string, ids: string[], expected: string[]): Promise<ValidEvent[]> {
  const events = await eventually(() => {
    const stored = storedEvents(collector(), siteKey);
    const storedIds = new Set(stored.map((event) => event.id));
    return ids.every((id) => storedIds.has(id)) && stored.filter((event) => event.type !== 'engagement').length >= expected.length ? stored : undefined;
  }, `${ids.length} events waiting in the browser, and ${expected.length} in all`);
  // Anything doubled by a late re-send would arrive now.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const final = storedEvents(collector(), siteKey);
  expect(final.length).toBe(events.length);
  const counts = new Map<string, number>();
  for (const event of final) counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
  expect([...counts.values()].filter((count) => count > 1)).toEqual([]);
  const described = final.filter((event) => event.type !== 'engagement').map(describeEvent);
  expect(described.sort()).toEqual([...expected].sort());
  return final;
}

/** A new visitor on the home page of a new site, once the collector has stored its landing pageview. */
async function landed(name: string): Promise<{ siteKey: string; origin: string; context: BrowserContext; page: Page }> {
  const { siteKey, origin } = await newSite(name);
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await tagLoaded(page);
  await eventually(() => storedEvents(collector(), siteKey)[0], 'the landing pageview');
  return { siteKey, origin, context, page };
}

describe('retries in Chromium', () => {
  it('delivers what was done offline exactly once when the browser is back online', async () => {
    const { siteKey, context, page } = await landed('Offline then online');

    await context.setOffline(true);
    await page.click('text=Products');
    await page.evaluate(() => {
      window.leadtrail!('track', 'quote_requested', { product: 'CP-50' });
      window.leadtrail!('identify', { email: 'offline.buyer@example.com' });
    });
    // The debounced batch has failed too: everything made offline waits in localStorage.
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('_lt_retry') ?? '[]').length >= 3);
    const waiting = await waitingIds(page);
    // Past the first retry (2 s after the failure), which fails too; the next is 4 s after that.
    await page.waitForTimeout(3000);
    expect(storedEvents(collector(), siteKey).filter((event) => waiting.includes(event.id))).toEqual([]);

    const onlineAt = Date.now();
    await context.setOffline(false);
    await eventually(() => {
      const storedIds = new Set(storedEvents(collector(), siteKey).map((event) => event.id));
      return waiting.every((id) => storedIds.has(id)) || undefined;
    }, 'the events made offline');
    // Sent on the browser's `online` event, well before the next backoff step.
    expect(Date.now() - onlineAt).toBeLessThan(2000);
    await expectStoredOnce(siteKey, waiting, ['pageview /', 'pageview /products', 'track quote_requested', 'identify']);
    expect(await waitingIds(page)).toEqual([]);
    await context.close();
  });

  it('hands what a page could not send offline to the next page load, and sends it once', async () => {
    const { siteKey, origin, context, page } = await landed('Left offline');

    await context.setOffline(true);
    // The page learns it is offline a moment later (a task from the browser process).
    await page.waitForFunction(() => !navigator.onLine);
    await page.evaluate(() => {
      window.leadtrail!('track', 'left_offline');
      history.pushState(null, '', '/offline-page');
    });
    // Closed offline right away, before the debounced send: pagehide keeps the batch instead of a beacon that would be lost.
    const closed = page.waitForEvent('close');
    await page.close({ runBeforeUnload: true });
    await closed;
    await context.setOffline(false);
    // A page of the origin without the tag (the fixture server's 404) shows what waits. Chromium
    // commits a closing page's localStorage writes a moment later, hence the polling.
    const next = await context.newPage();
    await next.goto(`${origin}/no-tag-here`);
    const waiting = await eventually(async () => {
      const ids = await waitingIds(next);
      return ids.length >= 2 ? ids : void (await next.reload());
    }, 'the events kept by the page closed offline', 5000);
    await next.goto(`${origin}/csp.html`);
    await expectStoredOnce(siteKey, waiting, ['pageview /', 'pageview /offline-page', 'track left_offline', 'pageview /csp.html']);
    await context.close();
  });

  it('re-sends on reload what failed while the collector was unreachable, and beacons what was still queued', async () => {
    const { siteKey, origin } = await newSite('Reload');
    const context = await newContext();
    const page = await context.newPage();
    const collect = `${collector().url}/collect`;
    await page.route(collect, (route) => route.abort('connectionrefused'));
    await page.goto(`${origin}/`);
    await tagLoaded(page);
    await page.evaluate(() => {
      window.leadtrail!('track', 'while_down');
      // A path the fixture server also answers, for the reload.
      history.pushState(null, '', '/index');
    });
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('_lt_retry') ?? '[]').length >= 3);
    const waiting = await waitingIds(page);
    expect(storedEvents(collector(), siteKey)).toEqual([]);

    await page.unroute(collect);
    // Queued, not yet sent (the batch waits a second), when the page reloads.
    await page.evaluate(() => window.leadtrail!('track', 'just_before_reload'));
    await page.reload();
    await tagLoaded(page);
    await expectStoredOnce(siteKey, waiting, [
      'pageview /',
      'track while_down',
      'pageview /index',
      'track just_before_reload',
      'pageview /index',
    ]);
    await context.close();
  });

  it('stores once a batch the collector stored but whose answer was lost, when the snippet sends it again', async () => {
    const { siteKey, origin } = await newSite('Lost answer');
    const context = await newContext();
    const page = await context.newPage();
    const sentIds: string[][] = [];
    await page.route(`${collector().url}/collect`, async (route) => {
      sentIds.push((JSON.parse(route.request().postData() ?? '{}').events ?? []).map((event: { id: string }) => event.id));
      if (sentIds.length > 1) return route.continue();
      // The collector stores the batch; its answer never reaches the page (here: a gateway error instead).
      const stored = await route.fetch();
      expect(stored.status()).toBe(204);
      return route.fulfill({ status: 502, headers: { 'access-control-allow-origin': '*' } });
    });
    await page.goto(`${origin}/`);
    await tagLoaded(page);
    // The first attempt after a second, the retry two seconds after it fails.
    await eventually(() => (sentIds.length >= 2 ? true : undefined), 'the retry');
    expect(sentIds[1]).toEqual(sentIds[0]);
    await expectStoredOnce(siteKey, sentIds[0]!, ['pageview /']);
    await context.close();
  });
});

/** Every /collect request any page of the context makes. */
function watchCollectRequests(context: BrowserContext): string[] {
  const requests: string[] = [];
  context.on('request', (request) => {
    if (request.url().startsWith(`${collector().url}/collect`)) requests.push(request.postData() ?? '');
  });
  return requests;
}

/** What the browser keeps for the site's origin: cookies, and localStorage and sessionStorage entries. */
async function keptByBrowser(context: BrowserContext, page: Page, origin: string) {
  const state = await context.storageState();
  const local = state.origins.find((entry) => entry.origin === origin)?.localStorage ?? [];
  const session = await page.evaluate(() => sessionStorage.length);
  return { cookies: state.cookies.map((cookie) => cookie.name), localStorage: local.map((entry) => entry.name), sessionStorage: session };
}
const NOTHING_KEPT = { cookies: [], localStorage: [], sessionStorage: 0 };

/** A visit that does everything the snippet records. */
async function useThePage(page: Page): Promise<void> {
  await page.fill('[name=email]', 'careful.buyer@example.com');
  await page.fill('[name=message]', 'Price for 20 pumps?');
  await page.click('button[type=submit]');
  await page.click('#whatsapp');
  await page.evaluate(() => {
    window.leadtrail!('identify', { email: 'careful.buyer@example.com' });
    window.leadtrail!('track', 'quote_requested');
    history.pushState(null, '', '/quote-sent');
  });
}

describe('consent in Chromium', () => {
  it('with data-consent="required", sends and stores nothing before consent, then sends what waited once it is given', async () => {
    const { siteKey, origin } = await newSite('Consent required');
    const context = await newContext();
    const requests = watchCollectRequests(context);
    const page = await context.newPage();
    await page.goto(`${origin}/consent.html`);
    await tagLoaded(page);
    await useThePage(page);
    // Past the debounce, and hidden and shown again: every moment the snippet would send.
    await page.waitForTimeout(1500);
    await page.evaluate(() => {
      document.dispatchEvent(new Event('visibilitychange'));
      dispatchEvent(new Event('pagehide'));
      dispatchEvent(new Event('online'));
    });
    await page.waitForTimeout(500);
    expect(requests).toEqual([]);
    expect(storedEvents(collector(), siteKey)).toEqual([]);
    expect(await keptByBrowser(context, page, origin)).toEqual(NOTHING_KEPT);

    await page.evaluate(() => window.leadtrail!('consent', true));
    const stored = await eventually(() => {
      const events = storedEvents(collector(), siteKey);
      return events.some((event) => event.type === 'track') && events.filter((event) => event.type === 'pageview').length == 2 ? events : undefined;
    }, 'the events made before consent');
    expect(stored.filter((event) => event.type !== 'engagement').map(describeEvent).sort()).toEqual(
      ['pageview /consent.html', 'form_start', 'form_submit', 'chat_open', 'identify', 'track quote_requested', 'pageview /quote-sent'].sort(),
    );
    expect((await keptByBrowser(context, page, origin)).localStorage).toEqual(['_lt_vid']);

    // Withdrawn: the visitor id goes, and nothing more is sent.
    await page.evaluate(() => window.leadtrail!('consent', false));
    expect(await keptByBrowser(context, page, origin)).toEqual(NOTHING_KEPT);
    const sentBefore = requests.length;
    await page.evaluate(() => {
      window.leadtrail!('track', 'after_withdrawal');
      history.pushState(null, '', '/after-withdrawal');
    });
    await page.waitForTimeout(1500);
    await page.close({ runBeforeUnload: true });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(requests.length).toBe(sentBefore);
    expect(storedEvents(collector(), siteKey).map(describeEvent)).not.toContain('track after_withdrawal');
    expect(storedEvents(collector(), siteKey).length).toBe(stored.length);
    await context.close();
  });

  it.each([
    ['Global Privacy Control', 'index.html', () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })],
    ['Do Not Track with data-respect-dnt', 'do-not-track.html', () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' })],
  ])('under %s, sends and stores nothing, even after consent', async (_, file, signal) => {
    const { siteKey, origin } = await newSite(`Privacy signal ${file}`);
    const context = await newContext();
    await context.addInitScript(signal);
    const requests = watchCollectRequests(context);
    const page = await context.newPage();
    await page.goto(`${origin}/${file}`);
    await tagLoaded(page);
    await page.evaluate(() => {
      window.leadtrail!('consent', true);
      window.leadtrail!('identify', { email: 'private.buyer@example.com' });
      window.leadtrail!('track', 'quote_requested');
      history.pushState(null, '', '/elsewhere');
    });
    await page.waitForTimeout(1500);
    expect(await keptByBrowser(context, page, origin)).toEqual(NOTHING_KEPT);
    await page.close({ runBeforeUnload: true });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(requests).toEqual([]);
    expect(storedEvents(collector(), siteKey)).toEqual([]);
    await context.close();
  });
});
