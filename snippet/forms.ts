/**
 * Form capture: `form_start` on the first input, and one `form_submit` per submission with the
 * classified field values and the outcome the form plugin reported. Redaction happens here, before
 * anything is queued: what is dropped never leaves the page.
 *
 * A submission starts at whatever shows it first: a submit event (native, or jQuery's `.trigger`),
 * or a click on a submit button (plugins that cancel the click and post by script fire no submit
 * event). Its values are read then, since plugins clear the form after success. It is held until
 * the plugin reports the outcome, OUTCOME_MS pass, or the page is hidden or left (index.ts calls
 * settleForm), and is then sent once.
 *
 * This file is built into lt-forms.js, which lt.js imports only on pages with a form
 * (forms-loader.ts). lt.js hands it its own `sendEvent` and `listen` when it starts, so the two files
 * share them instead of each carrying a copy: only types are imported from lt.js's modules.
 */
import type { listen } from './config.js';
import type { EventFields, sendEvent as SendEvent } from './transport.js';

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
type Fields = Record<string, string>;
type Submission = Extract<EventFields, { type: 'form_submit' }>;
/** What plugins hand to their outcome events; only Ninja Forms' `response.errors` is read. */
type OutcomeData = { response?: { errors?: object } } | undefined;

/** The page's own opt-out, on a field or on any element around it. */
const IGNORE = '[data-leadtrail-ignore]';
/** Plugins recognisable from their form markup (checked in order: object keys keep it); a form of none of them is `native`. */
const PROVIDERS: Record<string, string> = {
  cf7: '.wpcf7-form',
  wpforms: '.wpforms-form',
  elementor: '.elementor-form',
  gravity: '[id^=gform_]',
  fluent: '.frm-fluent-form',
  // Ninja Forms renders a bare <form> inside its container.
  ninja: '.nf-form-cont form',
  hubspot: '.hs-form',
  // Shopify themes post the contact form to /contact#ContactForm (or #contact_form).
  shopify: '[action*="/contact#"]',
};
/**
 * How plugins report the outcome: with jQuery's `.trigger()` (WPForms, Elementor, Gravity, Ninja,
 * Fluent), which addEventListener never sees, or with native events (Contact Form 7, Fluent without
 * jQuery, HubSpot's new forms). Both are listened to; the name tells the outcome (INVALID).
 */
const OUTCOME_EVENTS =
  'wpcf7mailsent wpcf7invalid wpformsAjaxSubmitSuccess wpformsAjaxSubmitFailed submit_success gform_confirmation_loaded nfFormSubmitResponse fluentform_submission_success fluentform_submission_failed hs-form-event:on-submission:success hs-form-event:on-submission:failed';
/** Events of refusal: CF7's `wpcf7invalid`, the `…Failed`/`…failed` ones, and Elementor's jQuery `error`. */
const INVALID = /inv|fail|err/i;
/**
 * Never sent, tested on the field's hint (which starts with its type): types that carry no answer
 * or a secret; secrets and machine values by name, id, autocomplete, label or placeholder; honeypots
 * by name or class (`wpforms[hp]`, `nf-field-hp`, `bot-trap`).
 */
const SKIPPED =
  /^(hidden|file|submit|button|reset|image)|passw|\bpass|card|cc-|cv[cv]|csc|iban|ssn|captcha|token|nonce|csrf|honey|trap|[\W_]hp([\W_]|$)/;
/**
 * Ordered (object keys keep their order): the first match wins, so `company name` is a company, not a name. First and last name
 * both count as `name` and join with a space in form order. A textarea nothing else claims is the message.
 */
const CLASSES: Record<string, RegExp> = {
  email: /mail|邮|correo|почт/,
  phone: /phone|\btel|mobil|whatsapp|电话|手机|телеф/,
  company: /compan|organi|empresa|firma|soci[eé]t|entreprise|公司|компан/,
  country: /countr|pa[iíy]s|\bland\b|国家|стран/,
  subject: /subj|as?sunto|betreff|objet|sujet|主题|тема/,
  message: /messag|comment|nquir|mensa[jg]|nachricht|留言|сообщ|textarea/,
  // Vorname, Nachname, surname, prénom, sobrenome and the given-name / family-name autocomplete
  // tokens are caught by `name`, `nom` and `nome`.
  name: /name|\bnom|nome|first|last|apellido|姓名|имя|фамил/,
};
/** The schema's bounds: values long enough for an inquiry, at most 50 fields, names up to 64 characters. */
const FORM_LIMIT = 256;
const VALUE_LIMIT = 5000;
const FIELD_LIMIT = 50;
const KEY_LIMIT = 64;
/**
 * How long a submission waits for its outcome: plugins answer after the site has sent its mail,
 * seconds on a slow host; a visitor who fixes a field the plugin refused resubmits within it too.
 */
