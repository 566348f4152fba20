/**
 * One pageview on load and one per SPA navigation. The url carries the UTM parameters and click ids;
 * the collector reads them from its query string.
 */
import { currentDocument, currentUrl, listen } from './config.js';
import { sendEvent, URL_LIMIT } from './transport.js';

/** `#/…` and `#!…` are client-side routes; any other hash is an anchor within the same page. */
const ROUTE_HASH = /^#[!/]/;
/** The schema's bound for titles. */
const TITLE_LIMIT = 512;

let lastPage: string | undefined;
let lastUrl = currentDocument.referrer;

/** The page as a visitor sees it: the url without an anchor hash. */
const currentPage = () => (ROUTE_HASH.test(location.hash) ? currentUrl() : currentUrl().split('#')[0]);

/**
 * Sends a pageview unless the page is the one last counted. `beforeNavigation` runs before the
 * pageview of every later page, with its url, so the previous page can report how it was used.
 */
export function trackPageviews(beforeNavigation: (url: string) => void): void {
  const view = () => {
    const page = currentPage();
    if (page != lastPage) {
      if (lastPage) beforeNavigation(currentUrl());
      lastPage = page;
      sendEvent({
        type: 'pageview',
        title: currentDocument.title.slice(0, TITLE_LIMIT),
        referrer: lastUrl.slice(0, URL_LIMIT) || undefined,
      });
      lastUrl = currentUrl();
    }
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History) {
      const path = location.pathname;
      // The page's own call runs first and throws what it throws, as if lt.js were not there.
      original.apply(this, arguments as unknown as Parameters<History['pushState']>);
      try {
        // Routers call replaceState to tidy a url (drop UTM parameters, store scroll state): only a new path is a new page.
        method == 'pushState' || location.pathname != path ? view() : (lastPage = currentPage());
      } catch {}
    };
  }
  listen('popstate', view);
  listen('hashchange', view);
  view();
}
