// @vitest-environment jsdom
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSnippet, recordRequests, render, type Recorder } from './page.js';

let sent: Recorder;
/** The page's window.open (jsdom has none that works), as the snippet found it. */
const pageOpen = vi.fn((..._args: unknown[]) => ({ name: 'the new window' }) as unknown as Window);

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  window.open = pageOpen as unknown as typeof window.open;
  // The page opens chat apps itself (and jsdom cannot navigate): it cancels every link click.
  document.addEventListener('click', (event) => event.preventDefault());
  await loadSnippet();
  vi.advanceTimersByTime(1000);
});

beforeEach(() => {
  // A new task: what the test before reported is no longer "this same opening".
  vi.advanceTimersByTime(1);
  sent.requests.length = 0;
  pageOpen.mockClear();
  document.body.innerHTML = '';
});

const chats = () => sent.eventsOf('chat_open').map(({ provider, target }) => ({ provider, target }));

/** Clicks the link (on an element inside it, as people do) and returns the chat_open events sent. */
function click(href: string) {
  const link = render<HTMLAnchorElement>(`<a href="${href}"><span>Chat with us</span></a>`);
  link.querySelector('span')!.click();
  return chats();
}

describe('chat and contact links', () => {
  it.each([
    ['https://wa.me/8613800138000?text=Hello', 'whatsapp', '8613800138000'],
    ['https://wa.me/message/IKLPVCQ3XJ6SB1', 'whatsapp', 'IKLPVCQ3XJ6SB1'],
    ['https://api.whatsapp.com/send?phone=8613800138000&text=Hi', 'whatsapp', '8613800138000'],
    ['https://api.whatsapp.com/send/?phone=%2B8613800138000&type=phone_number&app_absent=0', 'whatsapp', '+8613800138000'],
    ['https://web.whatsapp.com/send?phone=491701234567', 'whatsapp', '491701234567'],
    ['whatsapp://send?phone=5511987654321', 'whatsapp', '5511987654321'],
    ['https://wa.link/x7k2qp', 'whatsapp', 'x7k2qp'],
    ['tel:+86-574-8765-4321', 'tel', '+86-574-8765-4321'],
    ['tel:+86%20574%208765%204321', 'tel', '+86 574 8765 4321'],
    ['mailto:sales@example.com?subject=Quote', 'email', 'sales@example.com'],
    ['mailto:Sales%40example.com', 'email', 'Sales@example.com'],
    ['https://t.me/exporter_sales', 'telegram', 'exporter_sales'],
    ['https://t.me/exporter_sales/', 'telegram', 'exporter_sales'],
    ['https://telegram.me/exporter_sales', 'telegram', 'exporter_sales'],
    ['tg://resolve?domain=exporter_sales', 'telegram', 'exporter_sales'],
    ['skype:live:exporter.sales?chat', 'skype', 'live:exporter.sales'],
    ['viber://chat?number=%2B380501234567', 'viber', '+380501234567'],
    ['https://line.me/ti/p/~exporter', 'line', '~exporter'],
    ['https://line.me/R/ti/p/@exporter', 'line', '@exporter'],
    ['https://m.me/exporterpage', 'messenger', 'exporterpage'],
    ['weixin://dl/chat?exporter_wechat', 'wechat', 'exporter_wechat'],
  ])('reports a click on %s as chat_open %s %s', (href, provider, target) => {
    expect(click(href)).toEqual([{ provider, target }]);
  });

  it('sends a chat_open at once, since the app opening may unload the page', () => {
    click('https://wa.me/8613800138000');
    expect(sent.requests).toHaveLength(1);
  });

  it.each([
    'https://api.whatsapp.com/send?text=Look%20at%20this',
    'https://wa.me/?text=Look%20at%20this',
    'whatsapp://send?text=Look%20at%20this',
    'https://t.me/share/url?url=https%3A%2F%2Fexample.com%2Fvalve',
    'mailto:?subject=Look%20at%20this',
    'weixin://',
    'tel:',
  ])('ignores %s: a share button or a link without a number, address or handle', (href) => {
    expect(click(href)).toEqual([]);
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
    expect(chats()).toEqual([{ provider: 'tel', target: '+4930123456' }]);
  });

  it('counts every click: a second click on the same link is a second opening', () => {
    click('https://wa.me/8613800138000');
    vi.advanceTimersByTime(1);
    document.querySelector('span')!.click();
    expect(chats()).toHaveLength(2);
  });
});

describe('chats opened by script (window.open)', () => {
  it('reports a chat link opened with window.open, and opens it as the page asked', () => {
    const page = { open: window.open };
    const opened = page.open('https://wa.me/?phone=8613800138000&text=Hello', 'joinchat', 'noopener');
    expect(chats()).toEqual([{ provider: 'whatsapp', target: '8613800138000' }]);
    expect(pageOpen).toHaveBeenCalledWith('https://wa.me/?phone=8613800138000&text=Hello', 'joinchat', 'noopener');
    expect(pageOpen.mock.contexts[0]).toBe(page);
    expect(opened).toEqual({ name: 'the new window' });
  });

  it('leaves any other window.open alone', () => {
    window.open('/brochure.pdf', '_blank');
    window.open();
    expect(pageOpen).toHaveBeenCalledTimes(2);
    expect(pageOpen).toHaveBeenNthCalledWith(2);
    vi.advanceTimersByTime(1000);
    expect(sent.eventsOf('chat_open')).toEqual([]);
  });

  it('still opens the window when the link cannot be read', () => {
    window.open('mailto:%E0%A4%A');
    expect(pageOpen).toHaveBeenCalledWith('mailto:%E0%A4%A');
    expect(chats()).toEqual([]);
  });

  it('counts a click and the window.open its handler makes for the same link once', () => {
    const link = render<HTMLAnchorElement>('<a href="https://wa.me/8613700137000">Sales</a>');
    link.addEventListener('click', () => window.open(link.href, '_blank', 'noopener'));
    link.click();
    expect(pageOpen).toHaveBeenCalledTimes(1);
    expect(chats()).toEqual([{ provider: 'whatsapp', target: '8613700137000' }]);
  });
});
