/**
 * Screenshots of the overview, people, trail and settings screens in English and 简体中文 (settings
 * also at a phone's width), taken on every run
 * into test-results/screenshots/ (git-ignored) from a realistic site: buyers from several channels
 * and countries, a form fill with a Chinese name, a WhatsApp open. A few are copied by hand to docs/
 * for the README. Each shot also checks that its screen shows the seeded buyers.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { WireEvent } from '../../collector/ingest/schema.js';
import { DESKTOP_CHROME_USER_AGENT, launchChromium } from '../helpers/browser.js';
import { startCollector, type TestCollector } from '../helpers/collector.js';

const SCREENSHOT_DIRECTORY = join(process.cwd(), 'test-results', 'screenshots');
const SITE_URL = 'https://www.jinghua-valves.com';
const IPHONE_USER_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A wire event without its id (made per send) and with a path on the site instead of a URL. */
type SeedEvent = WireEvent extends infer Event ? (Event extends WireEvent ? Omit<Event, 'id' | 'url'> & { path: string } : never) : never;

interface Visit {
  visitor: string;
  /** A public address the bundled IP databases place: the collector trusts X-Forwarded-For from localhost. */
  ip: string;
  timeZone: string;
  language: string;
  userAgent?: string;
  events: SeedEvent[];
}

