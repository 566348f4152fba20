/** The tag's settings, read once from the data- attributes of the `<script>` that loaded lt.js (SPEC §2). */
export interface Config {
  site: string;
  /** Collector base URL without a trailing slash. */
  api: string;
  consentRequired: boolean;
  respectDoNotTrack: boolean;
}

/** Returns undefined when the tag has no `data-site`: then the snippet stays inert. */
export function readConfig(): Config | undefined {
  // currentScript is null when lt.js runs from a module, a callback or a test; the tag is then found by its attribute.
  const script = (document.currentScript || document.querySelector('script[data-site]')) as HTMLScriptElement | null;
  const site = script && script.getAttribute('data-site');
  if (!script || !site) return;
  return {
    site,
    // Without data-api the collector is where lt.js came from (an inlined copy without data-api stays inert: this throws).
    api: (script.getAttribute('data-api') || new URL(script.src).origin).replace(/\/+$/, ''),
    consentRequired: script.getAttribute('data-consent') == 'required',
    respectDoNotTrack: script.hasAttribute('data-respect-dnt'),
  };
}
