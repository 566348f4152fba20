/**
 * The setup of a browser test file on a fixture folder (tests/fixtures/<folder>): the real
 * collector and Chromium, started once in beforeAll and closed in afterAll, and per test a new site
 * in the collector whose pages are served on their own origin, so each test reads only its own events.
 * Call `useFixtureBrowser` at the top of the test file; its accessors work inside tests and hooks.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { startCollector, type TestCollector } from './collector.js';
import { serveFixtureSite, type FixtureSite } from './fixture-site.js';

export interface FixtureBrowser {
  collector(): TestCollector;
  browser(): Browser;
  /** A new site in the collector (domain localhost) and the folder's pages served for it. */
  newSite(name: string): Promise<{ siteKey: string; origin: string }>;
  /** A new browser context (a new visitor), closed before the browser if the test leaves it open. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

export function useFixtureBrowser(folder: string): FixtureBrowser {
  let collector: TestCollector | undefined;
  let browser: Browser | undefined;
  const sites: FixtureSite[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    collector = await startCollector();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await Promise.all(sites.map((site) => site.close()));
    await collector?.close();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useFixtureBrowser: the collector and Chromium start in beforeAll');
    return value;
  };

  return {
    collector: () => started(collector),
    browser: () => started(browser),
    async newSite(name) {
      const { repositories, url } = started(collector);
      const { key: siteKey } = await repositories.sites.createSite({ name, domains: ['localhost'] });
      const site = await serveFixtureSite({ collector: url, siteKey, folder });
      sites.push(site);
      return { siteKey, origin: site.origin };
    },
    async newContext(options) {
      const context = await started(browser).newContext(options);
      contexts.push(context);
      return context;
    },
  };
}

/** Waits until lt.js has run on the page. */
export const tagLoaded = (page: Page) => page.waitForFunction(() => window.leadtrail?.loaded === true);
