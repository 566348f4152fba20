/**
 * How a page was used: active seconds (visible, with recent input or scrolling) and the deepest
 * scroll, reported when the page is hidden or left and before each SPA navigation.
 */
import { currentDocument, currentUrl, listen } from './config.js';
import { sendEvent, URL_LIMIT } from './transport.js';

/** A reader pauses between scrolls; a longer silence counts as away from the screen. */
const IDLE_MS = 15000;
/** The schema's bound: a day of active time. */
const SECONDS_LIMIT = 86400;

let activeMs = 0;
let lastActivity = Date.now();
let maxScroll = 0;
/** The url of the page's pageview, which the collector matches engagement to (an anchor hash does not change it). */
let page = currentUrl();

function noteActivity(): void {
  const now = Date.now();
  // lastActivity is 0 while hidden: the time away is not counted.
  if (lastActivity) activeMs += Math.min(now - lastActivity, IDLE_MS);
  lastActivity = now;
  const root = currentDocument.documentElement;
  // NaN (nothing laid out yet) becomes 0; a page shorter than the window counts as fully read.
  maxScroll = Math.max(maxScroll, Math.min(100, Math.round(((scrollY + innerHeight) / root.scrollHeight) * 100)) || 0);
}

export function trackEngagement(): void {
  // visibilitychange: becoming visible restarts the clock. Touch listeners on window are passive by
  // default in every engine, and the others cannot delay scrolling, so none slows the page.
  for (const type of 'pointerdown keydown scroll mousemove touchstart visibilitychange'.split(' ')) {
    listen(type, noteActivity);
  }
}

/**
 * Sends the active seconds since the previous report (the collector adds them up per pageview) and
 * the deepest scroll of the page so far. `nextPage` (an SPA navigation) starts the next page from zero.
 */
export function reportEngagement(nextPage?: string): void {
  try {
    noteActivity();
    const seconds = Math.min(SECONDS_LIMIT, Math.round(activeMs / 1000));
    if (seconds) sendEvent({ type: 'engagement', url: page.slice(0, URL_LIMIT), seconds, scroll: maxScroll });
    activeMs = 0;
    if (currentDocument.hidden) lastActivity = 0;
    if (nextPage) {
      page = nextPage;
      maxScroll = 0;
    }
  } catch {}
}
