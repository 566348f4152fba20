// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { leavePage, loadSnippet, recordRequests, render, setVisibility, submit, type, type Recorder } from './page.js';

/** The slice of jQuery the tests use: what plugins do with it. */
interface JqueryLike {
  (target: Element | Document | HTMLElement): {
    on(types: string, listener: (event: Event) => void): unknown;
    trigger(type: string, data?: unknown): unknown;
  };
}

/** How long the snippet waits for a plugin's outcome (OUTCOME_MS in snippet/forms.ts). */
const OUTCOME_MS = 10_000;

let sent: Recorder;

beforeAll(async () => {
  // Fake timers hold debounced events (pageview, form_start) and submissions waiting for their
  // outcome until a test moves the clock.
  vi.useFakeTimers();
  sent = recordRequests();
  // The site's own script: an AJAX form handler that cancels the native submission afterwards.
  document.addEventListener('submit', (event) => event.preventDefault());
  // A page with a form: lt.js imports lt-forms.js at start (lazy-forms.test.ts covers the other pages).
  render('<form id="on-load"></form>');
  await loadSnippet();
  vi.advanceTimersByTime(1000);
});

beforeEach(() => {
  // Nothing held over from the test before: its submission leaves now, before the recorder is emptied.
  vi.advanceTimersByTime(OUTCOME_MS);
  sent.requests.length = 0;
  document.body.innerHTML = '';
});

/** The form_submit events sent so far. */
const submits = () => sent.eventsOf('form_submit');

/** Submits the form, lets the wait for an outcome run out, and returns the fields of the one form_submit. */
function submitAndRead(form: HTMLFormElement): Record<string, string> {
  submit(form);
  vi.advanceTimersByTime(OUTCOME_MS);
  expect(submits()).toHaveLength(1);
  return submits()[0]!.fields ?? {};
}