const OUTCOME_MS = 10000;
/** Page builders put a button up to four wrappers below the block that holds the fields. */
const CONTAINER_DEPTH = 5;
/** The length range of payment card numbers (ISO/IEC 7812). */
const CARD_DIGITS = /^\d{13,19}$/;

/** The submission waiting for its outcome, and its form (or field container). */
let held: Submission | undefined;
let heldRoot: Element | undefined;
let heldTimer: ReturnType<typeof setTimeout>;
let hookedJquery: unknown;
const started = new WeakSet<HTMLFormElement>();
/** lt.js's sendEvent (see trackForms). */
let sendEvent: typeof SendEvent;

/**
 * Runs a listener so that its failures stay ours, and returns nothing (`false` would stop a jQuery
 * event). Every event also looks for a jQuery loaded since: plugins report only after an interaction.
 */
const guard =
  <T extends unknown[]>(listener: (...args: T) => unknown) =>
  (...args: T): void => {
    try {
      listener(...args);
      hookJquery();
    } catch {}
  };

/**
 * Starts form capture; lt.js calls it with its own `sendEvent` and `listen`, and with the events it
 * kept while this file downloaded (forms-loader.ts), which are handled now, in their order, as if
 * they had just happened: a submission made meanwhile is read now, not missed. Returns
 * `settleForm` for lt.js to call when the page is hidden or left.
 */
export function trackForms(send: typeof SendEvent, listenTo: typeof listen, early: Event[]): typeof settleForm {
  sendEvent = send;
  const handlers: Record<string, (event: never) => void> = {
    // Capture phase: AJAX plugins call preventDefault or stopPropagation in their own submit handlers.
    submit: (event: Event) => begin(event.target as Element),
    click: clickButton,
    input: (event: Event) => {
      const form = (event.target as Field).form;
      if (form && !started.has(form) && !form.closest(IGNORE)) {
        started.add(form);
        sendEvent({ type: 'form_start', form: nameForm(form) });
      }
    },
    // HubSpot's iframe embeds are reached only through the hsFormCallback messages they post to the
    // page; `onFormSubmitted` carries the values.
    message: ({ data }: MessageEvent) => {
      if (data.eventName == 'onFormSubmitted') {
        // A raw-HTML HubSpot form was seen submitting, and this settles it; else the values are all we get.
        if (!(held && held.provider == 'hubspot')) {
          const values = data.data.submissionValues;
          const fields: Fields = {};
          for (const name in values) addField(fields, name, String(values[name]), '');
          hold(String(data.id), 'hubspot', fields);
        }
        settleForm('success');
      }
    },
  };
  // On window in the capture phase: events dispatched at window, document or any form, bubbling or not.
  for (const type of OUTCOME_EVENTS.split(' ')) {
    handlers[type] = (event: CustomEvent) => report(type, event.detail);
  }
  for (const type in handlers) listenTo(type, (handlers[type] = guard(handlers[type]!)));
  // A guarded no-op: hooks a jQuery already on the page, and a broken one cannot stop the replay.
  guard(() => {})();
  for (const event of early) {
    const handler = handlers[event.type];
    if (handler) handler(event as never);
  }
  return settleForm;
}

/**
 * Listens on document through the page's jQuery for the events plugins fire with `.trigger()`:
 * their outcomes, Elementor's `error`, and `submit` (Elementor submits with `.trigger('submit')`
 * after reCAPTCHA v3, without a native event). jQuery may load after lt.js (see `guard`); a second
 * copy of jQuery is hooked too.
 */
function hookJquery(): void {
  const jquery = (window as { jQuery?: (target: Document) => { on(types: string, listener: unknown): void } }).jQuery;
  if (jquery && jquery != hookedJquery) {
    hookedJquery = jquery;
    jquery(document).on(
      OUTCOME_EVENTS + ' error submit',
      guard((event: Event, data: OutcomeData) => (event.type == 'submit' ? begin(event.target as Element) : report(event.type, data))),
    );
  }
}

/**
 * A click on a form's submit button (or on Ninja Forms' `<input type=button>`) that the browser's
 * validation will let through; or on any button outside a form near a filled email or phone field
 * (a `<div>` "form" sent by script).
 */
function clickButton(event: Event): void {
  let root = (event.target as Element).closest('button,[type=submit],[type=button],[role=button]') as HTMLButtonElement | null;
  const form = root && root.closest('form');
  if (form) {
    if ((root!.type == 'submit' || root!.closest('.submit-container')) && (form.noValidate || form.checkValidity())) begin(form);
  } else {
    // Up to the first wrapper that holds the fields, but never one around a real form: the button is
    // then part of the page around it (a cookie banner, a carousel), not of a <div> "form".
    for (let depth = 0; depth < CONTAINER_DEPTH && root && (root = root.parentElement as HTMLButtonElement | null) && !root.querySelector('form'); depth++) {
      const fields = readFields(root);
      if (fields.email || fields.phone) return begin(root, fields);
    }
  }
}

