/**
 * The tag's settings, read once from the data- attributes of the `<script>` that loaded lt.js
 * (SPEC §2). Module variables rather than an object: terser shortens variable names, not properties.
 */
export let siteKey: string | null;
/** Collector base URL without a trailing slash. */
export let collectorUrl: string;
/** lt-forms.js, form capture (forms-loader.ts). */
export let formsUrl: string;
export let consentRequired: boolean;
export let respectDoNotTrack: boolean;

/** Reads the tag and returns its site key; without one (null) the snippet stays inert. */
export function readConfig(): string | null {
  // currentScript is null when lt.js runs from a module, a callback or a test; the tag is then found by its attribute.
  const script = (currentDocument.currentScript || currentDocument.querySelector('script[data-site]')) as HTMLScriptElement;
  const read = (name: string) => script.getAttribute('data-' + name);
  // Without data-api the collector is where lt.js came from (an inlined copy without data-api throws here, and stays inert).
  collectorUrl = (read('api') || new URL(script.src).origin).replace(/\/+$/, '');
  // Beside lt.js, wherever it was loaded from; an inlined copy takes it from the collector.
  formsUrl = new URL('lt-forms.js', script.src || collectorUrl + '/').href;
  consentRequired = read('consent') == 'required';
  respectDoNotTrack = read('respect-dnt') != null;
  return (siteKey = read('site'));
}

/**
 * Listens in the capture phase, so a page's stopPropagation cannot hide an event from the snippet.
 * On window by default: every event dispatched in the document passes there first (except resource
 * `load` events, which stop at the document).
 */
export const listen = (type: string, listener: (event: never) => unknown, target: EventTarget = window): void =>
  target.addEventListener(type, listener as EventListener, true);

/** Globals aliased so terser can shorten them (STYLE 7); the url is read anew each time, as it changes. */
export const currentDocument = document;
export const currentUrl = (): string => location.href;
