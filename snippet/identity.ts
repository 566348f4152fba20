/**
 * Who the browser is (a random visitor id in first-party storage) and whether we may remember and
 * send anything at all (consent, Global Privacy Control, Do Not Track).
 */
import type { Config } from './config.js';

const VISITOR_KEY = '_lt_vid';
/**
 * Two years: long enough to recognise a buyer who returns for next season's order. (Safari's ITP
 * caps script-written cookies and storage at 7 days without a visit; nothing a script can do.)
 */
const COOKIE_SECONDS = 63072000;

/** true: store and send; undefined (pending): keep events in memory only; false (refused): drop them. */
let consent: boolean | undefined;
let blockedByBrowser: boolean;
let visitorId: string | undefined;

/** A random id from crypto.getRandomValues: 20 base-36 characters, about 103 bits. */
export const randomId = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(20)), (byte) => (byte % 36).toString(36)).join('');

export function initConsent(config: Config): void {
  const browser = navigator as Navigator & { globalPrivacyControl?: boolean };
  blockedByBrowser = browser.globalPrivacyControl === true || (config.respectDoNotTrack && browser.doNotTrack == '1');
  consent = blockedByBrowser ? false : config.consentRequired ? undefined : true;
}

/**
 * The page's consent decision. Not remembered across page loads: the site's consent manager calls
 * it on every page, as it does for its other tags. GPC and Do Not Track cannot be overridden.
 */
export function setConsent(granted: boolean): void {
  consent = granted && !blockedByBrowser;
  if (!consent) {
    visitorId = undefined;
    try {
      document.cookie = VISITOR_KEY + '=;path=/;max-age=0';
      localStorage.removeItem(VISITOR_KEY);
    } catch {}
  }
}

export const mayRecord = (): boolean => consent !== false;
export const maySend = (): boolean => consent === true;

/**
 * The stored visitor id, created on first use. Callers check maySend() first, so nothing is
 * written without consent; they also catch, since storage and cookies can throw (sandboxed frames).
 */
export function getVisitorId(): string {
  if (!visitorId) {
    let stored: string | null | undefined = (document.cookie.match(/(?:^|; )_lt_vid=(\w+)/) || [])[1];
    try {
      stored = stored || localStorage.getItem(VISITOR_KEY);
    } catch {}
    visitorId = stored || randomId();
    try {
      localStorage.setItem(VISITOR_KEY, visitorId);
    } catch {
      // Storage blocked (old Safari private mode, some in-app webviews): the cookie keeps the id.
      // SameSite=Lax is the browsers' default for a cookie that does not say.
      document.cookie = VISITOR_KEY + '=' + visitorId + ';path=/;max-age=' + COOKIE_SECONDS;
    }
  }
  return visitorId;
}
