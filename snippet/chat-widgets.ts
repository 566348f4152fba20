/**
 * Live-chat widgets → `chat_open`, once per opening. Each widget's own open and close notifications
 * keep an open/closed state per provider: a repeated "opened" while open counts once, open → close →
 * open counts twice. Hooks only listen: where a vendor keeps one callback, the page's is chained and
 * still runs, with its arguments and result.
 *
 * Widgets that load after lt.js (tag managers, consent banners, "delay JavaScript" plugins that wait
 * for the first interaction) are found without a timer: the JS APIs are looked for again each time a
 * script or other resource finishes loading, which is when a vendor's global can appear. Nothing
 * polls, so nothing needs a time bound, and a widget that comes late is still found.
 */
import type { ChatProvider } from '../collector/ingest/schema.js';
import { currentDocument, listen } from './config.js';
import { openChat } from './chat.js';

type Callback = (...args: unknown[]) => unknown;
/** A vendor's global, as loosely typed as the vendors document it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Vendor = any;
const vendors: Vendor = window;
/** Per provider: whether its chat window is open. */
const opened: Partial<Record<ChatProvider, unknown>> = {};
/** Per provider: its listeners are registered (those APIs keep every listener, so once is enough). */
const hooked: Partial<Record<ChatProvider, unknown>> = {};
/** Callbacks this file put into one-callback slots, so that a slot is chained once. */
const chained = new WeakSet<Callback>();

/**
 * Puts `ours` into a one-callback slot, chaining what the page had there: it still runs, with its
 * arguments and result. Again when the page replaces the slot later.
 */
function chainSlot(holder: Record<string, Callback | undefined>, key: string, ours: Callback): void {
  const previous = holder[key];
  if (previous && chained.has(previous)) return;
  const callback = function (this: unknown, ...args: unknown[]) {
    ours();
    return previous && previous.apply(this, args);
  };
  chained.add(callback);
  holder[key] = callback;
}

/**
 * Per provider: the global its code defines, and how to hear its chat window open and close through
 * it. A hook returns truthy once its listeners are registered for good; one that throws (the API is
 * not complete yet) or returns nothing (a slot the page may take over again) runs again at the next
 * load.
 */
const HOOKS: [ChatProvider, string, (api: Vendor, open: Callback, close: Callback) => unknown][] = [
  // Tawk.to dispatches its callbacks as window events too; its own wrappers listen to them
  // (github.com/tawk/tawk-messenger-react src/index.js), so the one Tawk_API.onChatMaximized slot stays the page's.
  [
    'tawk',
    'window',
    (_window, open, close) => {
      listen('tawkChatMaximized', open);
      listen('tawkChatMinimized', close);
      listen('tawkChatHidden', close);
      return 1;
    },
  ],
  // Tidio dispatches each tidioChatApi event on document as "tidioChat-<event>" (docs.tidio.com,
  // Listeners / Events: "tidioChat-ready"), whether or not tidioChatApi exists yet.
  [
    'tidio',
    'document',
    (_document, open, close) => {
      // Dispatched at the document, so they pass window on their way.
      listen('tidioChat-open', open);
      listen('tidioChat-close', close);
      return 1;
    },
  ],
  // docs.crisp.chat/guides/chatbox-sdks/web-sdk/dollar-crisp: ["on", "chat:opened", fn] is async-safe
  // (the $crisp array queues it); "on" adds a handler (crisp-sdk-web sends "off" first to replace one).
  [
    'crisp',
    '$crisp',
    (crisp, open, close) => {
      crisp.push(['on', 'chat:opened', open]);
      crisp.push(['on', 'chat:closed', close]);
      return 1;
    },
  ],
  // platform.text.com/docs/extending-chat-widget/javascript-api: on('visibility_changed', ({ visibility })),
  // 'maximized' | 'minimized' | 'hidden'; the tracking code's LiveChatWidget stub queues it.
  [
    'livechat',
    'LiveChatWidget',
    (widget, open, close) => {
      widget.on('visibility_changed', (data: { visibility: string }) => (data.visibility == 'maximized' ? open : close)());
      return 1;
    },
  ],
  // developers.intercom.com/installing-intercom/web/methods: Intercom('onShow', fn), Intercom('onHide', fn);
  // the snippet's Intercom stub queues them.
  [
    'intercom',
    'Intercom',
    (intercom, open, close) => {
      intercom('onShow', open);
      intercom('onHide', close);
      return 1;
    },
  ],
  // developer.zendesk.com/api-reference/widget-messaging/web/core: zE('messenger:on', 'open' | 'close', fn);
  // Web Widget (Classic), developer.zendesk.com/api-reference/widget/core: zE('webWidget:on', 'open' | 'close', fn).
  [
    'zendesk',
    'zE',
    (zE, open, close) => {
      for (const api of ['messenger:on', 'webWidget:on']) {
        zE(api, 'open', open);
        zE(api, 'close', close);
      }
      return 1;
    },
  ],
  // jivochat.com/docs/widget: JivoChat calls the page's global jivo_onOpen / jivo_onClose, one function
  // each; set only once Jivo is there (jivo_api), so no other page gets new globals.
  [
    'jivo',
    'jivo_api',
    (_api, open, close) => {
      chainSlot(vendors, 'jivo_onOpen', open);
      chainSlot(vendors, 'jivo_onClose', close);
    },
  ],
  // zoho.com/salesiq/help/developer-section/js-api-float-window-open.html: floatwindow.open(fn), .close(fn),
  // .minimize(fn) keep one callback each, in $zoho.salesiq._callbacks under these keys (SalesIQ's
  // float.ls), where a callback the page registers (typically in $zoho.salesiq.ready) is chained.
  // Without _callbacks the page's callback could not be kept, so SalesIQ is then left alone.
  [
    'zoho',
    '$zoho',
    (zoho, open, close) => {
      const slots = zoho.salesiq._callbacks;
      chainSlot(slots, 'chat.open', open);
      chainSlot(slots, 'chat.close', close);
      chainSlot(slots, 'floatwindow.minimize', close);
    },
  ],
];

/** Hooks the widgets on the page now; run again whenever a resource has loaded. */
function hookWidgets(): void {
  for (const [provider, name, hook] of HOOKS) {
    try {
      if (vendors[name]) {
        hooked[provider] ||= hook(
          vendors[name],
          () => {
            if (!opened[provider]) openChat(provider);
            opened[provider] = 1;
          },
          () => (opened[provider] = 0),
        );
      }
    } catch {}
  }
}

export function trackChatWidgets(): void {
  hookWidgets();
  // A vendor's global is defined when its script runs, just before the script's load event. Load
  // events do not bubble, but the document sees them all in the capture phase.
  listen('load', hookWidgets, currentDocument);
}
