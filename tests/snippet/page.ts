/**
 * A test page for the snippet: the `<script>` tag with its data- attributes, recorders in place of
 * `fetch` and `navigator.sendBeacon` (the observation point: what the page sent), and a fresh copy
 * of the real snippet modules. Every recorded batch is checked against the collector's schema.
 */
import { vi } from 'vitest';
import { batchSchema, type CollectBatch, type WireEvent } from '../../collector/ingest/schema.js';

export const COLLECTOR = 'https://collector.example';

export interface SentRequest {
  via: 'fetch' | 'beacon';
  url: string;
  /** The raw body, to refute values anywhere in it. */
  body: string;
  batch: CollectBatch;
  init?: RequestInit;
}

export interface Recorder {
  requests: SentRequest[];
  /** Every event sent so far, in order. */
  events(): WireEvent[];
  /** Events of one type, narrowed. */
  eventsOf<T extends WireEvent['type']>(type: T): Extract<WireEvent, { type: T }>[];
  /** Everything sent, as one string. */
  text(): string;
  /** How fetch answers: a status, or `reject` (network error), `throw` (fetch unusable), `never` (the page dies first). */
  fetchAnswer: number | 'reject' | 'throw' | 'never';
  /** What sendBeacon returns (false: the browser refused to queue it). */
  beaconAccepts: boolean;
}

/** Replaces fetch and sendBeacon by recorders; call before the snippet loads or sends. */
export function recordRequests(): Recorder {
  const recorder: Recorder = {
    requests: [],
    fetchAnswer: 204,
    beaconAccepts: true,
    events: () => recorder.requests.flatMap((request) => request.batch.events),
    eventsOf: <T extends WireEvent['type']>(type: T) =>
      recorder.events().filter((event): event is Extract<WireEvent, { type: T }> => event.type == type),
    text: () => recorder.requests.map((request) => request.body).join('\n'),
  };
  const record = (via: SentRequest['via'], url: string, body: unknown, init?: RequestInit) => {
    if (typeof body != 'string') throw new Error(`the snippet sent a ${typeof body} body, not a string`);
    const parsed = batchSchema.safeParse(JSON.parse(body));
    if (!parsed.success) throw new Error(`the collector would refuse this batch: ${parsed.error.message}\n${body}`);
    recorder.requests.push({ via, url, body, batch: JSON.parse(body) as CollectBatch, init });
  };
  window.fetch = vi.fn((url: RequestInfo | URL, init?: RequestInit) => {
    // Synchronously, like a fetch a page has replaced with something broken.
    if (recorder.fetchAnswer == 'throw') throw new TypeError('fetch is not usable here');
    record('fetch', String(url), init?.body, init);
    if (recorder.fetchAnswer == 'reject') return Promise.reject(new TypeError('Failed to fetch'));
    if (recorder.fetchAnswer == 'never') return new Promise<Response>(() => {});
    return Promise.resolve({ status: recorder.fetchAnswer, ok: recorder.fetchAnswer < 300 } as Response);
  }) as typeof fetch;
  Object.defineProperty(navigator, 'sendBeacon', {
    configurable: true,
    writable: true,
    value: vi.fn((url: string, body: unknown) => {
      if (!recorder.beaconAccepts) return false;
      record('beacon', url, body);
      return true;
    }),
  });
  return recorder;
}

/**
 * Puts the tag on the page and runs a fresh copy of lt.js. `attributes` are the tag's data-
 * attributes besides data-site. A stub queue already on window.leadtrail is kept (and replayed).
 * On a page that already has a form, lt.js imports lt-forms.js at once: it has run when this resolves.
 */
export async function loadSnippet(attributes: Record<string, string> = {}): Promise<void> {
  for (const old of Array.from(document.querySelectorAll('script[data-site]'))) old.remove();
  const script = document.createElement('script');
  script.src = COLLECTOR + '/lt.js';
  script.setAttribute('data-site', 'site_test');
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
  document.head.append(script);
  if (window.leadtrail?.loaded) delete window.leadtrail;
  vi.resetModules();
  // lt.js imports COLLECTOR/lt-forms.js: here, the module it is built from, as serveForms says.
  vi.doMock(COLLECTOR + '/lt-forms.js', async () => {
    formsResponse.requests++;
    await formsResponse.download?.();
    return import('../../snippet/lt-forms.js');
  });
  await import('../../snippet/index.js');
  await formsLoaded();
}

/** How the collector answers lt.js's import of lt-forms.js (serveForms). */
export interface FormsResponse {
  /** How many times lt.js asked for lt-forms.js. */
  requests: number;
  /** Runs before the file arrives: a promise holds it back (a slow network), a throw fails it (a 404). */
  download?: () => unknown;
}

let formsResponse: FormsResponse = { requests: 0 };

/** From now on, lt-forms.js arrives after `download` (by default at once); the answer counts the requests. */
export function serveForms(download?: FormsResponse['download']): FormsResponse {
  return (formsResponse = { requests: 0, download });
}

/** Resolves once an lt-forms.js that lt.js asked for has arrived and run (or failed). */
export const formsLoaded = (): Promise<void> => vi.dynamicImportSettled();

/** The page goes away (tab closed, link followed): pagehide, as browsers fire it. */
export function leavePage(): void {
  setVisibility('hidden');
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  window.dispatchEvent(new Event('pagehide'));
}

export function setVisibility(state: DocumentVisibilityState): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => state == 'hidden' });
}

/** Builds markup in the body and returns its first element. */
export function render<T extends Element = HTMLFormElement>(html: string): T {
  const holder = document.createElement('div');
  holder.innerHTML = html;
  document.body.append(holder);
  return holder.firstElementChild as T;
}

/**
 * Submits like a person pressing the submit button (validation, then the submit event). Test pages
 * cancel the submission in their own handler, as AJAX forms do, since jsdom cannot navigate.
 */
export function submit(form: HTMLFormElement): void {
  form.requestSubmit();
}

/** Types into a field: sets the value and fires `input`, as a browser does. */
export function type(field: Element | null, value: string): void {
  (field as HTMLInputElement).value = value;
  field!.dispatchEvent(new Event('input', { bubbles: true }));
}
