/**
 * Click-to-chat and contact links: a click on a WhatsApp, Telegram, … link or on tel:/mailto: is a
 * `chat_open` with the number, address or handle it points at.
 */
import type { ChatProvider } from '../collector/ingest/schema.js';
import { sendEvent } from './transport.js';

/**
 * Providers by the link's scheme (`tel:`, `whatsapp:`) or, for web links, its host. The browser has
 * lower-cased both. Extend here.
 */
const LINKS: Record<string, ChatProvider> = {
  'wa.me': 'whatsapp',
  'api.whatsapp.com': 'whatsapp',
  'web.whatsapp.com': 'whatsapp',
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

export function trackChats(): void {
  // Capture phase: widgets and routers stop the click before it bubbles to the document.
  document.addEventListener(
    'click',
    (event) => {
      try {
        const link = (event.target as Element).closest('a[href]') as HTMLAnchorElement | null;
        if (!link) return;
        const url = new URL(link.href);
        const provider = LINKS[url.protocol] || LINKS[url.host];
        // wa.me/861…, api.whatsapp.com/send?phone=861…, viber://chat?number=…, mailto:a@b.com?subject=…
        const params = url.searchParams;
        if (provider) openChat(provider, params.get('phone') || params.get('number') || decodeURIComponent(url.pathname).replace(/^\//, ''));
      } catch {}
    },
    true,
  );
}

/** Records a chat opening; also the entry point for widget hooks (Tawk, Crisp, Tidio, …). */
export function openChat(provider: ChatProvider, target?: string): void {
  sendEvent({ type: 'chat_open', provider, target: target ? target.slice(0, TARGET_LIMIT) : undefined });
}
