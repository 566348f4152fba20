// @vitest-environment jsdom
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSnippet, recordRequests, render, submit, type, type Recorder } from './page.js';

let sent: Recorder;

beforeAll(async () => {
  // Fake timers hold debounced events (pageview, form_start) until a test moves the clock.
  vi.useFakeTimers();
  sent = recordRequests();
  // The site's own script: an AJAX form handler that cancels the native submission afterwards.
  document.addEventListener('submit', (event) => event.preventDefault());
  await loadSnippet();
  vi.advanceTimersByTime(1000);
});

beforeEach(() => {
  sent.requests.length = 0;
  document.body.innerHTML = '';
});

/** Submits the form and returns the fields of the one form_submit it produced. */
function submitAndRead(form: HTMLFormElement): Record<string, string> {
  submit(form);
  const submits = sent.eventsOf('form_submit');
  expect(submits).toHaveLength(1);
  return submits[0]!.fields ?? {};
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
      ['Nombre|Correo electrónico|Teléfono|Empresa|País|Mensaje', { name: 'v0', email: 'v1', phone: 'v2', company: 'v3', country: 'v4', message: 'v5' }],
      ['Prénom|Nom|E-mail|Téléphone|Société|Pays', { name: 'v0 v1', email: 'v2', phone: 'v3', company: 'v4', country: 'v5' }],
      ['Vorname|Nachname|Telefon|Firma|Land|Nachricht', { name: 'v0 v1', phone: 'v2', company: 'v3', country: 'v4', message: 'v5' }],
      ['Nome|Sobrenome|Telefone|Empresa|País|Mensagem', { name: 'v0 v1', phone: 'v2', company: 'v3', country: 'v4', message: 'v5' }],
      ['Имя|Фамилия|Телефон|Компания|Сообщение', { name: 'v0 v1', phone: 'v2', company: 'v3', message: 'v4' }],
    ];
    cases.forEach(([labels, expected], index) => {
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
        <div class="gform_validation_container"><label>Phone <input name="input_9" value="bot-filled-gravity"></label></div>
        <input class="elementor-field-type-honeypot" name="form_fields[field_x]" value="bot-filled-elementor">
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
    vi.advanceTimersByTime(1000);
    expect(sent.events()).toEqual([]);
  });
});

describe('form identity and provider', () => {
  it('names a form by id, else name, else the path it posts to', () => {
    render(`<form id="quote"><input name="email" value="a@example.com"></form>`);
    render(`<form name="inquiry"><input name="email" value="a@example.com"></form>`);
    render(`<form action="/contact/send?x=1"><input name="email" value="a@example.com"></form>`);
    render(`<form><input name="id" value="shadows form.id"></form>`);
    for (const form of Array.from(document.forms)) submit(form);
    expect(sent.eventsOf('form_submit').map((event) => event.form)).toEqual(['quote', 'inquiry', '/contact/send', '/']);
  });

  it('recognises the form plugin from its markup', () => {
    const plugins: [string, string][] = [
      ['cf7', '<form class="wpcf7-form init" action="/contact/#wpcf7-f12-p3-o1">'],
      ['wpforms', '<form id="wpforms-form-55" class="wpforms-validate wpforms-form wpforms-ajax-form">'],
      ['elementor', '<form class="elementor-form" name="New Form">'],
      ['gravity', '<form id="gform_1">'],
      ['hubspot', '<form class="hs-form stacked hs-form-private">'],
      ['shopify', '<form action="/contact#ContactForm" id="ContactForm" class="contact-form">'],
      ['native', '<form id="plain">'],
    ];
    for (const [, html] of plugins) render(`${html}<input name="email" value="a@example.com"></form>`);
    for (const form of Array.from(document.forms)) submit(form);
    expect(sent.eventsOf('form_submit').map((event) => event.provider)).toEqual(plugins.map(([provider]) => provider));
  });
});

describe('submission and start', () => {
  it('records a submit the page cancels and stops, and sends it at once', () => {
    const form = render(`<form id="ajax"><input name="email" value="a@example.com"></form>`);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      event.stopImmediatePropagation();
    });
    submit(form);
    expect(sent.requests).toHaveLength(1);
    expect(sent.requests[0]!.via).toBe('fetch');
    expect(sent.eventsOf('form_submit')).toHaveLength(1);
  });

  it('counts a double submission once, and a later resubmission again', () => {
    const form = render(`<form id="twice"><input name="email" value="a@example.com"></form>`);
    submit(form);
    submit(form);
    expect(sent.eventsOf('form_submit')).toHaveLength(1);
    vi.advanceTimersByTime(2500);
    submit(form);
    expect(sent.eventsOf('form_submit')).toHaveLength(2);
  });

  it('sends form_start once per form on the first input, without values', () => {
    const form = render(`<form id="started"><input name="email"><textarea name="message"></textarea></form>`);
    type(form.querySelector('input'), 'typed-value@example.com');
    type(form.querySelector('textarea'), 'typed message');
    vi.advanceTimersByTime(1000);
    expect(sent.eventsOf('form_start')).toEqual([expect.objectContaining({ type: 'form_start', form: 'started' })]);
    expect(sent.text()).not.toContain('typed');
  });

  it('carries id, type, time and page url on every event', () => {
    const form = render(`<form id="shape"><input name="email" type="email" value="a@example.com"></form>`);
    submit(form);
    const event = sent.eventsOf('form_submit')[0]!;
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-z]{20}$/),
      type: 'form_submit',
      ts: expect.any(Number),
      url: location.href,
      form: 'shape',
      provider: 'native',
      fields: { email: 'a@example.com' },
    });
  });
});
