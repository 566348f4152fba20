/**
 * Form capture: `form_start` on the first input, `form_submit` with the classified field values.
 * Redaction happens here, before anything is queued: what is dropped never leaves the page.
 */
import { sendEvent } from './transport.js';

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** The page's own opt-out, on a field or on any element around it. */
const IGNORE = '[data-leadtrail-ignore]';
/** Plugins recognisable from their form markup (checked in order); a plugin seen nowhere else is `native`. */
const PROVIDERS: [string, string][] = [
  ['cf7', '.wpcf7-form'],
  ['wpforms', '.wpforms-form'],
  ['elementor', '.elementor-form'],
  ['gravity', '[id^=gform_]'],
  ['hubspot', '.hs-form'],
  // Shopify themes post the contact form to /contact#ContactForm (or #contact_form).
  ['shopify', '[action*="/contact#"]'],
];
/**
 * Never sent, tested on the field's hint (which starts with its type): types that carry no answer
 * or a secret; secrets and machine values by name, id, autocomplete, label or placeholder; honeypots
 * by name or class (`wpforms[hp]`, `elementor-field-type-honeypot`, `bot-trap`).
 */
const SKIPPED =
  /^(hidden|file|submit|button|reset|image)|passw|\bpass|card|cc-|cv[cv]|csc|iban|ssn|captcha|token|nonce|csrf|honey|trap|(^|[\W_])hp($|[\W_])/;
/**
 * Ordered: the first match wins, so `company name` is a company, not a name. First and last name
 * both count as `name` and join with a space in form order. A textarea nothing else claims is the message.
 */
const CLASSES: [string, RegExp][] = [
  ['email', /mail|邮|correo/],
  ['phone', /phone|\btel|mobil|whatsapp|电话|手机|телеф/],
  ['company', /compan|organi|empresa|firma|soci[eé]t|entreprise|公司|компан/],
  ['country', /countr|pa[iíy]s|\bland\b|国家/],
  ['subject', /subject|asunto|betreff|主题/],
  ['message', /messag|comment|nquir|mensa[jg]|nachricht|留言|сообщ|textarea/],
  // Vorname, Nachname, surname, prénom and sobrenome are caught by `name`, `nom` and `nome`.
  ['name', /name|\bnom|nome|first|last|given|family|apellido|姓名|имя|фамил/],
];
/** The schema's bounds: values long enough for an inquiry, at most 50 fields, names up to 64 characters. */
const FORM_LIMIT = 256;
const VALUE_LIMIT = 5000;
const FIELD_LIMIT = 50;
const KEY_LIMIT = 64;
/** Plugins and double-clicks fire submit twice for one submission; a real resubmission takes longer. */
const RESUBMIT_MS = 2000;
/** The length range of payment card numbers (ISO/IEC 7812). */
const CARD_DIGITS = /^\d{13,19}$/;

const started = new WeakSet<HTMLFormElement>();
const submittedAt = new WeakMap<HTMLFormElement, number>();

export function trackForms(): void {
  // Capture phase: AJAX plugins call preventDefault or stopPropagation in their own submit handlers.
  document.addEventListener('submit', (event) => captureForm(event.target as HTMLFormElement), true);
  document.addEventListener(
    'input',
    (event) => {
      try {
        const form = (event.target as Field).form;
        if (form && !started.has(form) && !form.closest(IGNORE)) {
          started.add(form);
          sendEvent({ type: 'form_start', form: nameForm(form) });
        }
      } catch {}
    },
    true,
  );
}

/** Records one submission of `form`; also the entry point for plugin hooks that submit without a submit event. */
export function captureForm(form: HTMLFormElement): void {
  try {
    const now = Date.now();
    if (form.closest(IGNORE) || now - (submittedAt.get(form) || 0) < RESUBMIT_MS) return;
    submittedAt.set(form, now);
    const provider = PROVIDERS.find(([, selector]) => form.matches(selector));
    sendEvent({
      type: 'form_submit',
      form: nameForm(form),
      provider: provider ? provider[0] : 'native',
      fields: readFields(form),
    });
  } catch {}
}

/** id, else name, else the path it posts to. Attributes, not properties: a field named `id` shadows `form.id`. */
const nameForm = (form: HTMLFormElement): string =>
  (
    form.getAttribute('id') ||
    form.getAttribute('name') ||
    new URL(form.getAttribute('action') || '', location.href).pathname
  ).slice(0, FORM_LIMIT);

/**
 * The visitor's answers by class (email, name, phone, …) or by field name, without anything
 * sensitive. `root` is a form, or whatever element an AJAX plugin renders its fields into.
 */
export function readFields(root: ParentNode): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const field of root.querySelectorAll<Field>('input,select,textarea')) {
    const { name, type } = field;
    const checkable = /radio|checkbox/.test(type);
    const label = Array.from(field.labels || [], (element) => element.textContent).join(' ');
    const hint = [type, name, field.id, field.className, field.getAttribute('autocomplete'), field.getAttribute('placeholder'), field.getAttribute('aria-label'), label]
      .join(' ')
      .toLowerCase();
    const value = field.value.trim();
    if (SKIPPED.test(hint) || field.closest(IGNORE) || isHoneypot(field) || (checkable && !(field as HTMLInputElement).checked) || isCardNumber(value)) {
      continue;
    }
    // A checkbox's label is a sentence ("send me the catalogue by email"), so only its name counts.
    const known = !checkable && CLASSES.find(([, pattern]) => pattern.test(hint));
    // The last bracketed part: `contact[product]` → product, `interest[]` → interest.
    const segment = (name.match(/([^[\]]+)[[\]]*$/) || [])[1] || '';
    // `input_5`, `wpforms[fields][3]`: plugin names say nothing, their labels do.
    const key = known ? known[0] : toKey(/[a-z]{2}/i.test(segment.replace(/input|field/gi, '')) ? segment : label || segment);
    if (value && key && (key in fields || Object.keys(fields).length < FIELD_LIMIT)) {
      fields[key] = (fields[key] ? fields[key] + (key == 'name' ? ' ' : ', ') + value : value).slice(0, VALUE_LIMIT);
    }
  }
  return fields;
}

/**
 * Honeypots hidden without a telling name: text inputs out of the tab order or inside an
 * aria-hidden wrapper. Selects are exempt: select2 and Chosen hide the real one the same way.
 */
const isHoneypot = (field: Field): boolean =>
  field.tagName == 'INPUT' && (field.tabIndex < 0 || !!field.closest('[aria-hidden=true],.gform_validation_container'));

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
  for (let index = digits.length, double = false; index--; double = !double) {
    const digit = (digits.charCodeAt(index) - 48) * (double ? 2 : 1);
    sum += digit > 9 ? digit - 9 : digit;
  }
  return CARD_DIGITS.test(digits) && sum % 10 == 0;
}
