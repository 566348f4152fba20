// @vitest-environment jsdom
// One page whose collector is out of reach: when the snippet tries again, and when it stops waiting.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { leavePage, loadSnippet, recordRequests, setVisibility, type Recorder } from './page.js';

let sent: Recorder;
const waiting = (): number => JSON.parse(localStorage.getItem('_lt_retry') ?? '[]').length;

function setOnline(online: boolean): void {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  if (online) window.dispatchEvent(new Event('online'));
}

/** The times (seconds after the first failure) at which the snippet tried again within `seconds`. */
async function attemptsWithin(seconds: number): Promise<number[]> {
  const attempts: number[] = [];
  for (let second = 1; second <= seconds; second++) {
    const before = sent.requests.length;
    await vi.advanceTimersByTimeAsync(1000);
    if (sent.requests.length > before) attempts.push(second);
  }
  return attempts;
}

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  sent.fetchAnswer = 'reject';
  await loadSnippet();
  await vi.advanceTimersByTimeAsync(1000);
});

beforeEach(() => setVisibility('visible'));

describe('retries', () => {
  it('tries again after 2 s, then waits twice as long after each failure', async () => {
    expect(await attemptsWithin(62)).toEqual([2, 6, 14, 30, 62]);
    expect(waiting()).toBe(1);
  });

  it('waits at most 5 minutes between attempts', async () => {
    // 64 s, 128 s and 256 s after the attempt at 62 s, then every 300 s.
    const attempts = await attemptsWithin(1200);
    expect(attempts.slice(0, 3)).toEqual([64, 192, 448]);
    expect(attempts.slice(3)).toEqual([748, 1048]);
  });

  it('sends at once when the browser is back online, and starts the backoff afresh after a success', async () => {
    sent.requests.length = 0;
    setOnline(false);
    sent.fetchAnswer = 204;
    setOnline(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.eventsOf('pageview')).toHaveLength(1);
    expect(waiting()).toBe(0);
    sent.fetchAnswer = 'reject';
    window.leadtrail!('track', 'after_recovery');
    await vi.advanceTimersByTimeAsync(1000);
    sent.requests.length = 0;
    expect(await attemptsWithin(6)).toEqual([2, 6]);
  });

  it('keeps what is left for later when the page is hidden offline, since a beacon would be lost', async () => {
    localStorage.clear();
    sent.requests.length = 0;
    setOnline(false);
    window.leadtrail!('track', 'offline_before_leaving');
    leavePage();
    expect(sent.requests).toEqual([]);
    expect(waiting()).toBeGreaterThan(0);
    sent.fetchAnswer = 204;
    setOnline(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.eventsOf('track').map((event) => event.name)).toEqual(['offline_before_leaving']);
    expect(waiting()).toBe(0);
  });
});
