// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSnippet, recordRequests, type Recorder } from './page.js';

let sent: Recorder;
const realStorage = window.localStorage;

/** Loads the page afresh and returns the visitor id its first request carries. */
async function visitorOfNextLoad(attributes: Record<string, string> = {}): Promise<string> {
  sent.requests.length = 0;
  await loadSnippet(attributes);
  window.leadtrail!('identify', { email: 'buyer@example.com' });
  return sent.requests[0]!.batch.visitor;
}

beforeEach(() => {
  vi.useFakeTimers();
  sent = recordRequests();
});

afterEach(() => {
  vi.restoreAllMocks();
  localStorage.clear();
  document.cookie = '_lt_vid=;path=/;max-age=0';
});

describe('visitor id', () => {
  it('keeps one random visitor id across page loads in localStorage, and sets no cookie', async () => {
    const first = await visitorOfNextLoad();
    expect(first).toMatch(/^[0-9a-z]{20}$/);
    expect(await visitorOfNextLoad()).toBe(first);
    expect(localStorage.getItem('_lt_vid')).toBe(first);
    expect(document.cookie).toBe('');
  });

  it.each([
    // Blocked site data: even reading window.localStorage throws.
    ['blocked', () => { throw new DOMException('The operation is insecure.', 'SecurityError'); }],
    // Old Safari private mode: storage reads, but every write throws.
    ['full', () => new Proxy(realStorage, { set() { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); } })],
  ])('falls back to a first-party cookie when localStorage is %s', async (_, storage) => {
    Object.defineProperty(window, 'localStorage', { configurable: true, get: storage });
    try {
      const first = await visitorOfNextLoad();
      expect(document.cookie).toBe(`_lt_vid=${first}`);
      expect(await visitorOfNextLoad()).toBe(first);
    } finally {
      Object.defineProperty(window, 'localStorage', { configurable: true, get: () => realStorage });
    }
  });

  it('takes the id from the cookie when localStorage has none, and copies it there once storage works again', async () => {
    document.cookie = '_lt_vid=fromcookie0123456789;path=/';
    expect(await visitorOfNextLoad()).toBe('fromcookie0123456789');
    expect(localStorage.getItem('_lt_vid')).toBe('fromcookie0123456789');
  });

  it('does not take a longer cookie name that ends in _lt_vid for its own', async () => {
    document.cookie = 'x_lt_vid=notours0123456789abc;path=/';
    try {
      expect(await visitorOfNextLoad()).not.toBe('notours0123456789abc');
    } finally {
      document.cookie = 'x_lt_vid=;path=/;max-age=0';
    }
  });
});

describe('tag attributes', () => {
  it('sends to data-api when the tag names a collector elsewhere', async () => {
    await visitorOfNextLoad({ 'data-api': 'https://track.example.org/' });
    expect(sent.requests[0]!.url).toBe('https://track.example.org/collect');
  });

  it('stays inert without data-site, leaving the stub in place', async () => {
    for (const old of Array.from(document.querySelectorAll('script[data-site]'))) old.remove();
    delete window.leadtrail;
    const script = document.createElement('script');
    script.src = 'https://collector.example/lt.js';
    document.head.append(script);
    vi.resetModules();
    await import('../../snippet/index.js');
    vi.advanceTimersByTime(5000);
    expect(window.leadtrail).toBeUndefined();
    expect(sent.requests).toEqual([]);
  });
});