describe('screenshots', () => {
  let collector: TestCollector;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let siteKey = '';
  let trailPersonId = 0;
  const now = Date.now();

  async function send(visit: Visit) {
    const events = visit.events.map(({ path, ...fields }) => ({ ...fields, id: randomUUID(), url: `${SITE_URL}${path}` }));
    const response = await fetch(`${collector.url}/collect`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Origin: SITE_URL,
        'User-Agent': visit.userAgent ?? DESKTOP_CHROME_USER_AGENT,
        'X-Forwarded-For': visit.ip,
      },
      body: JSON.stringify({ site: siteKey, visitor: visit.visitor, sent_at: Date.now(), tz: visit.timeZone, lang: visit.language, screen: '1920x1080', events }),
    });
    expect(response.status, await response.text()).toBe(204);
    await collector.app.ingest.settled();
  }

  async function seed() {
    const site = await collector.repositories.sites.createSite({ name: 'Jinghua Valves', domains: ['jinghua-valves.com'], timeZone: 'Asia/Shanghai' });
    siteKey = site.key;
    // 陈伟 in Manchester: found the site through a Google Ads click four days ago, came back from
    // Alibaba on a phone today, opened WhatsApp and asked for a quote.
    const chenAdClick = now - 4 * DAY;
    await send({
      visitor: 'visitor-chen-desktop',
      ip: '81.2.69.142',
      timeZone: 'Europe/London',
      language: 'en-GB',
      events: [
        { type: 'pageview', ts: chenAdClick, path: '/?gclid=Cj0KCQiA-example&utm_source=google&utm_medium=cpc&utm_campaign=uk-butterfly-valves', title: 'Jinghua Valves — industrial valve manufacturer', referrer: 'https://www.google.com/' },
        { type: 'pageview', ts: chenAdClick + 2 * MINUTE, path: '/products/butterfly-valves', title: 'Butterfly valves DN50–DN1200' },
        { type: 'engagement', ts: chenAdClick + 6 * MINUTE, path: '/products/butterfly-valves', seconds: 214, scroll: 85 },
        { type: 'pageview', ts: chenAdClick + 7 * MINUTE, path: '/contact', title: 'Contact us' },
        { type: 'form_start', ts: chenAdClick + 8 * MINUTE, path: '/contact', form: 'inquiry' },
        {
          type: 'form_submit',
          ts: chenAdClick + 10 * MINUTE,
          path: '/contact',
          form: 'inquiry',
          provider: 'contact-form-7',
          outcome: 'success',
          fields: {
            name: '陈伟',
            email: 'chen.wei@lakeside-valves.co.uk',
            company: 'Lakeside Valves Ltd',
            country: 'United Kingdom',
            phone: '+44 161 496 0000',
            message: 'Please quote 200 pcs DN150 PN16 wafer butterfly valves, EPDM seat, delivery to Felixstowe.',
          },
        },
      ],
    });
    const chenToday = now - 3 * 60 * MINUTE;
    await send({
      visitor: 'visitor-chen-phone',
      ip: '81.2.69.142',
      timeZone: 'Europe/London',
      language: 'en-GB',
      userAgent: IPHONE_USER_AGENT,
      events: [
        { type: 'pageview', ts: chenToday, path: '/products/butterfly-valves', title: 'Butterfly valves DN50–DN1200', referrer: 'https://www.alibaba.com/' },
        { type: 'engagement', ts: chenToday + 3 * MINUTE, path: '/products/butterfly-valves', seconds: 95, scroll: 60 },
        { type: 'chat_open', ts: chenToday + 4 * MINUTE, path: '/products/butterfly-valves', provider: 'whatsapp', target: '8613800138000' },
        { type: 'form_submit', ts: chenToday + 6 * MINUTE, path: '/quote', form: 'quick-quote', provider: 'elementor', outcome: 'success', fields: { email: 'chen.wei@lakeside-valves.co.uk', message: 'Sent you the drawing on WhatsApp.' } },
      ],
    });

    // Hans in Berlin, from a Google Ads click, filled in the contact form.
    await send({
      visitor: 'visitor-hans',
      ip: '85.214.132.117',
      timeZone: 'Europe/Berlin',
      language: 'de-DE',
      events: [
        { type: 'pageview', ts: now - 2 * DAY, path: '/de/?gclid=EAIaIQ-example', title: 'Jinghua Armaturen', referrer: 'https://www.google.de/' },
        { type: 'form_submit', ts: now - 2 * DAY + 5 * MINUTE, path: '/de/kontakt', form: 'kontakt', provider: 'wpforms', outcome: 'success', fields: { name: 'Hans Weber', email: 'h.weber@pumpen-weber.de', company: 'Pumpen Weber GmbH', country: 'DE' } },
      ],
    });
    // Pieter in the Netherlands, from the newsletter.
    await send({
      visitor: 'visitor-pieter',
      ip: '91.198.174.192',
      timeZone: 'Europe/Amsterdam',
      language: 'nl-NL',
      events: [
        { type: 'pageview', ts: now - 6 * DAY, path: '/news/new-gate-valves?utm_source=newsletter&utm_medium=email&utm_campaign=2026-q4', title: 'New gate valve range' },
        { type: 'form_submit', ts: now - 6 * DAY + 4 * MINUTE, path: '/contact', form: 'inquiry', provider: 'contact-form-7', outcome: 'success', fields: { name: 'Pieter de Vries', email: 'pieter@rotterdamflow.nl', company: 'Rotterdam Flow BV', country: 'Netherlands' } },
      ],
    });
    // Anonymous visitors: a Brazilian buyer who opened WhatsApp from Facebook, a French engineer from
    // organic search, a Czech one who typed the address.
    await send({
      visitor: 'visitor-joao',
      ip: '177.71.128.1',
      timeZone: 'America/Sao_Paulo',
      language: 'pt-BR',
      userAgent: IPHONE_USER_AGENT,
      events: [
        { type: 'pageview', ts: now - DAY, path: '/', title: 'Jinghua Valves — industrial valve manufacturer', referrer: 'https://m.facebook.com/' },
        { type: 'chat_open', ts: now - DAY + MINUTE, path: '/', provider: 'whatsapp', target: '8613800138000' },
      ],
    });
    await send({
      visitor: 'visitor-paris',
      ip: '62.210.16.6',
      timeZone: 'Europe/Paris',
      language: 'fr-FR',
      events: [{ type: 'pageview', ts: now - 3 * DAY, path: '/products/gate-valves', title: 'Gate valves', referrer: 'https://www.google.fr/' }],
    });
    await send({
      visitor: 'visitor-prague',
      ip: '5.62.60.1',
      timeZone: 'Europe/Prague',
      language: 'cs-CZ',
      events: [{ type: 'pageview', ts: now - 5 * 60 * MINUTE, path: '/', title: 'Jinghua Valves — industrial valve manufacturer' }],
    });

    const { people } = await collector.repositories.people.listPeople(site.id, { query: 'lakeside', limit: 1 });
    trailPersonId = people[0]!.id;
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIRECTORY, { recursive: true });
    collector = await startCollector();
    await seed();
    browser = await launchChromium();
    // The reader's zone is fixed so that dates in the shots do not depend on the machine.
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    await page.goto(`${collector.url}/login`);
    await page.getByLabel('Password').fill(collector.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await collector?.close();
  });

  const shoot = (name: string, options: { fullPage?: boolean } = {}) => page.screenshot({ path: join(SCREENSHOT_DIRECTORY, `${name}.png`), ...options });

  for (const language of ['en', 'zh-CN'] as const) {
    describe(language, () => {
      beforeAll(async () => {
        await page.evaluate((tag) => window.localStorage.setItem('leadtrail.language', tag), language);
      });

      it('shoots the overview', async () => {
        await page.goto(`${collector.url}/overview`);
        await page.locator('.chart .uplot canvas').waitFor();
        expect(await page.locator('.total-visitors dd').textContent()).toBe('6');
        expect(await page.locator('html').getAttribute('lang')).toBe(language);
        // The whole page: the top lists sit below the chart.
        await shoot(`overview-${language}`, { fullPage: true });
      });

      it('shoots the people list', async () => {
        await page.goto(`${collector.url}/`);
        await page.locator('tbody tr', { hasText: '陈伟' }).waitFor();
        expect(await page.locator('tbody tr').count()).toBe(6);
        await shoot(`people-${language}`);
      });

      it('shoots a trail', async () => {
        await page.goto(`${collector.url}/people/${trailPersonId}`);
        await page.locator('.timeline').waitFor();
        expect(await page.locator('h1').first().textContent()).toContain('陈伟');
        expect(await page.locator('.fact-organisation dd').textContent()).toBe('Andrews & Arnold Ltd');
        expect(await page.locator('.event-chat_open .chat-target').textContent()).toBe('8613800138000');
        await shoot(`trail-${language}`);
      });

      it('shoots the settings, on a laptop and on a phone', async () => {
        await page.goto(`${collector.url}/settings`);
        const form = page.locator('form.site-settings');
        await form.waitFor();
        expect(await form.locator('input[name="name"]').inputValue()).toBe('Jinghua Valves');
        expect(await page.locator('html').getAttribute('lang')).toBe(language);
        await shoot(`settings-${language}`);
        await page.setViewportSize({ width: 390, height: 844 });
        try {
          // Nothing may stick out sideways at a phone's width.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
          await page.screenshot({ path: join(SCREENSHOT_DIRECTORY, `settings-phone-${language}.png`), fullPage: true });
        } finally {
          await page.setViewportSize({ width: 1280, height: 800 });
        }
      });
    });
  }
});
