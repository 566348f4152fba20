// @vitest-environment jsdom
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { COLLECTOR, leavePage, loadSnippet, recordRequests, setVisibility, type Recorder } from './page.js';

let sent: Recorder;

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  await loadSnippet();
});

beforeEach(() => {
  setVisibility('visible');
  sent.fetchAnswer = 204;
  sent.beaconAccepts = true;
});

describe('sending', () => {
  it('waits about a second, then sends the batch with fetch to the collector the tag came from', () => {
    expect(sent.requests).toEqual([]);
    vi.advanceTimersByTime(999);
    expect(sent.requests).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent.requests).toHaveLength(1);
    const [request] = sent.requests;
    expect(request!.via).toBe('fetch');
    expect(request!.url).toBe(`${COLLECTOR}/collect`);
    expect(request!.init).toEqual({ method: 'POST', body: request!.body, keepalive: true, credentials: 'omit' });
  });

  it('sends the batch shape of SPEC §4, with the visitor id kept in first-party storage', () => {
    const { batch } = sent.requests[0]!;
    expect(batch).toEqual({
      site: 'site_test',
      visitor: expect.stringMatching(/^[0-9a-z]{20}$/),
      sent_at: expect.any(Number),
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      lang: navigator.language,
      screen: `${screen.width}x${screen.height}`,
      events: [expect.objectContaining({ type: 'pageview' })],
    });
    expect(localStorage.getItem('_lt_vid')).toBe(batch.visitor);
  });

  it('gathers the events of one moment into one request', () => {
    sent.requests.length = 0;
    window.leadtrail!('track', 'one');
    vi.advanceTimersByTime(500);
    window.leadtrail!('track', 'two');
    vi.advanceTimersByTime(1000);
    expect(sent.requests).toHaveLength(1);
    expect(sent.events().map((event) => event.type == 'track' && event.name)).toEqual(['one', 'two']);
  });

  it('keeps every event within the collector\'s bounds, so no batch is refused', () => {
    sent.requests.length = 0;
    const path = location.pathname;
    document.title = 'T'.repeat(600);
    history.pushState(null, '', `/long?q=${'x'.repeat(3000)}`);
    const traits = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`trait_${index}_${'k'.repeat(70)}`, 'v'.repeat(6000)]));
    window.leadtrail!('identify', traits);
    window.leadtrail!('track', 'n'.repeat(150), { long: 'p'.repeat(1500), count: Number.NaN });
    vi.advanceTimersByTime(1000);
    // The recorder has checked each batch against the collector's schema; here, that nothing was dropped.
    expect(sent.events().map((event) => event.type)).toEqual(['engagement', 'pageview', 'identify', 'track']);
    expect(sent.eventsOf('pageview')[0]!.url).toHaveLength(2048);
    expect(Object.keys(sent.eventsOf('identify')[0]!.traits)).toHaveLength(50);
    history.pushState(null, '', path);
  });

  it('uses sendBeacon for what is left when the page is hidden or left', () => {
    sent.requests.length = 0;
    window.leadtrail!('track', 'before_leaving');
    leavePage();
    expect(sent.requests.map((request) => request.via)).toEqual(['beacon']);
    expect(sent.eventsOf('track').map((event) => event.name)).toEqual(['before_leaving']);
  });

  it('falls back to fetch with keepalive when the browser refuses the beacon', () => {
    sent.requests.length = 0;
    sent.beaconAccepts = false;
    window.leadtrail!('track', 'refused_beacon');
    leavePage();
    expect(sent.requests.map((request) => [request.via, request.init?.keepalive])).toEqual([['fetch', true]]);
  });

  it('falls back to sendBeacon when fetch cannot be used', () => {
    sent.requests.length = 0;
    sent.fetchAnswer = 'throw';
    window.leadtrail!('identify', { email: 'buyer@example.com' });
    expect(sent.requests.map((request) => request.via)).toEqual(['beacon']);
  });

  it('never lets a failing network reach the page', () => {
    window.fetch = (() => {
      throw new Error('blocked by an extension');
    }) as typeof fetch;
    Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: undefined });
    expect(() => {
      window.leadtrail!('identify', { email: 'buyer@example.com' });
      leavePage();
      vi.advanceTimersByTime(5000);
    }).not.toThrow();
  });
});
