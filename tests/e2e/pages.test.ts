/**
 * Page views and engagement in real Chromium, on a single-page app (tests/fixtures/pages): one
 * pageview per page the visitor sees, whatever the router does with history, and none twice; how
 * each page was used; and the tag under a strict Content-Security-Policy and on a page that breaks
 * what lt.js relies on. The observation point is what the collector stored.
 */
import { describe, expect, it } from 'vitest';
import type { ValidEvent } from '../../collector/ingest/schema.js';
import { tagLoaded, useFixtureBrowser } from '../helpers/fixture-browser.js';
import { eventually, storedEvents } from '../helpers/stored-events.js';

const { collector, browser, newSite, newContext } = useFixtureBrowser('pages');

const pathOf = (url: string) => {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search + parsed.hash;
};

/** Waits until the collector stored `count` events of `type` for the site (and no more arrive for a moment). */
async function storedOfType(siteKey: string, type: ValidEvent['type'], count: number): Promise<ValidEvent[]> {
  return eventually(() => {
    const events = storedEvents(collector(), siteKey).filter((event) => event.type === type);
    return events.length >= count ? events : undefined;
  }, `${count} stored ${type} events`);
}

describe('pageviews of a single-page app', () => {
  it('counts every page the router shows once, and neither a tidied url nor an anchor', async () => {
    const { siteKey, origin } = await newSite('SPA');
    const page = await browser().newPage();
    await page.goto(`${origin}/?utm_source=google&utm_medium=cpc&gclid=abc123`);
    await tagLoaded(page);
    await page.click('text=Products'); // pushState
    await page.click('#sort'); // replaceState, same path: the url is tidied, the page is the same
    await page.click('#canonical'); // replaceState to a new path: a new page
    await page.click('text=About'); // pushState
    await page.goBack(); // popstate
    await page.waitForURL('**/products/centrifugal-pumps');
    await page.click('#anchor'); // hashchange to an anchor: the same page
    await page.click('#hash-route'); // hashchange to a #/ route: a new page
    await page.waitForURL('**#/catalogue');

    const views = await storedOfType(siteKey, 'pageview', 6);
    // Nothing else arrives late: the anchor and the tidied url sent no pageview.
    await page.waitForTimeout(1500);
    expect(storedEvents(collector(), siteKey).filter((event) => event.type === 'pageview')).toHaveLength(6);
    expect(views.map((view) => pathOf(view.url))).toEqual([
      '/?utm_source=google&utm_medium=cpc&gclid=abc123',
      '/products',
      '/products/centrifugal-pumps',
      '/about',
      '/products/centrifugal-pumps',
      '/products/centrifugal-pumps#/catalogue',
    ]);
    const details = views.map((view) => view.type === 'pageview' && [view.title, view.referrer && pathOf(view.referrer)]);
    expect(details).toEqual([
      ['Ningbo Pumps — Home', undefined],
      ['Ningbo Pumps — Products', '/?utm_source=google&utm_medium=cpc&gclid=abc123'],
      // The referrer is the url of the page last counted, not of its tidied form.
      ['Ningbo Pumps — Centrifugal pumps', '/products'],
      ['Ningbo Pumps — About', '/products/centrifugal-pumps'],
      // On the back button the pageview is taken before the router's own popstate handler has
      // retitled the page, so it carries the title of the page left (as Plausible's and Umami's do).
      ['Ningbo Pumps — About', '/about'],
      ['Ningbo Pumps — Centrifugal pumps', '/products/centrifugal-pumps'],
    ]);
    await page.close();
  });

  it('reports how a page was used (active seconds, deepest scroll) when the router leaves it and when the tab closes', async () => {
    const { siteKey, origin } = await newSite('SPA engagement');
    const page = await browser().newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`${origin}/`);
    await tagLoaded(page);
    await page.click('text=About');
    // Reading: the visitor scrolls to the bottom over about three seconds.
    for (let step = 0; step < 3; step++) {
      await page.mouse.wheel(0, 1200);
      await page.waitForTimeout(1000);
    }
    await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
    await page.click('text=Products');
    await page.waitForTimeout(1200);
    await page.mouse.move(10, 10);
    await page.close({ runBeforeUnload: true });

    const engagements = await storedOfType(siteKey, 'engagement', 2);
    const about = engagements.find((event) => pathOf(event.url) === '/about');
    const products = engagements.find((event) => pathOf(event.url) === '/products');
    expect(about).toMatchObject({ scroll: 100 });
    expect(about!.type === 'engagement' && about!.seconds).toBeGreaterThanOrEqual(2);
    expect(products!.type === 'engagement' && products!.seconds).toBeGreaterThanOrEqual(1);
    // The page of the SPA navigation starts from the top again.
    expect(products!.type === 'engagement' && products!.scroll).toBeLessThan(100);
  });
});

describe('the tag on hostile ground', () => {
  it('works under a CSP that allows only the collector in script-src and connect-src, without a violation', async () => {
    const { siteKey, origin } = await newSite('Strict CSP');
    const context = await newContext();
    // Recorded by Playwright's init script, which the page's policy does not apply to.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const list = ((window as unknown as { violations?: string[] }).violations ??= []);
        list.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (message) => message.type() === 'error' && console.push(message.text()));
    page.on('pageerror', (error) => console.push(String(error)));
    await page.goto(`${origin}/csp.html`);
    await tagLoaded(page);
    await page.evaluate(() => window.leadtrail!('identify', { email: 'csp@example.com' }));
    await page.fill('[name=email]', 'csp@example.com');
    await page.click('button[type=submit]');
    await page.waitForLoadState('load');
    await storedOfType(siteKey, 'form_submit', 1);
    await storedOfType(siteKey, 'pageview', 2);
    expect(await page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? [])).toEqual([]);
    expect(console).toEqual([]);
    // The snippet's only global: compare with a fresh window of the same browser.
    const addedGlobals = await page.evaluate(() => {
      const frame = document.body.appendChild(document.createElement('iframe'));
      const fresh = new Set(Object.keys(frame.contentWindow!));
      frame.remove();
      return Object.keys(window).filter((key) => !fresh.has(key) && key !== 'violations');
    });
    expect(addedGlobals).toEqual(['leadtrail']);
    await context.close();
  });

  it('lets no error reach a page that breaks fetch and localStorage, and still delivers by beacon', async () => {
    const { siteKey, origin } = await newSite('Hostile page');
    const context = await newContext();
    const page = await context.newPage();
    const uncaught: string[] = [];
    page.on('pageerror', (error) => uncaught.push(String(error)));
    await page.goto(`${origin}/hostile.html`);
    await tagLoaded(page);
    await page.click('#products');
    await page.evaluate(() => {
      window.leadtrail!('track', 'quote_requested', { product: 'CP-50' });
      history.pushState(null, '', '/checkout');
    });
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => (window as unknown as { pageErrors: string[] }).pageErrors)).toEqual([]);
    expect(uncaught).toEqual([]);
    // Without localStorage the visitor id lives in a first-party cookie.
    const cookies = await context.cookies(origin);
    expect(cookies.map((cookie) => cookie.name)).toEqual(['_lt_vid']);
    const views = await storedOfType(siteKey, 'pageview', 3);
    expect(views.map((view) => pathOf(view.url))).toEqual(['/hostile.html', '/hostile.html#/products', '/checkout']);
    await storedOfType(siteKey, 'track', 1);
    await context.close();
  });
});