describe('form_submit fields', () => {
  it('classifies an English contact form and joins first and last name', () => {
    const form = render(`
      <form id="contact">
        <label for="f">First name</label><input id="f" name="first_name" value="Ada">
        <label for="l">Last name</label><input id="l" name="last_name" value="Lovelace">
        <input type="email" name="your-email" value="  ada@example.com ">
        <input type="tel" name="tel" value="+44 20 7946 0000">
        <input name="company" placeholder="Company name" value="Analytical Engines Ltd">
        <select name="country"><option>Germany</option><option selected>United Kingdom</option></select>
        <input name="subject" value="Quote for 2 t of PET flakes">
        <textarea name="msg">Please send FOB prices.</textarea>
        <input name="quantity" value="2000">
        <button>Send</button>
      </form>`);
    expect(submitAndRead(form)).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+44 20 7946 0000',
      company: 'Analytical Engines Ltd',
      country: 'United Kingdom',
      subject: 'Quote for 2 t of PET flakes',
      message: 'Please send FOB prices.',
      quantity: '2000',
    });
  });

  it('classifies fields by their Chinese labels', () => {
    const form = render(`
      <form id="zh">
        <label>姓名 <input name="a1" value="王伟"></label>
        <label>电子邮件 <input name="a2" value="wang@example.cn"></label>
        <label>电话 <input name="a3" value="+86 138 0013 8000"></label>
        <label>公司 <input name="a4" value="宁波贸易有限公司"></label>
        <label>国家 <input name="a5" value="中国"></label>
        <label>留言 <input name="a6" value="请报价"></label>
      </form>`);
    expect(submitAndRead(form)).toEqual({
      name: '王伟',
      email: 'wang@example.cn',
      phone: '+86 138 0013 8000',
      company: '宁波贸易有限公司',
      country: '中国',
      message: '请报价',
    });
  });

  it('classifies fields by their Spanish, French, German, Portuguese and Russian labels', () => {
    // Each form's fields are named field_0, field_1, …: only the label can classify them.
    const cases: [string, Record<string, string>][] = [
      ['Nombre|Correo electrónico|Teléfono|Empresa|País|Asunto|Mensaje', { name: 'v0', email: 'v1', phone: 'v2', company: 'v3', country: 'v4', subject: 'v5', message: 'v6' }],
      ['Prénom|Nom|E-mail|Téléphone|Société|Pays|Objet', { name: 'v0 v1', email: 'v2', phone: 'v3', company: 'v4', country: 'v5', subject: 'v6' }],
      ['Vorname|Nachname|Telefon|Firma|Land|Betreff|Nachricht', { name: 'v0 v1', phone: 'v2', company: 'v3', country: 'v4', subject: 'v5', message: 'v6' }],
      ['Nome|Sobrenome|Telefone|Empresa|País|Assunto|Mensagem', { name: 'v0 v1', phone: 'v2', company: 'v3', country: 'v4', subject: 'v5', message: 'v6' }],
      ['Имя|Фамилия|Электронная почта|Телефон|Компания|Страна|Тема|Сообщение', { name: 'v0 v1', email: 'v2', phone: 'v3', company: 'v4', country: 'v5', subject: 'v6', message: 'v7' }],
    ];
    cases.forEach(([labels, expected], index) => {
      vi.advanceTimersByTime(OUTCOME_MS);
      sent.requests.length = 0;
      const inputs = labels
        .split('|')
        .map((label, field) => `<label for="x${index}-${field}">${label}</label><input id="x${index}-${field}" name="field_${field}" value="v${field}">`);
      const form = render(`<form id="lang${index}">${inputs.join('')}</form>`);
      expect(submitAndRead(form), labels).toEqual(expected);
    });
  });

  it('classifies by autocomplete tokens when names and labels say nothing', () => {
    const form = render(`
      <form id="auto">
        <input name="f1" autocomplete="given-name" value="Grace">
        <input name="f2" autocomplete="family-name" value="Hopper">
        <input name="f3" autocomplete="organization" value="Navy">
        <input name="f4" autocomplete="country-name" value="USA">
      </form>`);
    expect(submitAndRead(form)).toEqual({ name: 'Grace Hopper', company: 'Navy', country: 'USA' });
  });

  it('names other fields by their cleaned name, or by their label when the name is a plugin number', () => {
    const form = render(`
      <form id="other">
        <input name="contact[product]" value="PET flakes">
        <label for="w">How did you hear about us?</label><input id="w" name="wpforms[fields][7]" value="Trade fair">
        <label><input type="checkbox" name="interest[]" value="Samples" checked> Samples</label>
        <label><input type="checkbox" name="interest[]" value="Catalogue" checked> Catalogue</label>
        <label><input type="checkbox" name="interest[]" value="Visit"> Visit</label>
        <label><input type="radio" name="incoterm" value="FOB"> FOB</label>
        <label><input type="radio" name="incoterm" value="CIF" checked> CIF</label>
        <input name="empty" value="   ">
      </form>`);
    expect(submitAndRead(form)).toEqual({
      product: 'PET flakes',
      how_did_you_hear_about_us: 'Trade fair',
      interest: 'Samples, Catalogue',
      incoterm: 'CIF',
    });
  });

  it('does not classify a checkbox by its sentence label', () => {
    const form = render(`
      <form id="optin">
        <input type="email" name="email" value="buyer@example.com">
        <label><input type="checkbox" name="newsletter" checked> Send me the catalogue by email</label>
      </form>`);
    expect(submitAndRead(form)).toEqual({ email: 'buyer@example.com', newsletter: 'on' });
  });

  it('caps each value at 5000 characters', () => {
    const form = render(`<form id="long"><textarea name="message"></textarea></form>`);
    form.querySelector('textarea')!.value = 'x'.repeat(6000);
    expect(submitAndRead(form).message).toHaveLength(5000);
  });
});

