// @vitest-environment jsdom
// A page with a form whose lt-forms.js cannot be loaded (a 404, a blocked request).
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { formsLoaded, loadSnippet, recordRequests, render, serveForms, submit, type, type Recorder } from './page.js';

let sent: Recorder;
/** What reached the page: errors and unhandled rejections. */
const reachedPage: unknown[] = [];
const onError = (event: ErrorEvent) => reachedPage.push(event.error);
const onRejection = (event: PromiseRejectionEvent) => reachedPage.push(event.reason);
const onNodeRejection = (reason: unknown) => reachedPage.push(reason);

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  process.on('unhandledRejection', onNodeRejection);
  document.addEventListener('submit', (event) => event.preventDefault());
  document.addEventListener('click', (event) => event.preventDefault());
  serveForms(() => {
    throw new TypeError('Failed to fetch dynamically imported module: https://collector.example/lt-forms.js (404)');
  });
  render(`<form id="quote"><input type="email" name="email"><button>Send</button></form>`);
  await loadSnippet();
});

afterAll(() => {
  process.off('unhandledRejection', onNodeRejection);
});

it('leaves page views, chat and the page API working, and lets nothing reach the page', async () => {
  const form = document.querySelector('form')!;
  type(form.querySelector('input'), 'buyer@example.com');
  submit(form);
  render<HTMLAnchorElement>('<a href="tel:+8657400000000">Call</a>').click();
  window.leadtrail!('track', 'quote_requested', { product: 'SKU-1' });
  history.pushState(null, '', '/after-the-form');
  vi.advanceTimersByTime(60_000);
  await formsLoaded();

  expect(sent.events().map((event) => event.type)).toEqual(['pageview', 'chat_open', 'track', 'pageview']);
  expect(reachedPage).toEqual([]);
});
