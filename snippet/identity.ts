/**
 * Who the browser is (a random visitor id in first-party storage) and whether we may remember and
 * send anything at all (consent, Global Privacy Control, Do Not Track).
 */
import { consentRequired, currentDocument, respectDoNotTrack } from './config.js';

const VISITOR_KEY = '_lt_vid';
/** Failed events waiting for a re-send (transport.ts); here because consent withdrawn forgets it with the id. */
export const RETRY_KEY = '_lt_retry';
/**
 * Two years: long enough to recognise a buyer who returns for next season's order. (Safari's ITP
 * caps script-written cookies and storage at 7 days without a visit; nothing a script can do.)
 */
const COOKIE_SECONDS = 63072000;

/** true: store and send; undefined (pending): keep events in memory only; false (refused): drop them. */
export let consent: boolean | undefined;
let blockedByBrowser: boolean | undefined;
let visitorId: string | undefined;

/** A random id from crypto.getRandomValues: 20 base-36 characters, about 103 bits. */
export const randomId = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(20)), (byte) => (byte % 36).toString(36)).join('');

export function initConsent(): void {
  const browser = navigator as Navigator & { globalPrivacyControl?: boolean };
  blockedByBrowser = browser.globalPrivacyControl || (respectDoNotTrack && browser.doNotTrack == '1');
  consent = !blockedByBrowser && (!consentRequired || undefined);
}

/**
 * The page's consent decision. Not remembered across page loads: the site's consent manager calls
 * it on every page, as it does for its other tags. GPC and Do Not Track cannot be overridden.
 * Refusal forgets the visitor id and the events waiting for a re-send.
 */
export function setConsent(granted: boolean): void {
  consent = granted && !blockedByBrowser;
  if (!consent) {
    visitorId = undefined;
    try {
      currentDocument.cookie = VISITOR_KEY + '=;path=/;max-age=0';
      // Storage by property, not getItem/removeItem: the same named-property access, fewer bytes.
      delete localStorage[VISITOR_KEY];
      delete localStorage[RETRY_KEY];
    } catch {}
  }
}

/**
 * The stored visitor id, created on first use. Callers check consent first, so nothing is written
 * without it; they also catch, since cookies can throw (sandboxed frames).
 */
export function getVisitorId(): string {
  if (!visitorId) {
    // `\b`: not a longer cookie name that ends in _lt_vid.
    visitorId = (currentDocument.cookie.match(/\b_lt_vid=(\w+)/) || [])[1] || randomId();
    try {
      localStorage[VISITOR_KEY] = visitorId = localStorage[VISITOR_KEY] || visitorId;
    } catch {
      // Storage blocked (old Safari private mode, some in-app webviews): the cookie keeps the id.
      // SameSite=Lax is the browsers' default for a cookie that does not say.
      currentDocument.cookie = VISITOR_KEY + '=' + visitorId + ';path=/;max-age=' + COOKIE_SECONDS;
    }
  }
  return visitorId!;
}