describe('redaction', () => {
  it('never sends passwords, hidden inputs or files', () => {
    const form = render(`
      <form id="signup">
        <input type="email" name="email" value="buyer@example.com">
        <input type="password" name="pw" value="hunter2-secret">
        <input type="text" name="user_password" value="shown-password-secret">
        <input type="hidden" name="_token" value="hidden-secret-value">
        <input type="hidden" name="utm_campaign" value="hidden-campaign-value">
        <input type="file" name="attachment">
      </form>`);
    expect(submitAndRead(form)).toEqual({ email: 'buyer@example.com' });
    for (const secret of ['hunter2-secret', 'shown-password-secret', 'hidden-secret-value', 'hidden-campaign-value']) {
      expect(sent.text()).not.toContain(secret);
    }
  });

  it('never sends a card number typed into a text field', () => {
    const form = render(`
      <form id="order">
        <input name="email" type="email" value="buyer@example.com">
        <label>Reference <input name="reference" value="4111 1111 1111 1111"></label>
        <label>PO number <input name="po" value="4000-0566-5566-5556"></label>
        <label>Notes <input name="notes" value="378282246310005"></label>
        <label>Order number <input name="order_number" value="1234 5678 9012 3456"></label>
        <label>Phone <input name="phone" value="+86 138 0013 8000"></label>
      </form>`);
    // 1234 5678 9012 3456 fails the Luhn check, so it is an ordinary number.
    expect(submitAndRead(form)).toEqual({
      email: 'buyer@example.com',
      order_number: '1234 5678 9012 3456',
      phone: '+86 138 0013 8000',
    });
    for (const card of ['4111', '4000-0566', '378282246310005']) expect(sent.text()).not.toContain(card);
  });

  it('never sends card, CVC, IBAN or SSN fields, whatever they contain', () => {
    const form = render(`
      <form id="pay">
        <input name="email" type="email" value="buyer@example.com">
        <input name="cc-number" value="not-a-number-ccnum">
        <input name="x1" autocomplete="cc-exp" value="12/29-exp">
        <input name="cvc" value="123-cvc">
        <input name="card_cvv" value="456-cvv">
        <label>IBAN <input name="bank" value="DE89370400440532013000"></label>
        <input name="ssn" value="078-05-1120">
      </form>`);
    expect(submitAndRead(form)).toEqual({ email: 'buyer@example.com' });
    for (const secret of ['ccnum', '12/29', '123-cvc', '456-cvv', 'DE8937', '078-05']) expect(sent.text()).not.toContain(secret);
  });

  it('never sends honeypot fields', () => {
    const form = render(`
      <form id="trap">
        <input name="email" type="email" value="buyer@example.com">
        <div class="wpforms-field wpforms-field-hp"><input name="wpforms[hp]" value="bot-filled-hp"></div>
        <input name="honeypot_field" value="bot-filled-honeypot">
        <input name="website_url" tabindex="-1" value="bot-filled-tabindex">
        <div aria-hidden="true"><label>Website <input name="website" value="bot-filled-aria"></label></div>
        <div class="gfield gfield--type-honeypot gform_validation_container"><label>Phone <input name="input_9" value="bot-filled-gravity"></label></div>
        <div class="elementor-field-type-honeypot elementor-field-group"><input name="form_fields[field_x]" value="bot-filled-elementor"></div>
        <label for="nf-field-hp-3" aria-hidden="true">If you are a human seeing this field, please leave it empty.<input id="nf-field-hp-3" name="nf-field-hp" class="nf-element nf-field-hp" value="bot-filled-ninja"></label>
      </form>`);
    expect(submitAndRead(form)).toEqual({ email: 'buyer@example.com' });
    expect(sent.text()).not.toContain('bot-filled');
  });

  it('keeps a select that a widget hid with aria-hidden (select2)', () => {
    const form = render(`
      <form id="select2">
        <select name="country" class="select2-hidden-accessible" aria-hidden="true" tabindex="-1"><option selected>Brazil</option></select>
      </form>`);
    expect(submitAndRead(form)).toEqual({ country: 'Brazil' });
  });

  it('never sends a field marked data-leadtrail-ignore, or any field inside a marked wrapper', () => {
    const form = render(`
      <form id="ignore">
        <input name="email" type="email" value="buyer@example.com">
        <input name="vat_id" data-leadtrail-ignore value="ignored-vat">
        <fieldset data-leadtrail-ignore><input name="notes" value="ignored-notes"><textarea name="message">ignored-message</textarea></fieldset>
      </form>`);
    expect(submitAndRead(form)).toEqual({ email: 'buyer@example.com' });
    expect(sent.text()).not.toContain('ignored-');
  });

  it('sends nothing for a form marked data-leadtrail-ignore', () => {
    const form = render(`<form id="login" data-leadtrail-ignore><input name="email" type="email" value="me@example.com"></form>`);
    type(form.querySelector('input'), 'me@example.com');
    submit(form);
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(sent.events()).toEqual([]);
  });
});

