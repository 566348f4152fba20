/**
 * chat_open in real Chromium, on the pages of tests/fixtures/chat: click-to-chat and contact links,
 * the Joinchat and Click to Chat WhatsApp buttons (no link: the plugins call window.open), and the
 * live-chat widgets, each a stand-in that implements the vendor's public JS API and calls the
 * registered callbacks when its launcher is clicked; several load after lt.js. The observation point
 * is what the collector stored: the expected openings with provider and target, nothing counted
 * twice, open → close → open counted twice, and the page's own callbacks still running.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ValidEvent } from '../../collector/ingest/schema.js';
import { tagLoaded, useFixtureBrowser } from '../helpers/fixture-browser.js';
import { eventually, storedEvents } from '../helpers/stored-events.js';

declare global {
  interface Window {
    /** What the fixture page's own chat callbacks recorded. */
    pageCalls: string[];
  }
}

type ChatOpen = Extract<ValidEvent, { type: 'chat_open' }>;

const { collector, newSite, newContext } = useFixtureBrowser('chat');

/** Opens a fixture page as a new visitor of a new site, so each test reads only its own events. */
async function visit(name: string): Promise<{ page: Page; siteKey: string }> {
  const { siteKey, origin } = await newSite(name);
  const context = await newContext();
  // The chat apps' web pages, for the windows that links and buttons open: tests have no network.
  await context.route(/^https:\/\/(wa\.me|wa\.link|api\.whatsapp\.com|web\.whatsapp\.com|t\.me|line\.me|m\.me)\//, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<title>Chat app</title>' }),
  );
  // Chromium asks before handing tel:, whatsapp:, … over to another app, and its prompt swallows the
  // clicks that follow; the hand-off is cancelled instead, after the page (and lt.js) saw the click.
  await context.addInitScript(() =>
    addEventListener('click', (event) => {
      const link = (event.target as Element).closest('a');
      if (link && !/^https?:/.test(link.href)) event.preventDefault();
    }),
  );
  const page = await context.newPage();
  await page.goto(`${origin}/${name}.html`);
  await tagLoaded(page);
  return { page, siteKey };
}

/**
 * The stored chat_open events of the site, as { provider, target }, once a checkpoint event the
 * page sends last has been stored: whatever the page sent before it has arrived too.
 */
async function storedChats(page: Page, siteKey: string): Promise<Array<Pick<ChatOpen, 'provider' | 'target'>>> {
  await page.evaluate(() => window.leadtrail!('track', 'checkpoint'));
  await eventually(() => storedEvents(collector(), siteKey).find((event) => event.type === 'track'), 'the checkpoint event');
  return storedEvents(collector(), siteKey)
    .filter((event): event is ChatOpen => event.type === 'chat_open')
    .map(({ provider, target }) => ({ provider, target }));
}

const pageCalls = (page: Page) => page.evaluate(() => window.pageCalls);

describe('click-to-chat and contact links', () => {
  it('reports each WhatsApp link with its number, but no share button and no scripted link twice', async () => {
    const { page, siteKey } = await visit('whatsapp-links');
    for (const id of ['wa-me', 'api', 'web', 'app', 'short', 'share-api', 'share-wa-me', 'share-app', 'scripted']) {
      await page.click(`#${id}`);
    }
    expect(await storedChats(page, siteKey)).toEqual([
      { provider: 'whatsapp', target: '8613800138000' },
      { provider: 'whatsapp', target: '8613900139000' },
      { provider: 'whatsapp', target: '491701234567' },
      { provider: 'whatsapp', target: '5511987654321' },
      { provider: 'whatsapp', target: 'x7k2qp' },
      { provider: 'whatsapp', target: '8613700137000' },
    ]);
  });

  it('reports WeChat, Telegram, Skype, LINE, Viber and Messenger links with their handle or number', async () => {
    const { page, siteKey } = await visit('app-links');
    for (const id of ['wechat', 'telegram', 'tg', 'skype', 'line', 'viber', 'messenger', 'telegram-share']) {
      await page.click(`#${id}`);
    }
    expect(await storedChats(page, siteKey)).toEqual([
      { provider: 'wechat', target: 'ningbo_valve_sales' },
      { provider: 'telegram', target: 'ningbo_valves' },
      { provider: 'telegram', target: 'ningbo_valves_support' },
      { provider: 'skype', target: 'live:ningbo.valves' },
      { provider: 'line', target: '@ningbovalve' },
      { provider: 'viber', target: '+8613800138000' },
      { provider: 'messenger', target: 'ningbovalves' },
    ]);
  });

  it('reports tel: and mailto: links with the number and the address without its query, each click once', async () => {
    const { page, siteKey } = await visit('contact-links');
    await page.click('#tel');
    await page.click('#mailto strong');
    await page.click('#stopped');
    await page.click('#ordinary');
    await page.click('#tel');
    expect(await storedChats(page, siteKey)).toEqual([
      { provider: 'tel', target: '+86-574-8765-4321' },
      { provider: 'email', target: 'Export.Sales@ningbo-valve.example' },
      { provider: 'tel', target: '+4930123456' },
      { provider: 'tel', target: '+86-574-8765-4321' },
    ]);
  });
});

