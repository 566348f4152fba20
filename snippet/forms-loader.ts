/**
 * Form capture (forms.ts) ships as lt-forms.js, a second file that lt.js imports only on pages with
 * a form: it is almost half of the snippet, and most pages a buyer reads have none.
 *
 * When: at start if the page already has a form or an input (the tag is `defer`, so the page is
 * parsed; a form hidden in a popup counts, as it may be shown at any moment); else at the first
 * input, click or submit on a form or an input (forms rendered later by script: Ninja Forms, page
 * builders' popups, `<div>` "forms"), or at HubSpot's first message from an iframe embed. Those are
 * the events forms.ts handles, and nobody submits a form without one of them first: from that
 * first one until lt-forms.js runs, every such event is kept and handed to it, and it handles them
 * in order, so a submission made while the file downloads is not missed. If the file cannot be
 * loaded, forms are not captured and nothing else changes.
 *
 * `import()` of the file beside lt.js (config.ts: formsUrl; not a relative specifier, which a
 * cross-origin classic script resolves against about:blank): a CSP that allows lt.js's origin lets
 * it run, and as a module it defines no global (it is fetched with CORS: the collector allows any
 * origin). It gets lt.js's sendEvent and listen as arguments, so the two files share one copy of
 * them. lt.js and lt-forms.js are cached apart, so this hand-over is a contract between versions:
 * change it only compatibly.
 */
import type { settleForm as settle } from './forms.js';
import { currentDocument, formsUrl, listen } from './config.js';
import { sendEvent } from './transport.js';

/**
 * A form, or an input outside one (a `<div>` "form"). Hidden inputs count too: excluding them costs
 * bytes on every page, and one outside any form is rare; it costs such a page one download.
 */
const CONTROLS = 'form,input';

/** forms.ts's settleForm, once lt-forms.js runs; index.ts calls it when the page is hidden or left. */
export let settleForm: typeof settle | undefined;
/** undefined: lt-forms.js not asked for; a list: it downloads, and these events wait for it; null: it ran, or failed. */
let early: Event[] | null | undefined;

function loadForms(): void {
  if (early === undefined) {
    early = [];
    (import(formsUrl) as Promise<typeof import('./lt-forms.js')>)
      .then((forms) => (settleForm = forms.default(sendEvent, listen, early!)))
      // A 404, a blocked request: no unhandled rejection reaches the page.
      .catch(() => {})
      .then(() => (early = null));
  }
}

export function watchForForms(): void {
  if (currentDocument.querySelector(CONTROLS)) loadForms();
  for (const type of 'input click submit message'.split(' ')) {
    listen(type, (event: Event) => {
      try {
        if (type == 'message' ? (event as MessageEvent).data.type == 'hsFormCallback' : (event.target as Element).closest(CONTROLS)) {
          loadForms();
        }
      } catch {}
      if (early) early.push(event);
    });
  }
}
