/**
 * The dashboard in real Chromium against the real collector: a sales user logs in, adds a site,
 * and follows a buyer who filled in a form from People (sorted, filtered) to the trail and to Leads,
 * then changes the site's settings. The buyer's
 * message carries markup, which must show as text and never run (the trail renders visitor input).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CHROME_USER_AGENT, launchChromium } from '../helpers/browser.js';
import { startCollector, type TestCollector } from '../helpers/collector.js';

const HOSTILE_MESSAGE = '<img src=x onerror="window.__xss=1">';

declare global {
  interface Window {
    __xss?: number;
  }
}

describe('dashboard', () => {
  let collector: TestCollector;
  let browser: Browser;
  let page: Page;
  let siteKey = '';
  const pageErrors: string[] = [];
  const policyViolations: string[] = [];

  beforeAll(async () => {
    collector = await startCollector();
    browser = await launchChromium();
    // Not the machine's zone: the site created on the setup screen takes the browser's.
    page = await browser.newPage({ timezoneId: 'Asia/Tokyo' });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A style or script the Content-Security-Policy blocks is reported only on the console.
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  /** A batch from a buyer's browser on the site (the buyer's address, a Berlin hoster, in X-Forwarded-For). */
  /** Sends a batch as a server-side sender would; resolves once it is stitched into its trail. */
  async function send(visitor: string, events: object[], origin = 'https://example.com') {
    const response = await fetch(`${collector.url}/collect`, {
      method: 'POST',
      // Node's own user agent ("node") is a bot to isbot: the collector would answer 204 and store nothing.
      // The collector trusts X-Forwarded-For from localhost only.
      headers: { 'Content-Type': 'application/json', Origin: origin, 'User-Agent': DESKTOP_CHROME_USER_AGENT, 'X-Forwarded-For': '85.214.132.117' },
      body: JSON.stringify({ site: siteKey, visitor, sent_at: Date.now(), tz: 'Europe/Berlin', events }),
    });
    await collector.app.ingest.settled();
    return response;
  }

  it('sends a logged-out visitor to the login form and lets them in with the password', async () => {
    await page.goto(`${collector.url}/`);
    await page.waitForURL(/\/login$/);

    // The username field only serves password managers.
    expect(await page.locator('input[name="username"]').isVisible()).toBe(false);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Wrong password');

    await page.getByLabel('Password').fill(collector.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('creates a site on the setup screen and shows the tag to paste', async () => {
    await page.getByRole('link', { name: 'Sites & tag' }).click();
    await page.waitForURL(/\/setup$/);
    await page.getByLabel('Site name').fill('Example Exports');
    await page.getByLabel('Domains').fill('example.com');
    await page.getByRole('button', { name: 'Create site' }).click();

    const tag = page.locator('.created-site pre');
    await tag.waitFor();
    const tagText = (await tag.textContent()) ?? '';
    expect(tagText).toContain(`src="${collector.url}/lt.js"`);
    siteKey = /data-site="([^"]+)"/.exec(tagText)?.[1] ?? '';
    expect(siteKey).not.toBe('');
    expect(await page.locator('.site-list').textContent()).toContain('Example Exports');
    expect(await page.locator('.site-list').textContent()).toContain('Asia/Tokyo');
    // The live check polls the new site's status: nothing has arrived yet.
    await page.locator('.tag-status-waiting').waitFor();
    expect(await page.locator('.tag-status').textContent()).toContain('Waiting for the first event');
  });

  it('lists a buyer who submitted a form among the people of the site', async () => {
    const now = Date.now();
    const response = await send('visitor-dashboard-1', [
      { id: randomUUID(), type: 'pageview', ts: now - 60_000, url: 'https://example.com/product', title: 'Product' },
      {
        id: randomUUID(),
        type: 'form_submit',
        ts: now - 30_000,
        url: 'https://example.com/contact',
        form: 'contact',
        fields: { email: 'buyer@example.com', name: 'Ana Buyer', message: HOSTILE_MESSAGE },
      },
    ]);
    expect(response.status).toBe(204);

    // Still on the setup screen: the next poll sees the batch.
    await page.locator('.tag-status-receiving').waitFor();
    expect(await page.locator('.tag-status').textContent()).toContain('Receiving events: 2 in the last hour');

    await page.getByRole('link', { name: 'People' }).click();
    await page.waitForURL(/\/$/);
    const row = page.locator('tbody tr', { hasText: 'buyer@example.com' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Ana Buyer');
    expect(await row.locator('.badge-identified').count()).toBe(1);
  });

  it('filters the people by status, channel and IP country', async () => {
    const row = page.locator('tbody tr', { hasText: 'buyer@example.com' });
    await page.getByLabel('Status').selectOption('false');
    await page.getByText('Nobody matches these filters.').waitFor();
    await page.getByLabel('Status').selectOption('true');
    await row.waitFor();
    await page.getByLabel('Channel').selectOption('paid_search');
    await page.getByText('Nobody matches these filters.').waitFor();
    await page.getByLabel('Channel').selectOption('direct');
    await row.waitFor();
    await page.getByLabel('IP country').fill('cn');
    await page.getByText('Nobody matches these filters.').waitFor();
    await page.getByLabel('IP country').fill('de');
    await row.waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await row.waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('');
  });

  it('opens the trail with the page view and the form fields, showing markup as text', async () => {
    await page.getByRole('link', { name: 'Ana Buyer' }).click();
    await page.waitForURL(/\/people\/\d+$/);
    await page.locator('.timeline').waitFor();

    const pageview = page.locator('.event-pageview');
    expect(await pageview.locator('.event-title').textContent()).toBe('Product');
    expect(await pageview.locator('a.url').getAttribute('href')).toBe('https://example.com/product');

    // Who they are beyond the form: where the address is, whose network, what time it is there.
    expect(await page.locator('.fact-ip-country dd').textContent()).toContain('DE');
    expect(await page.locator('.fact-organisation dd').textContent()).toBe('Strato AG');
    expect(await page.locator('.fact-local-time dd').textContent()).toMatch(/\d{1,2}:\d{2}.*\(Europe\/Berlin\)/);
    expect(await page.locator('.fact-time-on-site dd').textContent()).toBe('30 s in one visit');

    const fields = page.locator('.event-form_submit dl.fields');
    expect(await fields.textContent()).toContain('buyer@example.com');
    expect(await fields.textContent()).toContain('Ana Buyer');
    expect(await fields.locator('dd', { hasText: 'window.__xss' }).textContent()).toBe(HOSTILE_MESSAGE);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();

    // The leads CSV links straight to this URL, so it must open on its own, not only by navigation.
    await page.reload();
    await page.locator('.event-form_submit').waitFor();
    expect(await page.locator('h1').first().textContent()).toContain('Ana Buyer');
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  });

  it('lists the lead on the leads screen with a CSV download for the site', async () => {
    await page.getByRole('link', { name: 'Leads' }).click();
    await page.waitForURL(/\/leads$/);
    const row = page.locator('tbody tr', { hasText: 'buyer@example.com' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Ana Buyer');

    const download = page.getByRole('link', { name: 'Download CSV' });
    await page.getByLabel('From').fill('2020-01-01');
    const href = (await download.getAttribute('href')) ?? '';
    expect(href).toBe(`/api/leads.csv?site=${siteKey}&from=2020-01-01`);
    const csv = await page.evaluate(async (path) => (await fetch(path)).text(), href);
    expect(csv).toContain('buyer@example.com');
  });

  it('shows the overview: the buyer counted in the totals, a chart of the days in the site zone, sources and forms, visitors now', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL(/\/overview$/);
    await page.locator('.totals').waitFor();
    const total = async (key: string) => page.locator(`.total-${key} dd`).textContent();
    expect(await total('visitors')).toBe('1');
    expect(await total('sessions')).toBe('1');
    expect(await total('leads')).toBe('1');
    expect(await total('form_fills')).toBe('1');
    expect(await total('chat_opens')).toBe('0');
    expect(await total('conversion_rate')).toBe('100%');
    // uPlot draws on a canvas, styled by its own stylesheet (a file: the CSP allows no inline <style>).
    await page.locator('.chart .uplot canvas').waitFor();
    expect(await page.locator('.chart .u-legend').textContent()).toContain('Visitors');
    expect(await page.locator('.daily-table tbody tr').count()).toBe(30);
    const tops = (await page.locator('.overview-tops').textContent()) ?? '';
    for (const text of ['Direct', 'Top sources', '(direct)', 'Top forms', 'contact']) expect(tops).toContain(text);
    expect(await page.locator('.export .muted').textContent()).toContain('whole days in the site\'s time zone (Asia/Tokyo)');
    // The buyer's form went in moments ago.
    await page.locator('.live-visitors').waitFor();
    expect(await page.locator('.live-visitors').textContent()).toMatch(/Visitors now: 1\b/);

    await page.getByRole('link', { name: 'Leads' }).click();
    await page.waitForURL(/\/leads$/);
    await page.locator('tbody tr').first().waitFor();
  });

  it('sorts the people with the column headers, by mouse and keyboard, and filters them by the days they were active', async () => {
    // A second buyer, who came three days ago, twice (after the overview's checks, which count one buyer).
    const threeDaysAgo = Date.now() - 3 * 24 * 60 * 60_000;
    const earlier = await send('visitor-dashboard-2', [
      { id: randomUUID(), type: 'pageview', ts: threeDaysAgo, url: 'https://example.com/' },
      { id: randomUUID(), type: 'pageview', ts: threeDaysAgo + 2 * 60 * 60_000, url: 'https://example.com/pricing' },
      { id: randomUUID(), type: 'identify', ts: threeDaysAgo + 2 * 60 * 60_000, url: 'https://example.com/pricing', traits: { email: 'bruno@example.com', name: 'Bruno Costa' } },
    ]);
    expect(earlier.status).toBe(204);
    await page.getByRole('link', { name: 'People' }).click();
    await page.waitForURL(/\/$/);
    const names = () => page.locator('tbody tr td:first-child').allTextContents();
    const sortOf = (column: string) => page.locator('th', { has: page.getByRole('button', { name: column, exact: true }) }).getAttribute('aria-sort');
    await page.locator('tbody tr', { hasText: 'Bruno Costa' }).waitFor();
    expect(await names()).toEqual(['Ana Buyer', 'Bruno Costa']);
    expect(await sortOf('Last seen')).toBe('descending');

    await page.getByRole('button', { name: 'Sessions', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('tbody tr td:first-child')?.textContent === 'Bruno Costa');
    expect(await sortOf('Sessions')).toBe('descending');
    expect(await sortOf('Last seen')).toBeNull();

    // From the keyboard: the header button keeps focus while the list reloads, and Enter reverses the order.
    const nameHeader = page.getByRole('button', { name: 'Name', exact: true });
    await nameHeader.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('th[aria-sort="ascending"]') !== null);
    expect(await names()).toEqual(['Ana Buyer', 'Bruno Costa']);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]')?.textContent?.includes('Name'));
    expect(await names()).toEqual(['Bruno Costa', 'Ana Buyer']);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Name');

    const day = new Date(threeDaysAgo).toISOString().slice(0, 10);
    await page.getByLabel('Active from').fill(day);
    await page.getByLabel('Active until').fill(day);
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    expect(await names()).toEqual(['Bruno Costa']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 2);
    await page.getByRole('button', { name: 'Last seen', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('tbody tr td:first-child')?.textContent === 'Ana Buyer');

    await page.getByRole('link', { name: 'Leads' }).click();
    await page.waitForURL(/\/leads$/);
    await page.locator('tbody tr').nth(1).waitFor();
  });

  it('switches the whole UI, its dates and <html lang> to 简体中文, and remembers the choice', async () => {
    await page.getByLabel('Language').selectOption('zh-CN');
    const nav = page.getByRole('navigation', { name: '主导航' });
    await nav.waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual(['概览', '访客', '线索', '站点与代码', 'API 令牌', '设置']);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    // Still on the leads screen: its headings, buttons and dates follow without a reload.
    expect(await page.locator('h1').first().textContent()).toContain('线索');
    expect(await page.getByRole('link', { name: '下载 CSV' }).count()).toBe(1);
    expect(await page.locator('tbody time').first().textContent()).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);

    await page.reload();
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.title()).toBe('线索 · Leadtrail');

    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('renames a site, changes its domains and IP mode, and switches the language on the settings screen', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/\/settings$/);
    const form = page.locator('form.site-settings', { hasText: siteKey });
    await form.getByLabel('Name').fill('Example Exports GmbH');
    await form.getByLabel('Domains').fill('example.com, https://www.Example.de/');
    await form.getByLabel('IP addresses').selectOption('none');
    await form.getByLabel('Keep raw events for (days)').fill('365');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('“Example Exports GmbH” saved.').waitFor();
    // The collector's normalized domains replace what was typed; the site selector follows the new name.
    expect(await form.getByLabel('Domains').inputValue()).toBe('example.com\nexample.de');
    expect(await page.locator('.site-select option').allTextContents()).toEqual(['Example Exports GmbH']);
    const sites = await page.evaluate(async () => (await (await fetch('/api/sites')).json()).sites);
    expect(sites).toEqual([expect.objectContaining({ name: 'Example Exports GmbH', domains: ['example.com', 'example.de'], ip_mode: 'none', retention_days: 365 })]);

    // The new domain may send, and the buyer's address is not stored; the old ones were removed too.
    expect((await send('visitor-dashboard-de', [{ id: randomUUID(), type: 'pageview', ts: Date.now(), url: 'https://shop.example.de/' }], 'https://shop.example.de')).status).toBe(204);
    expect(collector.database.prepare('SELECT ip FROM visitors').pluck().all()).toEqual([null, null, null]);
    expect(collector.database.prepare("SELECT ip_country FROM visitors WHERE client_id = 'visitor-dashboard-de'").pluck().get()).toBe('DE');

    // An invalid domain is refused with the collector's reason, and nothing changes.
    await form.getByLabel('Domains').fill('not a domain!');
    await form.getByRole('button', { name: 'Save' }).click();
    expect(await form.getByRole('alert').textContent()).toContain('not a domain name');
    await form.getByLabel('Domains').fill('example.com example.de');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'saved' }).waitFor();
    expect(await form.getByRole('alert').count()).toBe(0);

    const language = page.locator('main').getByLabel('Dashboard language');
    await language.selectOption('zh-CN');
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
    expect(await page.locator('h1').first().textContent()).toBe('设置');
    expect(await page.evaluate(() => window.localStorage.getItem('leadtrail.language'))).toBe('zh-CN');
    await page.locator('main').getByLabel('控制台语言').selectOption('en');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  it('changes the password on the settings screen', async () => {
    const newPassword = 'a longer passphrase 2026';
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/\/settings$/);
    await page.getByLabel('Current password').fill('not the password');
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('The current password is wrong.');
    // A wrong current password must not log the user out.
    expect(new URL(page.url()).pathname).toBe('/settings');

    await page.getByLabel('Current password').fill(collector.adminPassword);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();

    const logIn = (password: string) =>
      fetch(`${collector.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password }) });
    expect((await logIn(collector.adminPassword)).status).toBe(401);
    expect((await logIn(newPassword)).status).toBe(200);
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    expect(pageErrors).toEqual([]);
    expect(policyViolations).toEqual([]);
  });
});
