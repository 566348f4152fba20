// @vitest-environment jsdom
import { beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { loadSnippet, recordRequests, type Recorder } from './page.js';

let sent: Recorder;
const origin = location.origin;

/** Sends what is queued and returns the pageviews sent since the last call. */
function pageviews() {
  vi.advanceTimersByTime(1000);
  const views = sent.eventsOf('pageview').map(({ url, referrer, title }) => ({ url, referrer, title }));
  sent.requests.length = 0;
  return views;
}

beforeAll(async () => {
  vi.useFakeTimers();
  history.replaceState(null, '', '/landing?utm_source=alibaba&gclid=abc123');
  document.title = 'Landing';
  sent = recordRequests();
  await loadSnippet();
});

beforeEach(() => {
  document.title = 'Page';
});

it('sends one pageview on load, with the full url so the collector sees UTM parameters and click ids', () => {
  expect(pageviews()).toEqual([{ url: `${origin}/landing?utm_source=alibaba&gclid=abc123`, referrer: undefined, title: 'Landing' }]);
});

it('sends a pageview on pushState, with the previous url as referrer', () => {
  history.pushState(null, '', '/products');
  expect(pageviews()).toEqual([{ url: `${origin}/products`, referrer: `${origin}/landing?utm_source=alibaba&gclid=abc123`, title: 'Page' }]);
});

it('never sends two pageviews in a row for the same url', () => {
  history.pushState(null, '', '/products');
  history.pushState({ scroll: 10 }, '', '/products');
  history.pushState(null, '', '/products#specs');
  expect(pageviews()).toEqual([]);
});

it('ignores replaceState that keeps the path, and counts one that changes it', () => {
  history.replaceState(null, '', '/products?sort=price');
  expect(pageviews()).toEqual([]);
  history.replaceState(null, '', '/products/pet-flakes');
  expect(pageviews()).toEqual([{ url: `${origin}/products/pet-flakes`, referrer: `${origin}/products`, title: 'Page' }]);
});

it('sends a pageview when the back button returns to an earlier page', async () => {
  history.pushState(null, '', '/about');
  pageviews();
  history.back();
  await vi.waitFor(() => expect(location.pathname).toBe('/products/pet-flakes'));
  expect(pageviews()).toEqual([{ url: `${origin}/products/pet-flakes`, referrer: `${origin}/about`, title: 'Page' }]);
});

/** Follows an in-page link to `hash` and waits for the browser's hashchange (a task jsdom queues on the faked clock). */
async function goToHash(hash: string): Promise<void> {
  let changed = false;
  addEventListener('hashchange', () => (changed = true), { once: true });
  location.hash = hash;
  await vi.waitFor(() => expect(changed).toBe(true));
}

it('counts a hash route (#/ or #!) as a page, and an anchor hash as none', async () => {
  await goToHash('#/catalogue');
  expect(pageviews().map((view) => view.url)).toEqual([`${origin}/products/pet-flakes#/catalogue`]);
  history.pushState(null, '', '/faq');
  pageviews();
  await goToHash('#shipping');
  expect(pageviews()).toEqual([]);
  await goToHash('#!/shipping');
  expect(pageviews().map((view) => view.url)).toEqual([`${origin}/faq#!/shipping`]);
});

it('still lets the page use history normally', () => {
  history.pushState({ step: 2 }, '', '/checkout');
  expect(history.state).toEqual({ step: 2 });
  expect(location.pathname).toBe('/checkout');
});
