/**
 * Gets events to the collector: batches them, sends with fetch (keepalive) while the page lives and
 * with sendBeacon when it is hidden or left, and keeps batches that failed for the next page load.
 */
import type { CollectBatch, WireEvent } from '../collector/ingest/schema.js';
import type { Config } from './config.js';
import { getVisitorId, mayRecord, maySend, randomId } from './identity.js';

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as the modules describe it; id, ts and url are added here (the current url unless one is given). */
export type EventFields = Without<WireEvent, 'id' | 'ts' | 'url'> & { url?: string };

const RETRY_KEY = '_lt_retry';
/** The collector's limit per batch (MAX_EVENTS_PER_BATCH in schema.ts); it also caps what waits for consent. */
const BATCH_LIMIT = 100;
/** Events kept for the next page load: enough for a few pages offline, small next to localStorage's 5 MB. */
const RETRY_LIMIT = 50;
/** Gathers one interaction (a pageview and the clicks right after it) into one request. */
const DEBOUNCE_MS = 1000;
/** The schema's bound for urls; a longer one would get the whole batch refused. */
export const URL_LIMIT = 2048;
/** These are often followed at once by a navigation, so they leave without waiting. */
const URGENT_TYPES = /submit|chat|identify/;

let config: Config;
let queue: WireEvent[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let retryLoaded = false;

export const initTransport = (settings: Config): void => {
  config = settings;
};

/** Queues one event (dropped when consent is refused) and schedules its send. */
export function sendEvent(fields: EventFields): void {
  try {
    if (!mayRecord() || queue.length >= BATCH_LIMIT) return;
    queue.push(Object.assign({ id: randomId(), ts: Date.now(), url: location.href.slice(0, URL_LIMIT) }, fields));
    clearTimeout(timer);
    if (URGENT_TYPES.test(fields.type)) flush();
    else timer = setTimeout(flush, DEBOUNCE_MS);
  } catch {}
}

/** Sends everything queued, if consent allows; `leaving` prefers sendBeacon, which survives the page. */
export function flush(leaving?: boolean): void {
  clearTimeout(timer);
  if (!maySend()) return;
  if (!retryLoaded) {
    retryLoaded = true;
    try {
      queue = readRetryStore().concat(queue);
      localStorage.removeItem(RETRY_KEY);
    } catch {}
  }
  while (queue.length) post(queue.splice(0, BATCH_LIMIT), leaving);
}

/** Forgets the queued events and the retry store (consent withdrawn). */
export function dropEvents(): void {
  queue = [];
  clearTimeout(timer);
  try {
    localStorage.removeItem(RETRY_KEY);
  } catch {}
}

function post(events: WireEvent[], leaving?: boolean): void {
  const url = config.api + '/collect';
  let body: string;
  try {
    const batch: CollectBatch = {
      site: config.site,
      visitor: getVisitorId(),
      sent_at: Date.now(),
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      lang: navigator.language,
      screen: screen.width + 'x' + screen.height,
      events,
    };
    body = JSON.stringify(batch);
  } catch {
    return;
  }
  const keep = () => keepForRetry(events);
  // A string body goes out as `text/plain;charset=UTF-8` from both, without a Content-Type header:
  // a CORS "simple" request, so no preflight, which sendBeacon could not make.
  const beacon = () => {
    try {
      return navigator.sendBeacon(url, body);
    } catch {
      return false;
    }
  };
  if (leaving && beacon()) return;
  try {
    fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit' })
      // 4xx means the batch itself is wrong and would fail again; 5xx and network errors are worth a retry.
      .then((response) => response.status < 500 || keep(), keep);
  } catch {
    // fetch missing, or replaced by the page with something that throws.
    beacon() || keep();
  }
}

function keepForRetry(events: WireEvent[]): void {
  if (!maySend()) return;
  try {
    localStorage.setItem(RETRY_KEY, JSON.stringify(readRetryStore().concat(events).slice(-RETRY_LIMIT)));
  } catch {}
}

const readRetryStore = (): WireEvent[] => JSON.parse(localStorage.getItem(RETRY_KEY) || '[]');
