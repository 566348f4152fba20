// @vitest-environment jsdom
// A visit whose requests fail, then the next page load of the same visitor.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { WireEvent } from '../../collector/ingest/schema.js';
import { loadSnippet, recordRequests, type Recorder } from './page.js';

let sent: Recorder;
const stored = (): WireEvent[] => JSON.parse(localStorage.getItem('_lt_retry') ?? '[]');

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  sent.fetchAnswer = 'reject';
  await loadSnippet();
});

describe('retry store', () => {
  it('keeps a batch that failed on the network for the next page load', async () => {
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.requests).toHaveLength(1);
    expect(stored().map((event) => event.id)).toEqual(sent.events().map((event) => event.id));
  });

  it('also keeps a batch the collector failed on (5xx), but not one it refused (4xx)', async () => {
    sent.fetchAnswer = 503;
    window.leadtrail!('identify', { email: 'server-error@example.com' });
    await vi.advanceTimersByTimeAsync(0);
    sent.fetchAnswer = 400;
    window.leadtrail!('identify', { email: 'refused@example.com' });
    await vi.advanceTimersByTimeAsync(0);
    expect(stored().map((event) => event.type)).toEqual(['pageview', 'identify']);
    expect(JSON.stringify(stored())).not.toContain('refused@');
  });

  it('keeps at most the 50 latest events', async () => {
    sent.fetchAnswer = 'reject';
    for (let index = 0; index < 60; index++) window.leadtrail!('track', `event_${index}`);
    await vi.advanceTimersByTimeAsync(1000);
    const kept = stored();
    expect(kept).toHaveLength(50);
    expect(kept.at(-1)).toMatchObject({ type: 'track', name: 'event_59' });
  });

  it('re-sends the kept events, same ids, on the next page load, and then forgets them', async () => {
    const keptIds = stored().map((event) => event.id);
    sent.requests.length = 0;
    sent.fetchAnswer = 204;
    await loadSnippet();
    await vi.advanceTimersByTimeAsync(1000);
    const resent = sent.events().map((event) => event.id);
    expect(resent.slice(0, 50)).toEqual(keptIds);
    expect(sent.events().at(-1)!.type).toBe('pageview');
    expect(localStorage.getItem('_lt_retry')).toBeNull();
  });
});
