// @vitest-environment jsdom
import { beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { leavePage, loadSnippet, recordRequests, setVisibility, type Recorder } from './page.js';

let sent: Recorder;
const origin = location.origin;

/** The visitor does something (a key, a scroll) after `seconds` more seconds. */
function actAfter(seconds: number, type = 'keydown'): void {
  vi.advanceTimersByTime(seconds * 1000);
  window.dispatchEvent(new Event(type));
}

function engagements() {
  const events = sent.eventsOf('engagement').map(({ url, seconds, scroll }) => ({ url, seconds, scroll }));
  sent.requests.length = 0;
  return events;
}

beforeAll(async () => {
  vi.useFakeTimers();
  history.replaceState(null, '', '/article');
  // A page four screens long, seen through an 800 px window.
  Object.defineProperty(document.documentElement, 'scrollHeight', { configurable: true, value: 3200 });
  Object.defineProperty(window, 'innerHeight', { configurable: true, value: 800 });
  sent = recordRequests();
  await loadSnippet();
});

beforeEach(() => {
  setVisibility('visible');
  Object.defineProperty(window, 'scrollY', { configurable: true, writable: true, value: 0 });
});

it('reports active seconds and the deepest scroll when the page is left', () => {
  actAfter(5);
  window.scrollY = 1600; // 1600 + 800 of 3200: 75 %
  actAfter(5, 'scroll');
  window.scrollY = 400;
  actAfter(5, 'scroll');
  // A minute without input counts as 15 s of reading at most.
  vi.advanceTimersByTime(60_000);
  leavePage();
  expect(engagements()).toEqual([{ url: `${origin}/article`, seconds: 30, scroll: 75 }]);
});

it('does not count the time the page spent hidden', () => {
  vi.advanceTimersByTime(600_000);
  setVisibility('visible');
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  actAfter(4);
  leavePage();
  expect(engagements()).toEqual([{ url: `${origin}/article`, seconds: 4, scroll: 75 }]);
});

it('reports the previous page before the pageview of an SPA navigation, then starts afresh', () => {
  setVisibility('visible');
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  actAfter(3);
  history.pushState(null, '', '/next');
  vi.advanceTimersByTime(1000);
  expect(sent.events().map((event) => [event.type, event.url])).toEqual([
    ['engagement', `${origin}/article`],
    ['pageview', `${origin}/next`],
  ]);
  sent.requests.length = 0;
  actAfter(2);
  leavePage();
  expect(engagements()).toEqual([{ url: `${origin}/next`, seconds: 3, scroll: 25 }]);
});

it('keeps reporting the page of the pageview, with its deepest scroll, after an anchor jump within it', async () => {
  setVisibility('visible');
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  window.scrollY = 2400; // the bottom: 100 %
  actAfter(2, 'scroll');
  leavePage();
  engagements();
  setVisibility('visible');
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  location.hash = '#specs';
  await vi.waitFor(() => expect(location.hash).toBe('#specs'));
  for (const seconds of [2, 3]) {
    setVisibility('visible');
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    window.scrollY = 0;
    actAfter(seconds, 'scroll');
    leavePage();
    expect(engagements()).toEqual([{ url: `${origin}/next`, seconds, scroll: 100 }]);
  }
});

it('sends no engagement for a page nobody used', () => {
  leavePage();
  expect(engagements()).toEqual([]);
});
