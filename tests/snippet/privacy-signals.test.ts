// @vitest-environment jsdom
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { leavePage, loadSnippet, recordRequests, render, setVisibility, submit, type, type Recorder } from './page.js';

let sent: Recorder;

/** Everything a visitor and the page can do, consent included. */
function visitAndAgree(): void {
  const form = render(`<form id="quote"><input type="email" name="email"></form>`);
  type(form.querySelector('input'), 'buyer@example.com');
  submit(form);
  render<HTMLAnchorElement>('<a href="tel:+4930123456">Call</a>').click();
  window.leadtrail!('consent', true);
  window.leadtrail!('identify', { email: 'buyer@example.com' });
  window.leadtrail!('track', 'quote_requested');
  history.pushState(null, '', '/next-' + Math.random());
  vi.advanceTimersByTime(60_000);
  leavePage();
  setVisibility('visible');
}

beforeEach(() => {
  vi.useFakeTimers();
  sent = recordRequests();
  document.addEventListener('submit', (event) => event.preventDefault());
  document.addEventListener('click', (event) => event.preventDefault());
});

afterEach(() => {
  for (const name of ['globalPrivacyControl', 'doNotTrack']) delete (navigator as unknown as Record<string, unknown>)[name];
});

it('sends nothing and writes no cookie or storage under Global Privacy Control, even after consent', async () => {
  Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, value: true });
  await loadSnippet();
  visitAndAgree();
  expect(sent.requests).toEqual([]);
  expect(localStorage.length).toBe(0);
  expect(sessionStorage.length).toBe(0);
  expect(document.cookie).toBe('');
});

it('treats Do Not Track as refusal when the tag has data-respect-dnt', async () => {
  Object.defineProperty(navigator, 'doNotTrack', { configurable: true, value: '1' });
  await loadSnippet({ 'data-respect-dnt': '' });
  visitAndAgree();
  expect(sent.requests).toEqual([]);
  expect(localStorage.length).toBe(0);
  expect(document.cookie).toBe('');
});

// Last: this page records, and its listeners stay on the document.
it('ignores Do Not Track when the tag does not ask to respect it', async () => {
  Object.defineProperty(navigator, 'doNotTrack', { configurable: true, value: '1' });
  await loadSnippet();
  visitAndAgree();
  expect(sent.eventsOf('pageview').length).toBeGreaterThan(0);
});
