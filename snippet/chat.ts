/**
 * Click-to-chat and contact links: following a WhatsApp, Telegram, … link or a tel:/mailto: link is
 * a `chat_open` with the number, address or handle it points at, whether the visitor clicks the
 * link or a script opens it (`window.open`: the Joinchat and Click to Chat buttons, theme buttons).
 * Chat widgets (Tawk.to, Crisp, …) are in chat-widgets.ts.
 */
import type { ChatProvider } from '../collector/ingest/schema.js';
import { currentUrl, listen } from './config.js';
import { sendEvent } from './transport.js';

/**
 * Providers by the link's scheme (`tel:`, `whatsapp:`) or, for web links, its host. The browser has
 * lower-cased both. Extend here.
 */
const LINKS: Record<string, ChatProvider> = {
  'wa.me': 'whatsapp',
  'api.whatsapp.com': 'whatsapp',
  'web.whatsapp.com': 'whatsapp',
  // WhatsApp's own short-link service, popular with small businesses: wa.link/ab12cd
  'wa.link': 'whatsapp',
  'whatsapp:': 'whatsapp',
  't.me': 'telegram',
  'telegram.me': 'telegram',
  'tg:': 'telegram',
  'm.me': 'messenger',
  'line.me': 'line',
  'line:': 'line',
  'skype:': 'skype',
  'viber:': 'viber',
  'weixin:': 'wechat',
  'tel:': 'tel',
  'mailto:': 'email',
};
/** The schema's bound for a target. */
const TARGET_LIMIT = 256;

/** The link last reported, until the task that reported it ends. */
let reported: string | undefined;

/**
 * Reports following a chat or contact link. The target is the number, address or handle; a link
 * without one (a WhatsApp share link, `wa.me/?text=…`) is not a contact and is not reported.
 */
function followLink(href: string | URL | undefined): void {
  const url = new URL(String(href), currentUrl());
  const provider = LINKS[url.protocol] || LINKS[url.host];
  const params = url.searchParams;
  const path = url.pathname;
  // api.whatsapp.com/send?phone=861…, viber://chat?number=%2B380…, tg://resolve?domain=handle; else the
  // last path segment (wa.me/861…, t.me/handle, line.me/ti/p/~id, mailto:a@b.com?subject=…, skype:id?chat),
  // but weixin://dl/chat?wxid keeps the WeChat id in the query, and share buttons have none
  // (api.whatsapp.com/send?text=…, t.me/share/url?url=…).
  const target = (
    params.get('phone') ||
    params.get('number') ||
    params.get('domain') ||
    decodeURIComponent(provider == 'wechat' ? url.search.slice(1) : /^\/(send|share)\b/.test(path) ? '' : path.replace(/.*\/(?!$)|\/$/g, ''))
  ).trim();
  const key = provider + target;
  // A click and the window.open its handler makes for the same link share a task: one opening.
  if (provider && target && key != reported) {
    reported = key;
    setTimeout(() => (reported = ''));
    openChat(provider, target);
  }
}

export function trackChats(): void {
  // Capture phase: widgets and routers stop the click before it bubbles to the document.
  listen('click', (event: Event) => {
      try {
        const link = (event.target as Element).closest('a[href]') as HTMLAnchorElement | null;
        if (link) followLink(link.href);
      } catch {}
  });
  // Chat buttons without a link open the app with window.open: Joinchat's open_whatsapp()
  // (github.com/creame/joinchat public/js/joinchat.js), Click to Chat's ht_ctc_link()
  // (wordpress.org/plugins/click-to-chat-for-whatsapp, new/inc/assets/js/app.js), theme buttons. The
  // page's window.open is called as before, with the same arguments, and its result returned.
  const open = window.open;
  window.open = function (this: Window, ...args: Parameters<typeof open>) {
    try {
      followLink(args[0]);
    } catch {}
    return open.apply(this, args);
  };
}

/** Records a chat opening; also the entry point for widget hooks (chat-widgets.ts). */
export function openChat(provider: ChatProvider, target?: string): void {
  sendEvent({ type: 'chat_open', provider, target: target ? target.slice(0, TARGET_LIMIT) : undefined });
}
