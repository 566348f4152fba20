// @vitest-environment jsdom
import { beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { loadSnippet, recordRequests, render, type Recorder } from './page.js';

let sent: Recorder;

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  // The page opens chat apps itself (and jsdom cannot navigate): it cancels every link click.
  document.addEventListener('click', (event) => event.preventDefault());
  await loadSnippet();
  vi.advanceTimersByTime(1000);
});

beforeEach(() => {
  sent.requests.length = 0;
  document.body.innerHTML = '';
});

/** Clicks the link (on an element inside it, as people do) and returns the chat_open events sent. */
function click(href: string) {
  const link = render<HTMLAnchorElement>(`<a href="${href}"><span>Chat with us</span></a>`);
  link.querySelector('span')!.click();
  return sent.eventsOf('chat_open').map(({ provider, target }) => ({ provider, target }));
}

it.each([
  ['https://wa.me/8613800138000?text=Hello', 'whatsapp', '8613800138000'],
  ['https://api.whatsapp.com/send?phone=8613800138000&text=Hi', 'whatsapp', '8613800138000'],
  ['https://web.whatsapp.com/send?phone=491701234567', 'whatsapp', '491701234567'],
  ['whatsapp://send?phone=5511987654321', 'whatsapp', '5511987654321'],
  ['tel:+86-574-8765-4321', 'tel', '+86-574-8765-4321'],
  ['mailto:sales@example.com?subject=Quote', 'email', 'sales@example.com'],
  ['https://t.me/exporter_sales', 'telegram', 'exporter_sales'],
  ['skype:live:exporter.sales?chat', 'skype', 'live:exporter.sales'],
  ['viber://chat?number=%2B380501234567', 'viber', '+380501234567'],
  ['https://line.me/ti/p/~exporter', 'line', 'ti/p/~exporter'],
  ['https://m.me/exporterpage', 'messenger', 'exporterpage'],
  ['weixin://dl/chat', 'wechat', 'chat'],
])('reports a click on %s as chat_open %s %s', (href, provider, target) => {
  expect(click(href)).toEqual([{ provider, target }]);
});

it('sends a chat_open at once, since the app opening may unload the page', () => {
  click('https://wa.me/8613800138000');
  expect(sent.requests).toHaveLength(1);
});

it('ignores ordinary links', () => {
  expect(click('https://example.com/products')).toEqual([]);
  expect(click('/contact')).toEqual([]);
  expect(click('#top')).toEqual([]);
  vi.advanceTimersByTime(1000);
  expect(sent.events()).toEqual([]);
});

it('sees the click even when the page stops it from bubbling', () => {
  const link = render<HTMLAnchorElement>('<a href="tel:+4930123456">Call</a>');
  link.addEventListener('click', (event) => {
    event.preventDefault();
    event.stopPropagation();
  });
  link.click();
  expect(sent.eventsOf('chat_open')).toEqual([expect.objectContaining({ provider: 'tel', target: '+4930123456' })]);
});
