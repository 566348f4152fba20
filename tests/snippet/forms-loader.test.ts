// @vitest-environment jsdom
// One page without a form at first, followed through its visit: the tests run in order.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { formsLoaded, loadSnippet, recordRequests, render, serveForms, submit, type, type FormsResponse, type Recorder } from './page.js';

/** How long the snippet waits for a plugin's outcome (OUTCOME_MS in snippet/forms.ts). */
const OUTCOME_MS = 10_000;

let sent: Recorder;
let formsFile: FormsResponse;
/** Resolves when lt.js asks for lt-forms.js (import() resolves over a few turns, not at once). */
let requested: Promise<void>;
let arrive: () => void;

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  // The site's own script: an AJAX form handler that cancels the native submission; jsdom cannot follow links.
  document.addEventListener('submit', (event) => event.preventDefault());
  document.addEventListener('click', (event) => event.preventDefault());
  // A slow network: lt-forms.js arrives when the test says so.
  let markRequested: () => void;
  requested = new Promise((resolve) => (markRequested = resolve));
  formsFile = serveForms(() => {
    markRequested();
    return new Promise<void>((resolve) => (arrive = resolve));
  });
  document.body.innerHTML = '<h1>Ball valves</h1><p>DN15 to DN300.</p><button>Show prices</button><div contenteditable>note</div>';
  await loadSnippet();
});

describe('lt-forms.js on a page whose form comes later', () => {
  it('is not imported while the page has no form or input, whatever the visitor does', async () => {
    render<HTMLAnchorElement>('<a href="https://wa.me/8613800138000">WhatsApp</a>').click();
    document.querySelector('button')!.click();
    document.querySelector('[contenteditable]')!.dispatchEvent(new Event('input', { bubbles: true }));
    window.postMessage({ type: 'youtube-player', event: 'onReady' }, '*');
    history.pushState(null, '', '/valves/dn50');
    vi.advanceTimersByTime(1000);
    await formsLoaded();
    expect(formsFile.requests).toBe(0);
    expect(sent.events().map((event) => event.type)).toEqual(['pageview', 'chat_open', 'pageview']);
  });

  it('is imported at the first keystroke in a form rendered later; a submit made while it downloads counts', async () => {
    sent.requests.length = 0;
    const form = render(`
      <form id="quote-popup">
        <input type="email" name="email">
        <input type="password" name="account_password" value="Hunter2-Buyer-Pass">
        <textarea name="message">Price for DN50?</textarea>
      </form>`);
    expect(formsFile.requests).toBe(0);
    type(form.querySelector('[name=email]'), 'buyer@example.com');
    submit(form);
    // The plugin takes the form away after sending it: what was submitted is still read.
    form.remove();
    await requested;
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(sent.eventsOf('form_submit')).toEqual([]);

    arrive();
    await formsLoaded();
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(sent.eventsOf('form_start')).toEqual([expect.objectContaining({ form: 'quote-popup' })]);
    expect(sent.eventsOf('form_submit')).toEqual([
      expect.objectContaining({ form: 'quote-popup', provider: 'native', fields: { email: 'buyer@example.com', message: 'Price for DN50?' } }),
    ]);
    expect(sent.text()).not.toContain('Hunter2-Buyer-Pass');
  });

  it('is imported once: a second form is captured by the same copy, once', () => {
    sent.requests.length = 0;
    const form = render(`<form id="newsletter"><input type="email" name="email" value="second@example.com"></form>`);
    submit(form);
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(formsFile.requests).toBe(1);
    expect(sent.eventsOf('form_submit')).toEqual([expect.objectContaining({ form: 'newsletter', fields: { email: 'second@example.com' } })]);
  });
});
