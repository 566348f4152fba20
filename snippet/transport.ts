/**
 * Gets events to the collector: batches them, sends with fetch (keepalive) while the page lives and
 * with sendBeacon when it is hidden or left. What fails waits in localStorage and is re-sent with
 * backoff, when the browser is back online, and on the next page load; the event ids make a
 * re-send of something the collector already has harmless (it stores each id once).
 */
import type { WireEvent } from '../collector/ingest/schema.js';
import { collectorUrl, currentUrl, listen, siteKey } from './config.js';
import { consent, getVisitorId, randomId, RETRY_KEY } from './identity.js';

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as the modules describe it; id, ts and url are added here (the current url unless one is given). */
export type EventFields = Without<WireEvent, 'id' | 'ts' | 'url'> & { url?: string };

/** The collector's limit per batch (MAX_EVENTS_PER_BATCH in schema.ts); it also caps what waits for consent. */
const BATCH_LIMIT = 100;
/** Events kept for a re-send: enough for a few pages offline, small next to localStorage's 5 MB. */
const RETRY_LIMIT = 50;
/**
 * A week. The collector refuses a whole batch with an event older than 30 days (ingest/clock.ts,
 * measured on the browser's own clock as sent_at − ts), so older events must never ride along.
 */
const RETRY_AGE_MS = 6048e5;
/** The first retry waits 2 s (a collector restart), each failure doubles it, up to 5 minutes (an outage). */
const RETRY_FIRST_MS = 2000;
const RETRY_MAX_MS = 3e5;
/** Gathers one interaction (a pageview and the clicks right after it) into one request. */
const DEBOUNCE_MS = 1000;
/** The schema's bound for urls; a longer one would get the whole batch refused. */
export const URL_LIMIT = 2048;
/** These are often followed at once by a navigation, so they leave without waiting. */
const URGENT_TYPES = /submit|chat|identify/;

let queue: WireEvent[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let retryDelay = RETRY_FIRST_MS;

/** Re-sends what waits as soon as the browser says it is back online. */
export const startTransport = (): void => listen('online', () => flush());

/** Queues one event (dropped when consent is refused) and schedules its send. */
export function sendEvent(fields: EventFields): void {
  try {
    const values = (fields as { fields?: FlatRecord; traits?: FlatRecord; props?: FlatRecord });
    fitBudget(values.fields || values.traits || values.props);
    if (consent !== false && queue.length < BATCH_LIMIT) {
      queue.push(Object.assign({ id: randomId(), ts: Date.now(), url: currentUrl().slice(0, URL_LIMIT) }, fields));
      URGENT_TYPES.test(fields.type) ? flush() : schedule(DEBOUNCE_MS);
    }
  } catch {}
}

type FlatRecord = Record<string, unknown>;

/**
 * The collector refuses a whole batch for one event over 32 K characters (MAX_EVENT_CHARACTERS in schema.ts):
 * the string values of an event's fields, traits or props share what is left of it after the
 * longest URL (2 KB) and 50 quoted keys (3.5 KB), cut in order.
 */
const VALUES_BUDGET = 26000;

function fitBudget(record: FlatRecord | undefined): void {
  let left = VALUES_BUDGET;
  for (const key in record) {
    const value = record[key];
    if (typeof value == 'string') left -= (record[key] = value.slice(0, left > 0 ? left : 0)).length;
  }
}

function schedule(delay: number): void {
  clearTimeout(timer);
  timer = setTimeout(flush, delay);
}

/**
 * Sends what is queued and what waits in the retry store, if consent allows (refused: forgets the
 * queue). `leaving` prefers sendBeacon, which survives the page, for the queue only: the retry store
 * is left to a page that can hear the answer.
 */
export function flush(leaving?: boolean): void {
  // A timer still pending (debounce, retry) is left to run: it finds nothing, or the retry store.
  if (consent === false) queue = [];
  if (!consent) return;
  const events = leaving ? queue : readRetryStore().concat(queue);
  queue = [];
  while (events.length) post(events.splice(0, BATCH_LIMIT), leaving);
}

function post(events: WireEvent[], leaving?: boolean): void {
  const url = collectorUrl + '/collect';
  /** The collector's answer for these events: delivered (or refused) leaves the store, failed waits there for the next attempt. */
  const settle = (failed?: boolean) => {
    updateRetryStore(events, failed);
    if (failed) schedule(retryDelay);
    retryDelay = failed ? Math.min(retryDelay * 2, RETRY_MAX_MS) : RETRY_FIRST_MS;
  };
  try {
    const body = JSON.stringify({
      site: siteKey,
      visitor: getVisitorId(),
      sent_at: Date.now(),
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      lang: navigator.language,
      screen: screen.width + 'x' + screen.height,
      events,
    });
    // A string body goes out as `text/plain;charset=UTF-8` from both, without a Content-Type header:
    // a CORS "simple" request, so no preflight, which sendBeacon could not make. Either may be
    // missing or replaced by the page with something that throws: then the other is tried.
    const send = (beacon?: boolean) => {
      try {
        return beacon
          ? navigator.sendBeacon(url, body)
          : fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit' }).then(
              // 429, 5xx and network errors are worth a retry; other 4xx mean the batch itself is
              // wrong and would be refused again, so it is dropped.
              (response) => settle(response.status > 499 || response.status == 429),
              () => settle(true),
            );
      } catch {}
    };
    // Offline, a beacon is accepted and then lost, and a failing fetch is not heard of once the page is gone.
    leaving && !navigator.onLine ? settle(true) : (leaving && send(true)) || send() || send(true) || settle(true);
  } catch {}
}

/**
 * Adds failed events to the retry store (the latest RETRY_LIMIT), or removes delivered ones. An
 * event leaves the store only once the collector has answered for it, so a page that dies with a
 * re-send in flight loses nothing; a re-send of something already stored is stored once.
 */
function updateRetryStore(events: WireEvent[], failed?: boolean): void {
  // Consent may have been withdrawn while the request was out: then the store is gone and stays so.
  if (consent) {
    try {
      const ids = events.map((event) => event.id);
      const kept = readRetryStore()
        .filter((event) => !ids.includes(event.id))
        .concat(failed ? events : [])
        .slice(-RETRY_LIMIT);
      if (kept.length) localStorage[RETRY_KEY] = JSON.stringify(kept);
      else delete localStorage[RETRY_KEY];
    } catch {}
  }
}

/** The events waiting in the retry store that the collector would still accept. */
function readRetryStore(): WireEvent[] {
  try {
    const now = Date.now();
    return (JSON.parse(localStorage[RETRY_KEY] || '[]') as WireEvent[]).filter((event) => now - event.ts < RETRY_AGE_MS);
  } catch {
    return [];
  }
}
