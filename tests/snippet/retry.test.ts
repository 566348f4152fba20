// @vitest-environment jsdom
// A visit whose requests fail, then the next page load of the same visitor.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { WireEvent } from '../../collector/ingest/schema.js';
import { leavePage, loadSnippet, recordRequests, setVisibility, type Recorder } from './page.js';

let sent: Recorder;
const stored = (): WireEvent[] => JSON.parse(localStorage.getItem('_lt_retry') ?? '[]');
const DAY = 86_400_000;

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  sent.fetchAnswer = 'reject';
  await loadSnippet();
});

describe('retry store', () => {
  it('keeps a batch that failed on the network for a re-send', async () => {
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.requests).toHaveLength(1);
    expect(stored().map((event) => event.id)).toEqual(sent.events().map((event) => event.id));
  });

  it('re-sends what waits with the next batch, and forgets it once the collector has it', async () => {
    sent.requests.length = 0;
    sent.fetchAnswer = 204;
    window.leadtrail!('identify', { email: 'buyer@example.com' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.events().map((event) => event.type)).toEqual(['pageview', 'identify']);
    expect(localStorage.getItem('_lt_retry')).toBeNull();
  });

  it('keeps a batch the collector failed on (5xx) or rate-limited (429)', async () => {
    for (const status of [503, 429]) {
      localStorage.clear();
      sent.fetchAnswer = status;
      window.leadtrail!('track', `answered_${status}`);
      await vi.advanceTimersByTimeAsync(1000);
      expect(stored().map((event) => event.type == 'track' && event.name)).toEqual([`answered_${status}`]);
    }
  });

  it('drops a batch the collector refused (4xx): sent again, it would be refused again', async () => {
    localStorage.clear();
    sent.fetchAnswer = 400;
    window.leadtrail!('identify', { email: 'refused@example.com' });
    await vi.advanceTimersByTimeAsync(0);
    expect(localStorage.getItem('_lt_retry')).toBeNull();
  });

  it('keeps at most the 50 latest events', async () => {
    sent.fetchAnswer = 'reject';
    for (let index = 0; index < 60; index++) window.leadtrail!('track', `event_${index}`);
    await vi.advanceTimersByTimeAsync(1000);
    const kept = stored();
    expect(kept).toHaveLength(50);
    expect(kept.at(-1)).toMatchObject({ type: 'track', name: 'event_59' });
  });

  it('keeps events in the store until the collector has answered for them, so a page that dies mid-request loses nothing', async () => {
    const waitingIds = stored().map((event) => event.id);
    sent.requests.length = 0;
    sent.fetchAnswer = 'never';
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.events().map((event) => event.id)).toEqual(waitingIds);
    expect(stored().map((event) => event.id)).toEqual(waitingIds);
    sent.fetchAnswer = 'reject';
  });

  it('leaves the retry store to the next page when the page is left, rather than to a beacon', () => {
    sent.requests.length = 0;
    const waiting = stored();
    leavePage();
    setVisibility('visible');
    const beaconed = sent.events().map((event) => event.id);
    expect(waiting.filter((event) => beaconed.includes(event.id))).toEqual([]);
    expect(stored()).toEqual(waiting);
  });

  it('re-sends the kept events, same ids, on the next page load, and then forgets them', async () => {
    const keptIds = stored().map((event) => event.id);
    sent.requests.length = 0;
    sent.fetchAnswer = 204;
    await loadSnippet();
    await vi.advanceTimersByTimeAsync(1000);
    const resent = sent.events().map((event) => event.id);
    expect(resent.filter((id) => keptIds.includes(id))).toEqual(keptIds);
    expect(new Set(resent).size).toBe(resent.length);
    expect(sent.events().at(-1)!.type).toBe('pageview');
    expect(localStorage.getItem('_lt_retry')).toBeNull();
  });

  it('drops kept events older than a week: the collector refuses a batch with an event over 30 days old', async () => {
    const fresh = { id: 'fresh-event-1', type: 'track', name: 'fresh', ts: Date.now() - 6 * DAY, url: location.href };
    const stale = { id: 'stale-event-1', type: 'track', name: 'stale', ts: Date.now() - 8 * DAY, url: location.href };
    localStorage.setItem('_lt_retry', JSON.stringify([stale, fresh]));
    sent.requests.length = 0;
    window.leadtrail!('identify', { email: 'buyer@example.com' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.events().map((event) => event.id)).toEqual(['fresh-event-1', expect.any(String)]);
    expect(localStorage.getItem('_lt_retry')).toBeNull();
  });

  it('survives a retry store that is not its own JSON', async () => {
    localStorage.setItem('_lt_retry', '{not json');
    sent.requests.length = 0;
    expect(() => window.leadtrail!('identify', { email: 'buyer@example.com' })).not.toThrow();
    expect(sent.eventsOf('identify')).toHaveLength(1);
  });
});