describe('form identity and provider', () => {
  it('names a form by id, else name, else the path it posts to', () => {
    render(`<form id="quote"><input name="email" value="a@example.com"></form>`);
    render(`<form name="inquiry"><input name="email" value="a@example.com"></form>`);
    render(`<form action="/contact/send?x=1"><input name="email" value="a@example.com"></form>`);
    render(`<form><input name="id" value="shadows form.id"></form>`);
    // Each submission sends the one held before it; the last waits out its outcome.
    for (const form of Array.from(document.forms)) submit(form);
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits().map((event) => event.form)).toEqual(['quote', 'inquiry', '/contact/send', '/']);
  });

  it('recognises the form plugin from its markup', () => {
    const plugins: [string, string][] = [
      ['cf7', '<form class="wpcf7-form init" action="/contact/#wpcf7-f12-p3-o1">'],
      ['wpforms', '<form id="wpforms-form-55" class="wpforms-validate wpforms-form wpforms-ajax-form">'],
      ['elementor', '<form class="elementor-form" name="New Form">'],
      ['gravity', '<form id="gform_1">'],
      ['fluent', '<form id="fluentform_3" class="frm-fluent-form fluent_form_3">'],
      ['hubspot', '<form class="hs-form stacked hs-form-private">'],
      ['shopify', '<form action="/contact#ContactForm" id="ContactForm" class="contact-form">'],
      ['native', '<form id="plain">'],
    ];
    for (const [, html] of plugins) render(`${html}<input name="email" value="a@example.com"></form>`);
    render(`<div class="nf-form-cont"><div class="nf-form-wrap"><form><input name="email" value="a@example.com"></form></div></div>`);
    for (const form of Array.from(document.forms)) submit(form);
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits().map((event) => event.provider)).toEqual([...plugins.map(([provider]) => provider), 'ninja']);
  });
});


