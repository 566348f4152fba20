/**
 * form_submit in real Chromium, on the pages of tests/fixtures/forms: one page per form plugin,
 * each a copy of the plugin's real markup with a mimic of how it really submits (a cancelled submit
 * and fetch, jQuery Validate and $.ajax, jQuery's .trigger('submit') after reCAPTCHA, form.submit()
 * into an iframe, a JSON post from a button, a native POST that leaves the page, messages from a
 * cross-origin iframe, a <div> with a button). The observation point is what the collector stored:
 * the expected form_submit (form, provider, classified fields, outcome), exactly one per
 * submission, and no password, card number, hidden or honeypot value anywhere in what was stored.
 * Form capture is lt-forms.js, which lt.js imports only on pages with a form: the last tests follow
 * when it is (and is not) downloaded, a submission made while it downloads, and a failed download.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { ValidEvent } from '../../collector/ingest/schema.js';
import { tagLoaded, useFixtureBrowser } from '../helpers/fixture-browser.js';
import { eventually, storedEvents } from '../helpers/stored-events.js';

type FormSubmit = Extract<ValidEvent, { type: 'form_submit' }>;

declare global {
  interface Window {
    /** Native submit events the page saw (counted by the test), to prove a path has none. */
    nativeSubmits: number;
  }
}

/** Card numbers typed into the pages (test numbers of Visa, Mastercard, Discover), with or without spaces. */
const CARDS = ['4111 1111 1111 1111', '4111111111111111', '5555 5555 5555 4444', '5555555555554444', '6011111111111117', '4000 0566 5566 5556'];
/** What a bot (or an overeager autofill) puts into a honeypot. */
const BOT_FILL = 'bot-filled-honeypot@spam.example';

const { collector, newSite, newContext } = useFixtureBrowser('forms');

