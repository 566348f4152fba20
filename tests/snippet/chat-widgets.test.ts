// @vitest-environment jsdom
/**
 * Chat widgets in jsdom, with minimal stand-ins for the vendors' public APIs (the browser tests in
 * tests/e2e/chat.test.ts drive fuller ones): one chat_open per opening, hooks that only listen,
 * and widgets found when they load after lt.js.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSnippet, recordRequests, type Recorder } from './page.js';

type Listener = (...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const vendors = window as any;
let sent: Recorder;

/** A vendor's listener registry: what the stand-ins call when their chat window opens or closes. */
function registry() {
  const listeners: Record<string, Listener[]> = {};
  return {
    on: (name: string, listener: Listener) => (listeners[name] ||= []).push(listener),
    emit: (name: string, ...args: unknown[]) => (listeners[name] || []).forEach((listener) => listener(...args)),
  };
}

/** A vendor's script arriving after lt.js: its globals are set, then its load event fires. */
function scriptLoads(): void {
  const script = document.createElement('script');
  document.head.append(script);
  script.dispatchEvent(new Event('load'));
}

const opened = () => sent.eventsOf('chat_open').map((event) => event.provider);

// What the pages' own code registered: it must keep running.
const pageCrispHandler = vi.fn();
const pageLiveChatListener = vi.fn();

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  // The stubs the vendors' install snippets define before their scripts load.
  vendors.$crisp = [['on', 'chat:opened', pageCrispHandler]];
  const intercom = (...args: unknown[]) => intercom.q.push(args);
  intercom.q = [] as unknown[][];
  vendors.Intercom = intercom;
  vendors.LiveChatWidget = { _q: [] as unknown[], on: (...args: unknown[]) => vendors.LiveChatWidget._q.push(['on', args]) };
  vendors.LiveChatWidget.on('visibility_changed', pageLiveChatListener);
  await loadSnippet();
  vi.advanceTimersByTime(1000);
});

beforeEach(() => {
  sent.requests.length = 0;
});

describe('widgets that dispatch DOM events', () => {
  it('Tawk.to: counts maximized once until minimized or hidden', () => {
    const tawk = (name: string) => window.dispatchEvent(new CustomEvent(name));
    tawk('tawkChatMaximized');
    tawk('tawkChatMaximized');
    tawk('tawkChatMinimized');
    tawk('tawkChatMaximized');
    tawk('tawkChatHidden');
    tawk('tawkChatMaximized');
    expect(opened()).toEqual(['tawk', 'tawk', 'tawk']);
  });

  it('Tidio: counts tidioChat-open once until tidioChat-close, also when the event bubbles to window', () => {
    const tidio = (name: string) => document.dispatchEvent(new CustomEvent(name, { bubbles: true }));
    tidio('tidioChat-open');
    tidio('tidioChat-open');
    tidio('tidioChat-close');
    tidio('tidioChat-open');
    expect(opened()).toEqual(['tidio', 'tidio']);
  });
});

describe('widgets hooked through the stubs of their install snippets', () => {
  it('Crisp: queues "on" handlers in the $crisp array; the page\'s handler stays', () => {
    const crisp = registry();
    for (const [action, name, handler] of vendors.$crisp) if (action == 'on') crisp.on(name, handler);
    crisp.emit('chat:opened');
    crisp.emit('chat:opened');
    crisp.emit('chat:closed');
    crisp.emit('chat:opened');
    expect(opened()).toEqual(['crisp', 'crisp']);
    expect(pageCrispHandler).toHaveBeenCalledTimes(3);
  });

  it("Intercom: queues onShow and onHide in the stub's queue", () => {
    const intercom = registry();
    for (const [command, callback] of vendors.Intercom.q) intercom.on(command, callback);
    intercom.emit('onShow');
    intercom.emit('onShow');
    intercom.emit('onHide');
    intercom.emit('onShow');
    expect(opened()).toEqual(['intercom', 'intercom']);
  });

  it('LiveChat: counts visibility_changed to maximized once until minimized or hidden', () => {
    const livechat = registry();
    for (const [method, [name, listener]] of vendors.LiveChatWidget._q) if (method == 'on') livechat.on(name, listener);
    for (const visibility of ['maximized', 'maximized', 'minimized', 'maximized', 'hidden', 'maximized']) {
      livechat.emit('visibility_changed', { visibility });
    }
    expect(opened()).toEqual(['livechat', 'livechat', 'livechat']);
    expect(pageLiveChatListener).toHaveBeenCalledTimes(6);
  });
});