describe('WhatsApp button plugins without a link', () => {
  it('Joinchat: reports each "Open chat" and each WhatsApp block, not the chatbox opening, and the page still hears joinchat:open', async () => {
    const { page, siteKey } = await visit('joinchat');
    await page.click('.joinchat__button'); // shows the chatbox only
    await page.click('.joinchat__open');
    await page.click('.joinchat__close');
    await page.click('.joinchat__button');
    await page.click('.joinchat__open');
    await page.click('#product-button');
    expect(await storedChats(page, siteKey)).toEqual([
      { provider: 'whatsapp', target: '8613800138000' },
      { provider: 'whatsapp', target: '8613800138000' },
      { provider: 'whatsapp', target: '8613900139000' },
    ]);
    expect(await pageCalls(page)).toEqual(['8613800138000', '8613800138000', '8613900139000']);
  });

  it('Click to Chat: reports the greetings call to action and each shortcode click, not the greetings dialog', async () => {
    const { page, siteKey } = await visit('click-to-chat');
    await page.click('.ht_ctc_chat_style'); // opens the greetings dialog only
    await page.click('.ht_ctc_chat_greetings_box_link');
    await page.click('.ht-ctc-sc-chat');
    await page.click('.ht-ctc-sc-chat');
    expect(await storedChats(page, siteKey)).toEqual([
      { provider: 'whatsapp', target: '8613800138000' },
      { provider: 'whatsapp', target: '491701234567' },
      { provider: 'whatsapp', target: '491701234567' },
    ]);
    expect(await pageCalls(page)).toHaveLength(3);
  });
});

