/**
 * A fixed-window request counter per key, as the store of @fastify/rate-limit. The plugin's own
 * LocalStore hands every caller the same mutable record, so requests in flight together when the
 * limit is crossed all read the final count and all get 429 — also those within the limit. This
 * store answers each caller with the count at its own increment.
 */
import type { FastifyRateLimitStore } from '@fastify/rate-limit';

/** Enough addresses for a busy site's minute; beyond it the oldest windows are forgotten first. */
const MAX_KEYS = 10_000;

interface Window {
  count: number;
  startedAt: number;
}

export class FixedWindowStore implements FastifyRateLimitStore {
  private readonly windows = new Map<string, Window>();

  incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= timeWindow) {
      if (!window && this.windows.size >= MAX_KEYS) this.forgetOldest(now, timeWindow);
      window = { count: 0, startedAt: now };
      this.windows.set(key, window);
    }
    window.count += 1;
    callback(null, { current: window.count, ttl: window.startedAt + timeWindow - now });
  }

  /** Each route with its own limit counts on its own. */
  child(): FastifyRateLimitStore {
    return new FixedWindowStore();
  }

  private forgetOldest(now: number, timeWindow: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= timeWindow || this.windows.size >= MAX_KEYS) this.windows.delete(key);
      else break;
    }
  }
}