/** Opens a fixture page as a new visitor of a new site, so each test reads only its own events. */
async function visit(path: string): Promise<{ page: Page; siteKey: string; origin: string }> {
  const { siteKey, origin } = await newSite(path);
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${origin}${path}`);
  await tagLoaded(page);
  await page.evaluate(() => {
    window.nativeSubmits = 0;
    document.addEventListener('submit', () => window.nativeSubmits++, true);
  });
  return { page, siteKey, origin };
}

/**
 * Everything the site stored once the visitor has left the page (a submission still held leaves
 * with it) and a checkpoint sent from the next page has been stored: whatever came before it has too.
 */
async function leaveAndRead(page: Page, siteKey: string, origin: string): Promise<ValidEvent[]> {
  await page.goto(`${origin}/thanks.html`);
  await tagLoaded(page);
  await page.evaluate(() => window.leadtrail!('track', 'checkpoint'));
  await eventually(() => storedEvents(collector(), siteKey).find((event) => event.type === 'track'), 'the checkpoint event');
  return storedEvents(collector(), siteKey);
}

const formSubmits = (events: ValidEvent[]) => events.filter((event): event is FormSubmit => event.type === 'form_submit');

/** The stored form_submit events, waiting until there are `count` of them. */
const storedSubmits = (siteKey: string, count = 1, timeoutMs?: number) =>
  eventually(
    () => {
      const submits = formSubmits(storedEvents(collector(), siteKey));
      return submits.length >= count ? submits : undefined;
    },
    `${count} stored form_submit`,
    timeoutMs,
  );

/** Nothing of `secrets` anywhere in what the site stored (every event, every field). */
function expectNowhere(events: ValidEvent[], secrets: string[]): void {
  const stored = JSON.stringify(events);
  for (const secret of [...secrets, ...CARDS, BOT_FILL]) expect(stored, secret).not.toContain(secret);
}

/** What a bot does: fills the honeypot, hidden from people, by script. */
const fillHoneypot = (page: Page, selector: string) =>
  page.evaluate(
    ([selector, value]) => {
      const field = document.querySelector<HTMLInputElement>(selector!)!;
      if (field.type == 'checkbox') field.checked = true;
      else field.value = value!;
    },
    [selector, BOT_FILL],
  );

const path = (url: string) => new URL(url).pathname;

describe('form_submit from the forms buyers really send, in Chromium', () => {
  it('Contact Form 7: a refused submission and the corrected one, two events with their outcomes', async () => {
    const { page, siteKey, origin } = await visit('/cf7.html');
    await page.fill('[name=your-name]', 'Ana Souza');
    await page.fill('[name=your-email]', 'ana.souza@importadora');
    await page.fill('[name=your-whatsapp]', '+55 11 98765-4321');
    await page.fill('[name=your-subject]', 'Quote: DN50 gate valves');
    await page.fill('[name=your-message]', '200 pcs, CIF Santos.');
    await fillHoneypot(page, '[name=honeypot-248]');
    await page.click('.wpcf7-submit');
    await page.waitForSelector('form[data-status=invalid]');
    await page.fill('[name=your-email]', 'ana.souza@importadora.com.br');
    await page.click('.wpcf7-submit');
    await page.waitForSelector('text=It has been sent');
    // The plugin emptied the form after sending; the event carries what was sent.
    expect(await page.inputValue('[name=your-name]')).toBe('');

    const [refused, sent] = await storedSubmits(siteKey, 2);
    const fields = { name: 'Ana Souza', phone: '+55 11 98765-4321', subject: 'Quote: DN50 gate valves', message: '200 pcs, CIF Santos.' };
    expect(refused).toMatchObject({ form: '/cf7.html', provider: 'cf7', outcome: 'invalid', fields: { ...fields, email: 'ana.souza@importadora' } });
    expect(sent).toMatchObject({ form: '/cf7.html', provider: 'cf7', outcome: 'success' });
    expect(sent!.fields).toEqual({ ...fields, email: 'ana.souza@importadora.com.br' });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(2);
    expectNowhere(events, ['CF7-HIDDEN-NONCE', 'wpcf7-f123-p45-o1']);
  });

  it('WPForms: a click jQuery Validate refuses and the one it sends are one submission, its outcome heard through jQuery', async () => {
    const { page, siteKey, origin } = await visit('/wpforms.html');
    await page.fill('#wpforms-55-field_0', 'Li');
    await page.fill('#wpforms-55-field_0-last', 'Wei');
    await page.fill('#wpforms-55-field_2', 'Shenzhen Import Co.');
    await page.selectOption('#wpforms-55-field_3', 'India');
    await page.fill('#wpforms-55-field_4', '500');
    await page.fill('#wpforms-55-field_5', 'Please send the catalogue and FOB prices.');
    await fillHoneypot(page, '#wpforms-55-field-hp');
    await page.click('#wpforms-submit-55');
    await page.waitForSelector('.wpforms-error');
    await page.fill('#wpforms-55-field_1', 'li.wei@shenzhen-import.cn');
    await page.click('#wpforms-submit-55');
    await page.waitForSelector('text=Thanks for contacting us!');

    const [submission] = await storedSubmits(siteKey);
    expect(submission).toMatchObject({ form: 'wpforms-form-55', provider: 'wpforms', outcome: 'success' });
    expect(submission!.fields).toEqual({
      name: 'Li Wei',
      email: 'li.wei@shenzhen-import.cn',
      company: 'Shenzhen Import Co.',
      country: 'India',
      order_quantity_pcs: '500',
      message: 'Please send the catalogue and FOB prices.',
    });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, ['WPFORMS-HIDDEN']);
  });

  it("Elementor Pro with reCAPTCHA v3: a cancelled click, then jQuery's .trigger('submit') and no native submit event", async () => {
    const { page, siteKey, origin } = await visit('/elementor.html');
    await page.fill('#form-field-name', 'María González');
    await page.fill('#form-field-email', 'maria.gonzalez@importadora.mx');
    await page.fill('#form-field-telefono', '+52 55 1234 5678');
    await page.fill('#form-field-empresa', 'Importadora del Bajío');
    await page.selectOption('#form-field-pais', 'Chile');
    await page.fill('#form-field-message', 'Cotización de 300 válvulas de bola.');
    await fillHoneypot(page, '#form-field-field_9e1b2c');
    await page.click('.elementor-button');
    await page.waitForSelector('text=El formulario se envió correctamente.');
    expect(await page.evaluate(() => window.nativeSubmits)).toBe(0);

    const [submission] = await storedSubmits(siteKey);
    expect(submission).toMatchObject({ form: 'Solicitud de cotización', provider: 'elementor', outcome: 'success' });
    expect(submission!.fields).toEqual({
      name: 'María González',
      email: 'maria.gonzalez@importadora.mx',
      phone: '+52 55 1234 5678',
      company: 'Importadora del Bajío',
      country: 'Chile',
      message: 'Cotización de 300 válvulas de bola.',
    });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, ['RECAPTCHA-HIDDEN-TOKEN', 'ELEMENTOR-HIDDEN']);
  });

  it('Gravity Forms 2.9: a cancelled click and form.submit() into an iframe, a card number in a plain text field', async () => {
    const { page, siteKey, origin } = await visit('/gravity.html');
    await page.fill('#input_1_1_3', 'Kwame');
    await page.fill('#input_1_1_6', 'Mensah');
    await page.fill('#input_1_2', 'kwame@accra-trading.com.gh');
    await page.fill('#input_1_3', '+233 24 123 4567');
    await page.fill('#input_1_4', 'Accra Trading Ltd');
    // A buyer pastes a card number where it does not belong: only the Luhn check can tell.
    await page.fill('#input_1_5', '5555 5555 5555 4444');
    await page.fill('#input_1_6_1', '4111 1111 1111 1111');
    await page.fill('#input_1_6_3', '737');
    await page.fill('#input_1_6_5', 'KWAME MENSAH');
    await page.fill('#input_1_7', 'Need 40 ft container of PVC valves.');
    await fillHoneypot(page, '#input_1_99');
    await page.click('#gform_submit_button_1');
    await page.waitForSelector('text=Thanks for contacting us!');
    expect(await page.evaluate(() => window.nativeSubmits)).toBe(0);

    const [submission] = await storedSubmits(siteKey);
    expect(submission).toMatchObject({ form: 'gform_1', provider: 'gravity', outcome: 'success' });
    expect(submission!.fields).toEqual({
      name: 'Kwame Mensah',
      email: 'kwame@accra-trading.com.gh',
      phone: '+233 24 123 4567',
      company: 'Accra Trading Ltd',
      message: 'Need 40 ft container of PVC valves.',
    });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, ['GRAVITY-HIDDEN', 'KWAME MENSAH', '"737"']);
  });

  it('Ninja Forms: a form rendered by script, sent as JSON from an <input type=button>', async () => {
    const { page, siteKey, origin } = await visit('/ninja.html');
    await page.waitForSelector('#nf-field-12');
    await page.fill('#nf-field-5', 'Amadou');
    await page.fill('#nf-field-6', 'Diallo');
    await page.fill('#nf-field-7', 'amadou.diallo@dakar-import.sn');
    await page.fill('#nf-field-8', '+221 77 123 45 67');
    await page.fill('#nf-field-9', 'Dakar Import SARL');
    await page.selectOption('#nf-field-10', 'SN');
    await page.fill('#nf-field-11', 'Prix FOB pour 1000 robinets ?');
    await fillHoneypot(page, '#nf-field-hp-3');
    await page.click('#nf-field-12');
    await page.waitForSelector('text=Votre demande a bien été envoyée');
    expect(await page.evaluate(() => window.nativeSubmits)).toBe(0);

    const [submission] = await storedSubmits(siteKey);
    expect(submission).toMatchObject({ form: '/ninja.html', provider: 'ninja', outcome: 'success' });
    expect(submission!.fields).toEqual({
      name: 'Amadou Diallo',
      email: 'amadou.diallo@dakar-import.sn',
      phone: '+221 77 123 45 67',
      company: 'Dakar Import SARL',
      country: 'SN',
      message: 'Prix FOB pour 1000 robinets ?',
    });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, ['NINJA-HIDDEN']);
  });

  it('Fluent Forms: a delegated jQuery submit, the outcome on document.body and on document', async () => {
    const { page, siteKey, origin } = await visit('/fluent.html');
    await page.fill('#ff_3_names_first_name_', 'João');
    await page.fill('#ff_3_names_last_name_', 'Pereira');
    await page.fill('#ff_3_email', 'joao.pereira@distribuidora.com.br');
    await page.fill('#ff_3_phone', '+55 21 99876-5432');
    await page.fill('#ff_3_subject', 'Cotação de válvulas');
    await page.fill('#ff_3_message', 'Preciso de 500 unidades DN25.');
    await page.check('[name=terms-n-condition]');
    await fillHoneypot(page, '[name=item__3__fluent_checkme_]');
    await page.click('.ff-btn-submit');
    await page.waitForSelector('#fluentform_3_success');

    const [submission] = await storedSubmits(siteKey);
    expect(submission).toMatchObject({ form: 'fluentform_3', provider: 'fluent', outcome: 'success' });
    expect(submission!.fields).toEqual({
      name: 'João Pereira',
      email: 'joao.pereira@distribuidora.com.br',
      phone: '+55 21 99876-5432',
      subject: 'Cotação de válvulas',
      message: 'Preciso de 500 unidades DN25.',
      terms_n_condition: 'on',
    });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, ['FLUENT-HIDDEN', 'FLUENT-HONEYPOT', 'checkme']);
  });

  it('HubSpot, raw HTML: the form in the page, settled by the onFormSubmitted message, counted once', async () => {
    const { page, siteKey, origin } = await visit('/hubspot.html');
    await page.fill('[name=firstname]', 'Nguyen');
    await page.fill('[name=lastname]', 'Van An');
    await page.fill('[name=email]', 'an.nguyen@saigon-trading.vn');
    await page.fill('[name=company]', 'Saigon Trading JSC');
    await page.fill('[name=mobilephone]', '+84 90 123 4567');
    await page.selectOption('[name=country]', 'Vietnam');
    await page.fill('[name=message]', 'Please call me about stainless valves.');
    await page.click('.hs-button');
    await page.waitForSelector('text=Thanks for submitting the form.');

    const [submission] = await storedSubmits(siteKey);
    expect(submission).toMatchObject({ form: 'hsForm_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', provider: 'hubspot', outcome: 'success' });
    expect(submission!.fields).toEqual({
      name: 'Nguyen Van An',
      email: 'an.nguyen@saigon-trading.vn',
      company: 'Saigon Trading JSC',
      phone: '+84 90 123 4567',
      country: 'Vietnam',
      message: 'Please call me about stainless valves.',
    });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, ['HUBSPOT-HIDDEN-HUTK']);
  });

  it('HubSpot, iframe embed of another origin: the values from its postMessage, redacted like a form', async () => {
    const { page, siteKey, origin } = await visit('/hubspot-iframe.html');
    const frame = page.frameLocator('#hs-form-iframe-0');
    await frame.locator('[name=firstname]').fill('Priya');
    await frame.locator('[name=lastname]').fill('Sharma');
    await frame.locator('[name=email]').fill('priya.sharma@mumbai-valves.in');
    await frame.locator('[name=company]').fill('Mumbai Valves Pvt Ltd');
    await frame.locator('[name=phone]').fill('+91 98200 12345');
    await frame.locator('[name=po_number]').fill('4111 1111 1111 1111');
    await frame.locator('[name=message]').fill('Need API 6D ball valves.');
    await frame.locator('.hs-button').click();
    await frame.locator('text=Thanks for submitting the form.').waitFor();

    const [submission] = await storedSubmits(siteKey);
    expect(submission).toMatchObject({ form: '7e6d5c4b-3a29-4b18-9c07-f6e5d4c3b2a1', provider: 'hubspot', outcome: 'success' });
    expect(path(submission!.url)).toBe('/hubspot-iframe.html');
    expect(submission!.fields).toEqual({
      name: 'Priya Sharma',
      email: 'priya.sharma@mumbai-valves.in',
      company: 'Mumbai Valves Pvt Ltd',
      phone: '+91 98200 12345',
      message: 'Need API 6D ball valves.',
    });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, []);
  });

  it('Shopify (Dawn): a submission the browser refuses is not counted; the native POST that leaves the page is, by pagehide', async () => {
    const { page, siteKey, origin } = await visit('/pages/contact');
    await page.fill('#ContactForm-name', 'Olena Kovalenko');
    await page.fill('#ContactForm-email', 'olena@kyiv-import.ua');
    // Dawn's phone pattern takes digits and dashes only: the browser refuses this one.
    await page.fill('#ContactForm-phone', '+380 44 123 4567');
    await page.fill('#ContactForm-body', 'Do you ship to Odesa?');
    await page.click('.contact__button button');
    expect(await page.evaluate(() => window.nativeSubmits)).toBe(0);
    await page.fill('#ContactForm-phone', '380-44-123-4567');
    await page.click('.contact__button button');
    await page.waitForURL((url) => url.pathname == '/contact');
    await page.waitForSelector("text=Thanks for contacting us. We'll get back to you as soon as possible.");

    const [submission] = await storedSubmits(siteKey);
    expect(path(submission!.url)).toBe('/pages/contact');
    expect(submission).toMatchObject({ form: 'ContactForm', provider: 'shopify', outcome: 'unknown' });
    expect(submission!.fields).toEqual({ name: 'Olena Kovalenko', email: 'olena@kyiv-import.ua', phone: '380-44-123-4567', message: 'Do you ship to Odesa?' });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, ['SHOPIFY-HIDDEN-TOKEN']);
  });

  it('a hand-written form that cancels the submission and sends it with fetch, with a password and card fields', async () => {
    const { page, siteKey, origin } = await visit('/fetch.html');
    await page.fill('[name=full_name]', 'Mehmet Yılmaz');
    await page.fill('[name=business_email]', 'mehmet@istanbul-vana.com.tr');
    await page.fill('[name=company]', 'İstanbul Vana A.Ş.');
    await page.selectOption('[name=country]', 'Turkey');
    await page.fill('[name=product]', 'DN80 butterfly valves');
    await page.fill('[name=notes]', '4000 0566 5566 5556');
    await page.fill('[name=account_password]', 'Hunter2-Buyer-Pass');
    await page.fill('[name=sample_fee]', '5555 5555 5555 4444');
    await fillHoneypot(page, '[name=b_website]');
    await page.click('text=Request quote');
    await page.waitForSelector('text=Your quote request has been sent.');

    // No plugin reports an outcome: the submission waits, and leaves with the page.
    const events = await leaveAndRead(page, siteKey, origin);
    const submits = formSubmits(events);
    expect(submits).toHaveLength(1);
    expect(submits[0]).toMatchObject({ form: 'quote-form', provider: 'native', outcome: 'unknown' });
    expect(path(submits[0]!.url)).toBe('/fetch.html');
    expect(submits[0]!.fields).toEqual({
      name: 'Mehmet Yılmaz',
      email: 'mehmet@istanbul-vana.com.tr',
      company: 'İstanbul Vana A.Ş.',
      country: 'Turkey',
      product: 'DN80 butterfly valves',
    });
    expectNowhere(events, ['Hunter2-Buyer-Pass', 'FETCH-HIDDEN']);
  });

  it('a submit button whose click is cancelled and whose form goes by XMLHttpRequest, then the page moves on', async () => {
    const { page, siteKey, origin } = await visit('/scripted.html');
    await page.fill('#rfq-vorname', 'Jonas');
    await page.fill('#rfq-nachname', 'Weber');
    await page.fill('#rfq-mail', 'jonas.weber@armaturen-handel.de');
    await page.fill('#rfq-tel', '+49 40 1234567');
    await page.fill('#rfq-firma', 'Armaturen Handel GmbH');
    await page.fill('#rfq-land', 'Deutschland');
    await page.fill('#rfq-betreff', 'Anfrage Kugelhähne');
    await page.fill('#rfq-nachricht', 'Bitte Angebot für 250 Stück.');
    await page.click('#send-rfq');
    await page.waitForURL('**/thanks.html');

    const [submission] = await storedSubmits(siteKey);
    expect(path(submission!.url)).toBe('/scripted.html');
    expect(submission).toMatchObject({ form: 'rfq', provider: 'native', outcome: 'unknown' });
    expect(submission!.fields).toEqual({
      name: 'Jonas Weber',
      email: 'jonas.weber@armaturen-handel.de',
      phone: '+49 40 1234567',
      company: 'Armaturen Handel GmbH',
      country: 'Deutschland',
      subject: 'Anfrage Kugelhähne',
      message: 'Bitte Angebot für 250 Stück.',
    });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, ['SCRIPTED-HIDDEN-TOKEN']);
  });

  it('a <div> "form" without a form element: its button and the fields around it; the outcome unknown after 10 s', async () => {
    const { page, siteKey, origin } = await visit('/div-form.html');
    await page.fill('#i-name', '王伟');
    await page.fill('#i-mail', 'wang.wei@nb-trading.cn');
    await page.fill('#i-phone', '+86 138 0013 8000');
    await page.fill('#i-company', '宁波贸易有限公司');
    await page.fill('#i-ref', '6011 1111 1111 1117');
    await page.fill('#i-msg', '请报价 DN100 闸阀。');
    await fillHoneypot(page, '#i-url');
    await page.click('text=提交询盘');
    await page.waitForSelector('text=谢谢！我们会尽快回复。');

    // The visitor stays: the submission is sent when the wait for an outcome runs out.
    const [submission] = await storedSubmits(siteKey, 1, 25_000);
    expect(submission).toMatchObject({ form: 'inquiry', provider: 'native', outcome: 'unknown' });
    expect(submission!.fields).toEqual({
      name: '王伟',
      email: 'wang.wei@nb-trading.cn',
      phone: '+86 138 0013 8000',
      company: '宁波贸易有限公司',
      message: '请报价 DN100 闸阀。',
    });
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toHaveLength(1);
    expectNowhere(events, []);
  });
});

describe('lt-forms.js, the form capture that lt.js imports only on pages with a form', () => {
  /**
   * Opens a fixture page as a new visitor of a new site, recording the page's requests for
   * lt-forms.js and every error that reached it. `prepare` sets up the context first (routes).
   */
  async function open(path: string, prepare?: (context: BrowserContext) => Promise<unknown>) {
    const { siteKey, origin } = await newSite(path);
    const context = await newContext();
    await prepare?.(context);
    // Chromium asks before handing tel: over to another app; the hand-off is cancelled after the page (and lt.js) saw the click.
    await context.addInitScript(() =>
      addEventListener('click', (event) => {
        if ((event.target as Element).closest('a[href^="tel:"]')) event.preventDefault();
      }),
    );
    const page = await context.newPage();
    const formsRequests: string[] = [];
    page.on('request', (request) => new URL(request.url()).pathname === '/lt-forms.js' && formsRequests.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${origin}${path}`);
    await tagLoaded(page);
    return { page, siteKey, origin, formsRequests, errors };
  }

  /** The popup's quote form: opened, an email typed (one input event, as a paste or autofill makes) and sent at once with Enter. */
  async function sendPopupForm(page: Page, email: string): Promise<void> {
    await page.click('#ask');
    await page.fill('[name=email]', email);
    await page.press('[name=email]', 'Enter');
    await page.waitForSelector('text=Thanks! We will send the quote today.');
  }

  it('is never downloaded by pages without a form, whatever the visitor does there', async () => {
    const { page, siteKey, origin, formsRequests } = await open('/popup.html');
    await page.mouse.wheel(0, 300);
    await page.click('h1');
    await page.click('#call');
    await page.goto(`${origin}/thanks.html`);
    const events = await leaveAndRead(page, siteKey, origin);
    // The scroll and the click also make an engagement report.
    expect(events.map((event) => event.type).filter((type) => type !== 'engagement')).toEqual(['pageview', 'chat_open', 'pageview', 'pageview', 'track']);
    expect(formsRequests).toEqual([]);
  });

  it('is downloaded, from where lt.js came, once a form appears; a submit right after the first input counts', async () => {
    const { page, siteKey, origin, formsRequests } = await open('/popup.html');
    expect(formsRequests).toEqual([]);
    await sendPopupForm(page, 'ana.souza@importadora.com.br');
    expect(formsRequests).toEqual([`${collector().url}/lt-forms.js`]);

    const events = await leaveAndRead(page, siteKey, origin);
    expect(events.filter((event) => event.type === 'form_start')).toEqual([expect.objectContaining({ form: 'popup-quote' })]);
    expect(formSubmits(events)).toEqual([
      expect.objectContaining({ form: 'popup-quote', provider: 'native', fields: { email: 'ana.souza@importadora.com.br', quantity: '200' } }),
    ]);
  });

  it('counts a submission made while it is still downloading', async () => {
    let arrive!: () => void;
    const held = new Promise<void>((resolve) => (arrive = resolve));
    const { page, siteKey, origin, formsRequests } = await open('/popup.html', (context) =>
      context.route('**/lt-forms.js', async (route) => {
        await held;
        await route.continue();
      }),
    );
    await sendPopupForm(page, 'li.wei@shenzhen-import.cn');
    expect(formsRequests).toHaveLength(1);
    expect(formSubmits(storedEvents(collector(), siteKey))).toEqual([]);

    arrive();
    // form_start, sent from the kept events once the file runs, shows the submit was handed over too.
    await eventually(() => storedEvents(collector(), siteKey).find((event) => event.type === 'form_start'), 'the stored form_start');
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formSubmits(events)).toEqual([
      expect.objectContaining({ form: 'popup-quote', fields: { email: 'li.wei@shenzhen-import.cn', quantity: '200' } }),
    ]);
  });

  it('fails harmlessly when it cannot be loaded: page views and chat are still recorded, no error reaches the page', async () => {
    const { page, siteKey, origin, formsRequests, errors } = await open('/popup.html', (context) =>
      context.route('**/lt-forms.js', (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' })),
    );
    await sendPopupForm(page, 'olena@kyiv-import.ua');
    await page.click('#call');
    const events = await leaveAndRead(page, siteKey, origin);
    expect(formsRequests).toHaveLength(1);
    expect(events.map((event) => event.type).filter((type) => type !== 'engagement')).toEqual(['pageview', 'chat_open', 'pageview', 'track']);
    expect(errors).toEqual([]);
  });
});