describe('widgets that load after lt.js', () => {
  it('Zendesk: hooked when its script has loaded, once, and tried again when its API was not ready', () => {
    const errors = vi.fn();
    window.addEventListener('error', errors);
    vendors.zE = () => {
      throw new Error('zE is not ready');
    };
    scriptLoads();
    expect(errors).not.toHaveBeenCalled();

    const zendesk = registry();
    vendors.zE = vi.fn((api: string, name: string, callback: Listener) => api == 'messenger:on' && zendesk.on(name, callback));
    scriptLoads();
    scriptLoads();
    expect(vendors.zE.mock.calls.map(([api, name]: string[]) => `${api} ${name}`)).toEqual([
      'messenger:on open',
      'messenger:on close',
      'webWidget:on open',
      'webWidget:on close',
    ]);
    zendesk.emit('open');
    zendesk.emit('open');
    zendesk.emit('close');
    zendesk.emit('open');
    expect(opened()).toEqual(['zendesk', 'zendesk']);
  });

  it("JivoChat: chains the page's global callbacks once Jivo is there, and again when the page replaces one", () => {
    const pageOpen = vi.fn((..._args: unknown[]) => 'page result');
    vendors.jivo_onOpen = pageOpen;
    scriptLoads();
    // Not Jivo's page (yet): no global added.
    expect(vendors.jivo_onOpen).toBe(pageOpen);
    expect('jivo_onClose' in window).toBe(false);

    vendors.jivo_api = {};
    scriptLoads();
    scriptLoads();
    expect(vendors.jivo_onOpen('chat')).toBe('page result');
    expect(pageOpen).toHaveBeenCalledWith('chat');
    vendors.jivo_onOpen();
    vendors.jivo_onClose();
    vendors.jivo_onOpen();
    expect(opened()).toEqual(['jivo', 'jivo']);

    const laterPageOpen = vi.fn();
    vendors.jivo_onOpen = laterPageOpen;
    scriptLoads();
    vendors.jivo_onClose();
    vendors.jivo_onOpen();
    expect(opened()).toEqual(['jivo', 'jivo', 'jivo']);
    expect(laterPageOpen).toHaveBeenCalledTimes(1);
    expect(pageOpen).toHaveBeenCalledTimes(3);
  });

  it("Zoho SalesIQ: chains its one-callback slots, also the page's callback registered later; left alone without them", () => {
    const floatwindow = { open: vi.fn(), close: vi.fn(), minimize: vi.fn() };
    vendors.$zoho = { salesiq: { ready() {}, floatwindow } };
    scriptLoads();
    expect(floatwindow.open).not.toHaveBeenCalled();

    // float.ls: floatwindow.open(fn) stores fn in _callbacks['chat.open'], and _invoke calls it.
    const callbacks: Record<string, Listener> = {};
    vendors.$zoho.salesiq._callbacks = callbacks;
    const invoke = (type: string) => callbacks[type]?.('');
    scriptLoads();
    invoke('chat.open');
    invoke('chat.open');
    invoke('floatwindow.minimize');
    const pageOpen = vi.fn();
    callbacks['chat.open'] = pageOpen; // the page, in $zoho.salesiq.ready
    scriptLoads(); // SalesIQ's stylesheet
    invoke('chat.open');
    invoke('chat.close');
    invoke('chat.open');
    expect(opened()).toEqual(['zoho', 'zoho', 'zoho']);
    expect(pageOpen).toHaveBeenCalledTimes(2);
  });
});
