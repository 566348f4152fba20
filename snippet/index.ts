/**
 * lt.js: reads the tag's settings, starts the automatic trackers, installs `window.leadtrail` and
 * replays the calls the page queued before lt.js loaded. The only global it defines is `leadtrail`.
 */
import { currentDocument, listen, readConfig } from './config.js';
import { initConsent, setConsent } from './identity.js';
import { flush, sendEvent, startTransport } from './transport.js';
import { trackPageviews } from './pageviews.js';
import { settleForm, watchForForms } from './forms-loader.js';
import { trackChats } from './chat.js';
import { trackChatWidgets } from './chat-widgets.js';
import { reportEngagement, trackEngagement } from './engagement.js';

type Command = 'identify' | 'track' | 'consent';

/** The page API, and the queue stub's shape before lt.js has loaded. */
interface Leadtrail {
  (command: Command, first?: unknown, second?: unknown): void;
  /** Calls made through the stub before lt.js loaded. */
  q?: ArrayLike<ArrayLike<unknown>>;
  /** Set once lt.js runs, so a second copy of the tag on the page does nothing. */
  loaded?: boolean;
}

declare global {
  interface Window {
    leadtrail?: Leadtrail;
  }
}

/** The schema's bounds for identify traits and track props (flat maps of at most 50 keys). */
const TRAIT_LIMIT = 5000;
const PROP_LIMIT = 1000;
const KEY_LIMIT = 64;
const KEY_COUNT = 50;
const NAME_LIMIT = 100;

/** A flat map the collector accepts: bounded keys and strings; numbers and booleans kept only when `keepTypes`. */
function flatten(record: unknown, limit: number, keepTypes?: boolean): Record<string, string | number | boolean> {
  const flat: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(record || {}).slice(0, KEY_COUNT)) {
    if (key && value != null && value !== '') {
      flat[key.slice(0, KEY_LIMIT)] =
        keepTypes && (typeof value == 'boolean' || Number.isFinite(value)) ? value : String(value).trim().slice(0, limit);
    }
  }
  return flat;
}

/**
 * The Leadtrail page API.
 *
 * - `leadtrail('identify', { email, name, phone, company, country })`: tells who the visitor is
 *   (e.g. after a login, or a form the snippet cannot see). Values are sent as strings.
 * - `leadtrail('track', name, props?)`: a custom event, e.g. `leadtrail('track', 'quote_requested',
 *   { product: 'SKU-1' })`. Props are flat: numbers and booleans stay, anything else becomes a string.
 * - `leadtrail('consent', true | false)`: with `data-consent="required"` nothing is stored or sent
 *   until consent is given; `false` stops recording and forgets the visitor id and unsent events.
 *   Call it on every page (the snippet does not remember consent). Global Privacy Control and,
 *   with `data-respect-dnt`, Do Not Track always win.
 *
 * @throws TypeError on misuse: an unknown command, or `track` without a name.
 */
function leadtrail(command: Command, first?: unknown, second?: unknown): void {
  if (command == 'consent') {
    setConsent(!!first);
    // Granted: sends what waited in memory; refused: forgets it.
    flush();
  } else if (command == 'identify') {
    // Without keepTypes every value is a string.
    sendEvent({ type: 'identify', traits: flatten(first, TRAIT_LIMIT) as Record<string, string> });
  } else if (command == 'track' && first && typeof first == 'string') {
    sendEvent({ type: 'track', name: first.slice(0, NAME_LIMIT), props: flatten(second, PROP_LIMIT, true) });
  } else {
    throw new TypeError('leadtrail: ' + command);
  }
}

function start(): void {
  const stub = window.leadtrail;
  if (!readConfig() || (stub && stub.loaded)) return;
  initConsent();
  startTransport();
  trackEngagement();
  trackPageviews(reportEngagement);
  watchForForms();
  trackChats();
  trackChatWidgets();
  const leave = () => {
    reportEngagement();
    // A form submission still waiting for its outcome leaves with the page.
    if (settleForm) settleForm();
    flush(true);
  };
  // pagehide is the last event mobile Safari reliably fires; visibilitychange (fired at the document,
  // seen by window as it bubbles) also covers tab switches and app switches.
  listen('pagehide', leave);
  listen('visibilitychange', () => currentDocument.hidden && leave());
  (leadtrail as Leadtrail).loaded = true;
  window.leadtrail = leadtrail;
  for (const call of Array.from((stub && stub.q) || [])) {
    try {
      leadtrail.apply(null, call as Parameters<Leadtrail>);
    } catch (error) {
      // A bad queued call must not stop the ones after it; rethrown later, it still shows in the console.
      setTimeout(() => {
        throw error;
      });
    }
  }
}

try {
  start();
} catch {}