/** A submission of `root` starts, or shows again: the click, the submit event and jQuery's submit are one. */
function begin(root: Element, fields = readFields(root)): void {
  if (root.closest(IGNORE)) return;
  if (root != heldRoot) {
    hold(nameForm(root), Object.keys(PROVIDERS).find((provider) => root.matches(PROVIDERS[provider]!)) || 'native', {});
    heldRoot = root;
  }
  // A later sighting may carry values typed since (a plugin refused the first click).
  Object.assign(held!.fields!, fields);
}

/** Holds a new submission (sending the one before it) until its outcome is known. */
function hold(form: string, provider: string, fields: Fields): void {
  settleForm();
  held = { type: 'form_submit', form: form.slice(0, FORM_LIMIT), provider, fields };
  heldTimer = setTimeout(settleForm, OUTCOME_MS);
}

/** A plugin's outcome event; Ninja Forms reports both outcomes with one event, the errors in its data. */
const report = (type: string, data: OutcomeData): void =>
  settleForm(INVALID.test(type) || Object.keys((data && data.response && data.response.errors) || 0).length ? 'invalid' : 'success');

/** Sends the held submission, if any, with its outcome; lt.js calls it when the page is hidden or left. */
export function settleForm(outcome: Submission['outcome'] = 'unknown'): void {
  if (held) {
    clearTimeout(heldTimer);
    held.outcome = outcome;
    sendEvent(held);
    held = heldRoot = undefined;
  }
}

/** id, else name, else the path it posts to. Attributes, not properties: a field named `id` shadows `form.id`. */
const nameForm = (form: Element): string =>
  form.getAttribute('id') || form.getAttribute('name') || new URL(form.getAttribute('action') || '', location.href).pathname;

/**
 * The visitor's answers by class (email, name, phone, …) or by field name, without anything
 * sensitive. `root` is a form, or whatever element a plugin renders its fields into.
 */
export function readFields(root: ParentNode): Fields {
  const fields: Fields = {};
  for (const field of root.querySelectorAll<Field>('input,select,textarea')) {
    const checkable = /radio|checkbox/.test(field.type);
    const label = Array.from(field.labels || [], (element) => element.textContent).join(' ');
    if (
      !field.closest(IGNORE) &&
      // Honeypots without a telling name: out of the tab order, in a wrapper named so (Elementor,
      // Gravity), or hidden from assistive technology. Selects are exempt: select2 and Chosen hide
      // the real one the same way.
      !(field.tagName == 'INPUT' && (field.tabIndex < 0 || field.closest('[aria-hidden=true],[class*=honeypot]'))) &&
      (!checkable || (field as HTMLInputElement).checked)
    ) {
      const hint = [field.type, field.id, field.className, field.getAttribute('autocomplete'), field.getAttribute('placeholder'), field.getAttribute('aria-label'), label];
      addField(fields, field.name, field.value, hint.join(' '), label, checkable);
    }
  }
  return fields;
}

/** Adds one answer under its class, or under its name (`label` when the name is a plugin number). */
function addField(fields: Fields, name: string, value: string, hint: string, label = '', checkable?: boolean): void {
  hint = (hint + ' ' + name).toLowerCase();
  value = value.trim();
  if (!value || SKIPPED.test(hint) || isCardNumber(value)) return;
  // A checkbox's label is a sentence ("send me the catalogue by email"), so only its name counts.
  const known = !checkable && Object.keys(CLASSES).find((key) => CLASSES[key]!.test(hint));
  // The last bracketed part: `contact[product]` → product, `interest[]` → interest.
  const segment = (name.match(/([^[\]]+)[[\]]*$/) || [])[1] || '';
  // `input_5`, `wpforms[fields][3]`: plugin names say nothing, their labels do.
  const key = known || toKey(/[a-z]{2}/i.test(segment.replace(/input|field/gi, '')) ? segment : label || segment);
  if (key && (key in fields || Object.keys(fields).length < FIELD_LIMIT)) {
    fields[key] = (fields[key] ? fields[key] + (key == 'name' ? ' ' : ', ') + value : value).slice(0, VALUE_LIMIT);
  }
}

/** `How did you hear about us?` → `how_did_you_hear_about_us`; letters of every script are kept. */
const toKey = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[\s!-/:-@[-^`{-~]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, KEY_LIMIT);

/** A card number typed anywhere (also in a plain text field): 13–19 digits, spaces and dashes aside, passing Luhn. */
export function isCardNumber(value: string): boolean {
  const digits = value.replace(/[ -]/g, '');
  let sum = 0;
  // From the last digit, every second one doubles: the weight flips between 1 and 2 (1 ^ 3 = 2, 2 ^ 3 = 1).
  for (let index = digits.length, weight = 1; index--; weight ^= 3) {
    const product = +digits[index]! * weight;
    sum += product > 9 ? product - 9 : product;
  }
  return CARD_DIGITS.test(digits) && sum % 10 == 0;
}
