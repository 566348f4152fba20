// @vitest-environment jsdom
// One page with data-consent="required", followed through its visit: the tests run in order.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { leavePage, loadSnippet, recordRequests, render, setVisibility, submit, type, type Recorder } from './page.js';

let sent: Recorder;

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  document.addEventListener('submit', (event) => event.preventDefault());
  document.addEventListener('click', (event) => event.preventDefault());
  // A page with a form: lt.js imports lt-forms.js at start.
  render('<form id="on-load"></form>');
  await loadSnippet({ 'data-consent': 'required' });
});

describe('data-consent="required"', () => {
  it('stores nothing and sends nothing before consent, whatever the visitor does', () => {
    const form = render(`<form id="quote"><input type="email" name="email"></form>`);
    type(form.querySelector('input'), 'buyer@example.com');
    submit(form);
    render<HTMLAnchorElement>('<a href="https://wa.me/8613800138000">WhatsApp</a>').click();
    window.leadtrail!('identify', { email: 'buyer@example.com' });
    history.pushState(null, '', '/products');
    vi.advanceTimersByTime(60_000);
    leavePage();
    expect(sent.requests).toEqual([]);
    expect(localStorage.length).toBe(0);
    expect(document.cookie).toBe('');
  });

  it('sends what waited in memory once consent is given, and then keeps the visitor id', () => {
    setVisibility('visible');
    window.leadtrail!('consent', true);
    // In any order: a form_submit may wait for the form's outcome (forms.ts).
    expect(sent.events().map((event) => event.type).sort()).toEqual(
      ['pageview', 'form_start', 'form_submit', 'chat_open', 'identify', 'pageview', 'engagement'].sort(),
    );
    const visitor = sent.requests[0]!.batch.visitor;
    expect(localStorage.getItem('_lt_vid')).toBe(visitor);
  });

  it('records normally while consent holds', () => {
    sent.requests.length = 0;
    window.leadtrail!('track', 'quote_requested', { product: 'SKU-1' });
    vi.advanceTimersByTime(1000);
    expect(sent.eventsOf('track')).toHaveLength(1);
  });

  it('stops on consent false and forgets the visitor id and the unsent events', () => {
    sent.requests.length = 0;
    localStorage.setItem('_lt_retry', '[]');
    document.cookie = '_lt_vid=oldcookievisitor1;path=/';
    window.leadtrail!('track', 'unsent');
    window.leadtrail!('consent', false);
    window.leadtrail!('track', 'after_refusal');
    history.pushState(null, '', '/after-refusal');
    vi.advanceTimersByTime(60_000);
    leavePage();
    expect(sent.requests).toEqual([]);
    expect(localStorage.getItem('_lt_vid')).toBeNull();
    expect(localStorage.getItem('_lt_retry')).toBeNull();
    expect(document.cookie).toBe('');
  });
});