describe('one form_submit per submission, with its outcome', () => {
  it('holds a submission until the plugin reports success, then sends it at once', () => {
    const form = render(`<form class="wpcf7-form"><input type="email" name="your-email" value="buyer@example.com"></form>`);
    submit(form);
    expect(submits()).toEqual([]);
    // Contact Form 7 answers with a native CustomEvent on the form.
    form.dispatchEvent(new CustomEvent('wpcf7mailsent', { bubbles: true, detail: { status: 'mail_sent' } }));
    expect(submits()).toEqual([expect.objectContaining({ provider: 'cf7', outcome: 'success', fields: { email: 'buyer@example.com' } })]);
    expect(sent.requests[0]!.via).toBe('fetch');
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toHaveLength(1);
  });

  it('records a refused submission as invalid, and the corrected one after it again', () => {
    const form = render(`<form class="wpcf7-form"><input type="email" name="your-email" value="buyer@example"></form>`);
    submit(form);
    form.dispatchEvent(new CustomEvent('wpcf7invalid', { bubbles: true }));
    form.querySelector('input')!.value = 'buyer@example.com';
    submit(form);
    form.dispatchEvent(new CustomEvent('wpcf7mailsent', { bubbles: true }));
    expect(submits().map(({ outcome, fields }) => [outcome, fields])).toEqual([
      ['invalid', { email: 'buyer@example' }],
      ['success', { email: 'buyer@example.com' }],
    ]);
  });

  it('reads the values when the submission starts, before the plugin clears the form', () => {
    const form = render(`<form id="quote"><input name="email" value="buyer@example.com"><textarea name="message">Price for 2 t?</textarea></form>`);
    submit(form);
    form.reset();
    form.querySelector('input')!.value = '';
    window.dispatchEvent(new CustomEvent('hs-form-event:on-submission:success'));
    expect(submits()[0]!.fields).toEqual({ email: 'buyer@example.com', message: 'Price for 2 t?' });
  });

  it('sends the outcome unknown when none comes within 10 seconds', () => {
    const form = render(`<form id="plain"><input name="email" value="buyer@example.com"></form>`);
    submit(form);
    vi.advanceTimersByTime(OUTCOME_MS - 1);
    expect(submits()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(submits()).toEqual([expect.objectContaining({ form: 'plain', provider: 'native', outcome: 'unknown' })]);
  });

  it('sends a held submission when the page is left', () => {
    const form = render(`<form id="leaving" action="/thanks"><input name="email" value="buyer@example.com"></form>`);
    submit(form);
    leavePage();
    setVisibility('visible');
    expect(submits()).toEqual([expect.objectContaining({ form: 'leaving', outcome: 'unknown' })]);
  });

  it('counts the click on the submit button, the submit event and a double click as one submission', () => {
    const form = render(`<form id="once"><input name="email" value="buyer@example.com"><button>Send</button></form>`);
    const button = form.querySelector('button')!;
    button.click();
    button.click();
    submit(form);
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toHaveLength(1);
  });

  it('counts a click on a submit button whose click the plugin cancels (Gravity Forms), and reads the values then', () => {
    const form = render(`
      <form id="gform_1" action="/contact/#gf_1" target="gform_ajax_frame_1">
        <label for="input_1_3">First</label><input id="input_1_3" name="input_1.3" value="Ana">
        <label for="input_2">Email</label><input id="input_2" name="input_2" value="ana@example.com">
        <input type="submit" id="gform_submit_button_1" value="Submit">
      </form>`);
    form.querySelector('[type=submit]')!.addEventListener('click', (event) => event.preventDefault());
    (form.querySelector('[type=submit]') as HTMLElement).click();
    form.innerHTML = '<div class="gform_confirmation_message">Thanks!</div>';
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toEqual([expect.objectContaining({ provider: 'gravity', fields: { name: 'Ana', email: 'ana@example.com' } })]);
  });

  it('does not count a click the browser refuses for an empty required field', () => {
    const form = render(`<form id="required"><input name="email" value="buyer@example.com"><input name="phone" required><button>Send</button></form>`);
    form.querySelector('button')!.click();
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toEqual([]);
  });

  it('does not count other buttons of a form (next step, add a row)', () => {
    const form = render(`<form id="steps"><input name="email" value="buyer@example.com"><button type="button">Next</button><div role="button">More</div></form>`);
    form.querySelector('button')!.click();
    (form.querySelector('[role=button]') as HTMLElement).click();
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toEqual([]);
  });

  it("counts a click on Ninja Forms' submit <input type=button> (its form never submits)", () => {
    render(`
      <div id="nf-form-3-cont" class="nf-form-cont"><form>
        <div class="nf-field-container email-container"><label for="nf-field-6">Email</label><input id="nf-field-6" name="nf-field-6-email" type="email" value="buyer@example.com"></div>
        <div class="nf-field-container submit-container"><input id="nf-field-9" class="ninja-forms-field nf-element" type="button" value="Send"></div>
      </form></div>`);
    (document.querySelector('#nf-field-9') as HTMLElement).click();
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toEqual([expect.objectContaining({ provider: 'ninja', fields: { email: 'buyer@example.com' } })]);
  });

  it('counts a <div> "form": a button outside any form near a filled email field', () => {
    render(`
      <div class="inquiry" id="inquiry-box">
        <div class="row"><input placeholder="Your name" value="Ana Souza"><input type="email" placeholder="Email" value="ana@example.com"></div>
        <div class="row"><textarea placeholder="Message">200 pcs DN50</textarea><div class="actions"><button type="button">Send</button></div></div>
      </div>`);
    document.querySelector('button')!.click();
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toEqual([
      expect.objectContaining({ form: 'inquiry-box', provider: 'native', fields: { name: 'Ana Souza', email: 'ana@example.com', message: '200 pcs DN50' } }),
    ]);
  });

  it('ignores buttons outside forms with no filled email or phone nearby (search, carousels)', () => {
    render(`<div class="search"><input name="q" value="valves"><button>Search</button></div><div class="slider"><button>›</button></div>`);
    for (const button of Array.from(document.querySelectorAll('button'))) button.click();
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toEqual([]);
  });

  it('does not take a filled form for a <div> "form" when a button near it is clicked (a cookie banner)', () => {
    render(`<div class="page"><form id="contact"><input type="email" name="email" value="buyer@example.com"></form><div class="banner"><button type="button">Accept</button></div></div>`);
    document.querySelector('.banner button')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toEqual([]);
  });

  it('sends the held submission when another form is submitted', () => {
    const first = render(`<form id="first"><input name="email" value="a@example.com"></form>`);
    const second = render(`<form id="second"><input name="email" value="b@example.com"></form>`);
    submit(first);
    submit(second);
    expect(submits().map(({ form, outcome }) => [form, outcome])).toEqual([['first', 'unknown']]);
  });
});

describe('plugins that report through jQuery', () => {
  let jQuery: JqueryLike;

  // Loaded after lt.js started, as on a site that defers jQuery or has an optimiser delay it; run
  // as a <script> would run it, so it defines window.jQuery.
  beforeAll(() => {
    new Function(readFileSync(createRequire(import.meta.url).resolve('jquery/dist/jquery.min.js'), 'utf8'))();
    jQuery = (window as unknown as { jQuery: JqueryLike }).jQuery;
  });

  it('hears an outcome fired with .trigger() only (WPForms)', () => {
    const form = render(`<form id="wpforms-form-55" class="wpforms-form"><input type="email" name="wpforms[fields][1]" value="buyer@example.com"></form>`);
    submit(form);
    jQuery(form).trigger('wpformsAjaxSubmitSuccess', { success: true });
    expect(submits()).toEqual([expect.objectContaining({ provider: 'wpforms', outcome: 'success' })]);
  });

  it("counts Elementor's .trigger('submit') after reCAPTCHA v3, and its error as invalid", () => {
    const form = render(`<form class="elementor-form" name="Quote"><input type="email" name="form_fields[email]" value="buyer@example.com"></form>`);
    jQuery(form).on('submit', (event) => event.preventDefault());
    jQuery(form).trigger('submit');
    expect(submits()).toEqual([]);
    jQuery(form).trigger('error');
    expect(submits()).toEqual([expect.objectContaining({ form: 'Quote', provider: 'elementor', outcome: 'invalid' })]);
  });

  it("reads Ninja Forms' errors from its one response event", () => {
    const form = render(`<div class="nf-form-cont"><form><input type="email" name="nf-field-6-email" value="buyer@example.com"></form></div>`).querySelector('form')!;
    submit(form);
    jQuery(document).trigger('nfFormSubmitResponse', { response: { errors: { fields: { 6: 'Please enter a valid email address.' } } }, id: 3 });
    submit(form);
    jQuery(document).trigger('nfFormSubmitResponse', { response: { errors: [], data: {} }, id: 3 });
    expect(submits().map(({ outcome }) => outcome)).toEqual(['invalid', 'success']);
  });

  it("hears Gravity Forms' confirmation and Fluent Forms' outcome on document.body", () => {
    const gravity = render(`<form id="gform_1"><input name="input_2" type="email" value="a@example.com"></form>`);
    submit(gravity);
    jQuery(document).trigger('gform_confirmation_loaded', [1]);
    const fluent = render(`<form id="fluentform_3" class="frm-fluent-form"><input name="email" type="email" value="b@example.com"></form>`);
    submit(fluent);
    jQuery(document.body).trigger('fluentform_submission_failed', { form: jQuery(fluent) });
    expect(submits().map(({ provider, outcome }) => [provider, outcome])).toEqual([
      ['gravity', 'success'],
      ['fluent', 'invalid'],
    ]);
  });
});

describe('HubSpot iframe embeds', () => {
  const message = (data: unknown) => window.dispatchEvent(new MessageEvent('message', { data }));

  it('records the values HubSpot posts with onFormSubmitted, redacted like a form', () => {
    message({ type: 'hsFormCallback', eventName: 'onFormSubmit', id: 'f4271808', data: [] });
    message({
      type: 'hsFormCallback',
      eventName: 'onFormSubmitted',
      id: 'f4271808-e089-439e-80f8-13d61a039b3a',
      data: {
        redirectUrl: '',
        submissionValues: { firstname: 'Ana', lastname: 'Souza', email: 'ana@example.com', company: 'Importadora', reference: '4111 1111 1111 1111', account_password: 'hunter2-secret' },
      },
    });
    expect(submits()).toEqual([
      expect.objectContaining({
        form: 'f4271808-e089-439e-80f8-13d61a039b3a',
        provider: 'hubspot',
        outcome: 'success',
        fields: { name: 'Ana Souza', email: 'ana@example.com', company: 'Importadora' },
      }),
    ]);
    expect(sent.text()).not.toContain('4111');
    expect(sent.text()).not.toContain('hunter2');
  });

  it('settles a raw-HTML HubSpot form with the message instead of recording it twice', () => {
    const form = render(`<form id="hsForm_f42" class="hs-form"><input name="email" type="email" value="ana@example.com"></form>`);
    submit(form);
    message({ type: 'hsFormCallback', eventName: 'onFormSubmitted', id: 'f42', data: { submissionValues: { email: 'ana@example.com' } } });
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()).toEqual([expect.objectContaining({ form: 'hsForm_f42', outcome: 'success' })]);
  });

  it('does not take the message for the outcome of another form waiting for its own', () => {
    const form = render(`<form id="newsletter"><input name="email" type="email" value="ana@example.com"></form>`);
    submit(form);
    message({ type: 'hsFormCallback', eventName: 'onFormSubmitted', id: 'f42', data: { submissionValues: { email: 'ana@example.com' } } });
    expect(submits().map(({ form, provider, outcome }) => [form, provider, outcome])).toEqual([
      ['newsletter', 'native', 'unknown'],
      ['f42', 'hubspot', 'success'],
    ]);
  });

  it("ignores other pages' messages", () => {
    message('a string from a chat widget');
    message(null);
    message({ eventName: 'resize' });
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(sent.events()).toEqual([]);
  });
});

describe('form_start', () => {
  it('sends form_start once per form on the first input, without values', () => {
    const form = render(`<form id="started"><input name="email"><textarea name="message"></textarea></form>`);
    type(form.querySelector('input'), 'typed-value@example.com');
    type(form.querySelector('textarea'), 'typed message');
    vi.advanceTimersByTime(1000);
    expect(sent.eventsOf('form_start')).toEqual([expect.objectContaining({ type: 'form_start', form: 'started' })]);
    expect(sent.text()).not.toContain('typed');
  });
});

describe('the event', () => {
  it('carries id, type, time, page url, form, provider, fields and outcome', () => {
    const form = render(`<form id="shape"><input name="email" type="email" value="a@example.com"></form>`);
    submit(form);
    vi.advanceTimersByTime(OUTCOME_MS);
    expect(submits()[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-z]{20}$/),
      type: 'form_submit',
      ts: expect.any(Number),
      url: location.href,
      form: 'shape',
      provider: 'native',
      fields: { email: 'a@example.com' },
      outcome: 'unknown',
    });
  });
});