describe('live-chat widgets: one chat_open per opening', () => {
  it('Tawk.to (launcher in an iframe): open, repeated maximize, close, open → two, and Tawk_API.onChatMaximized still runs', async () => {
    const { page, siteKey } = await visit('tawk');
    const bubble = page.frameLocator('#tawk-launcher').locator('#bubble');
    await bubble.click();
    await page.evaluate(() => (window as unknown as { Tawk_API: { maximize(): void } }).Tawk_API.maximize());
    await bubble.click();
    await bubble.click();
    expect(await storedChats(page, siteKey)).toEqual([{ provider: 'tawk' }, { provider: 'tawk' }]);
    expect(await pageCalls(page)).toEqual(['maximized', 'maximized', 'maximized']);
  });

  it('Crisp: open, repeated chat:opened, close, open → two, and the page\'s own "on" handler still runs', async () => {
    const { page, siteKey } = await visit('crisp');
    await page.click('#crisp-chatbox a');
    await page.evaluate(() => (window as unknown as { $crisp: unknown[] }).$crisp.push(['do', 'chat:open']));
    await page.click('#crisp-chatbox a');
    await page.click('#crisp-chatbox a');
    expect(await storedChats(page, siteKey)).toEqual([{ provider: 'crisp' }, { provider: 'crisp' }]);
    expect(await pageCalls(page)).toEqual(['opened', 'opened', 'opened']);
  });

  it('Tidio, added by a tag manager after lt.js: open, repeated open, close, open → two', async () => {
    const { page, siteKey } = await visit('tidio');
    await page.click('#tidio-launcher');
    await page.evaluate(() => (window as unknown as { tidioChatApi: { open(): void } }).tidioChatApi.open());
    await page.click('#tidio-launcher');
    await page.click('#tidio-launcher');
    expect(await storedChats(page, siteKey)).toEqual([{ provider: 'tidio' }, { provider: 'tidio' }]);
    expect(await pageCalls(page)).toEqual(['open', 'open', 'open']);
  });

  it('LiveChat: maximized, maximized again, minimized, maximized → two, and the page\'s listener still runs', async () => {
    const { page, siteKey } = await visit('livechat');
    await page.click('#livechat-launcher');
    await page.evaluate(() => (window as unknown as { LiveChatWidget: { call(method: string): void } }).LiveChatWidget.call('maximize'));
    await page.click('#livechat-launcher');
    await page.click('#livechat-launcher');
    expect(await storedChats(page, siteKey)).toEqual([{ provider: 'livechat' }, { provider: 'livechat' }]);
    expect(await pageCalls(page)).toEqual(['maximized', 'maximized', 'minimized', 'maximized']);
  });

  it('Intercom (launcher in an iframe, widget loaded at window load): show, show, hide, show → two', async () => {
    const { page, siteKey } = await visit('intercom');
    const launcher = page.frameLocator('.intercom-launcher-frame').locator('.intercom-launcher');
    await launcher.click();
    await page.evaluate(() => (window as unknown as { Intercom(command: string): void }).Intercom('show'));
    await launcher.click();
    await launcher.click();
    expect(await storedChats(page, siteKey)).toEqual([{ provider: 'intercom' }, { provider: 'intercom' }]);
    expect(await pageCalls(page)).toEqual(['show', 'show', 'show']);
  });

  it('Zendesk messaging, held back by a "delay JavaScript" plugin until the first interaction: open, open, close, open → two', async () => {
    const { page, siteKey } = await visit('zendesk');
    expect(await page.locator('#zendesk-launcher').count()).toBe(0);
    await page.mouse.move(20, 20);
    await page.click('#zendesk-launcher');
    await page.evaluate(() => (window as unknown as { zE(...args: string[]): void }).zE('messenger', 'open'));
    await page.click('#zendesk-launcher');
    await page.click('#zendesk-launcher');
    expect(await storedChats(page, siteKey)).toEqual([{ provider: 'zendesk' }, { provider: 'zendesk' }]);
    expect(await pageCalls(page)).toEqual(['open', 'open', 'open']);
  });

  it('Zoho SalesIQ: open, shown again, minimize, open, close, open → three, and the callback the page registers later still runs', async () => {
    const { page, siteKey } = await visit('zoho');
    // SalesIQ runs the page's ready() at window load, then adds its stylesheet.
    await page.waitForFunction(() => document.styleSheets.length > 0);
    await page.click('#zsiq_float');
    await page.evaluate(() => (window as unknown as { $zoho: { salesiq: { floatwindow: { visible(value: string): void } } } }).$zoho.salesiq.floatwindow.visible('show'));
    await page.click('#zsiq_minimize');
    await page.click('#zsiq_float');
    await page.click('#zsiq_close');
    await page.click('#zsiq_float');
    expect(await storedChats(page, siteKey)).toEqual([{ provider: 'zoho' }, { provider: 'zoho' }, { provider: 'zoho' }]);
    expect(await pageCalls(page)).toEqual(['open', 'open', 'open', 'open']);
  });

  it('JivoChat, loaded after lt.js: open, open, close, open → two, and the page\'s global jivo_onOpen still runs', async () => {
    const { page, siteKey } = await visit('jivo');
    await page.click('#jivo-label');
    await page.evaluate(() => (window as unknown as { jivo_api: { open(): void } }).jivo_api.open());
    await page.click('#jivo-label');
    await page.click('#jivo-label');
    expect(await storedChats(page, siteKey)).toEqual([{ provider: 'jivo' }, { provider: 'jivo' }]);
    expect(await pageCalls(page)).toEqual(['open', 'open', 'open']);
  });
});
