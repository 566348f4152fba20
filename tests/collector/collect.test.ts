import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inboxDirectory, listSegments, segmentFile } from '../../collector/ingest/inbox-files.js';
import { BASE_TIME, MINUTE, batch, formSubmit, pageview } from '../helpers/batches.js';
import { createTestCollector, type TestCollector } from '../helpers/collector.js';
import { DESKTOP_CHROME_USER_AGENT } from '../helpers/browser.js';

const ORIGIN = 'https://www.acme-valves.com';

describe('POST /collect', () => {
  let collector: TestCollector;
  let siteKey: string;

  beforeEach(async () => {
    collector = await createTestCollector();
    siteKey = (await collector.repositories.sites.createSite({ name: 'Acme Valves', domains: ['acme-valves.com'] })).key;
  });
  afterEach(() => collector.close());

  /** Sends a body as the snippet does; resolves once what was accepted is stitched into its trail. */
  const send = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await sendUnsettled(body, headers);
    await collector.app.ingest.settled();
    return response;
  };
  const sendUnsettled = (body: unknown, headers: Record<string, string> = {}) =>
    collector.app.inject({
      method: 'POST',
      url: '/collect',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, 'user-agent': DESKTOP_CHROME_USER_AGENT, ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const countEvents = () => collector.database.prepare('SELECT count(*) FROM events').pluck().get() as number;
  /** Everything the inbox folder holds, stitched or not. */
  const inboxText = () => {
    const directory = inboxDirectory(collector.databaseFile);
    return listSegments(directory).map((segment) => readFileSync(segmentFile(directory, segment), 'utf8')).join('');
  };

  it('stores a text/plain beacon batch: committed when answered 204, in its trail a moment later', async () => {
    const response = await sendUnsettled(batch(siteKey, 'visitor-0001', [pageview(BASE_TIME, `${ORIGIN}/valves`, { title: 'Valves' })]));
    expect(response.statusCode).toBe(204);
    // At the 204 the batch is on disk in the inbox; stitching into events follows.
    expect(inboxText()).toContain('"visitor":"visitor-0001"');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    await collector.app.ingest.settled();
    expect(countEvents()).toBe(1);
  });

  it('accepts application/json from a server-side sender without an Origin header', async () => {
    const body = batch(siteKey, 'server-side-01', [pageview(BASE_TIME, `${ORIGIN}/`)]);
    const response = await collector.app.inject({ method: 'POST', url: '/collect', headers: { 'user-agent': DESKTOP_CHROME_USER_AGENT }, payload: body });
    expect(response.statusCode).toBe(204);
    await collector.app.ingest.settled();
    expect(countEvents()).toBe(1);
  });

  it('stores a pretty-printed body with line breaks and non-ASCII text exactly as sent', async () => {
    const title = 'Кран шаровой — 不锈钢球阀\u2028DN50 😀';
    // A visitor id as long as the snippet's: the compiled schema check passes it without zod.
    const body = batch(siteKey, 'visitor-pretty-00001', [formSubmit(BASE_TIME, `${ORIGIN}/contact`, { email: 'li@example.cn', message: 'Line one\nLine two\r\n价格?' }), pageview(BASE_TIME + 1, `${ORIGIN}/valves`, { title })]);
    expect((await send(JSON.stringify(body, null, 2).replace(/\n/g, '\r\n'))).statusCode).toBe(204);
    expect(countEvents()).toBe(2);
    // Each record stays one line of the inbox.
    expect(inboxText().trimEnd().split('\n')).toHaveLength(1);
    const formData = JSON.parse(collector.database.prepare("SELECT data FROM events WHERE type = 'form_submit'").pluck().get() as string);
    expect(formData.fields.message).toBe('Line one\nLine two\r\n价格?');
    expect(collector.database.prepare('SELECT title FROM urls WHERE url = ?').pluck().get(`${ORIGIN}/valves`)).toBe(title);
  });

  it('stores a re-sent event once and answers the re-sent batch 204 like the first', async () => {
    const body = batch(siteKey, 'visitor-0001', [pageview(BASE_TIME, `${ORIGIN}/`), pageview(BASE_TIME + MINUTE, `${ORIGIN}/contact`)]);
    expect((await send(body)).statusCode).toBe(204);
    expect((await send(body)).statusCode).toBe(204);
    expect(countEvents()).toBe(2);
  });

  it('stores every event of concurrent batches, committed together', async () => {
    const bodies = Array.from({ length: 40 }, (_, index) => batch(siteKey, `visitor-${String(index).padStart(4, '0')}`, [pageview(BASE_TIME, `${ORIGIN}/p${index}`)]));
    const responses = await Promise.all(bodies.map((body) => send(body)));
    expect(responses.map((response) => response.statusCode)).toEqual(bodies.map(() => 204));
    expect(countEvents()).toBe(40);
  });

  it('accepts the site domain itself, www. and any subdomain as Origin', async () => {
    for (const origin of ['https://acme-valves.com', 'https://www.acme-valves.com', 'https://shop.eu.acme-valves.com:8443']) {
      const response = await send(batch(siteKey, 'visitor-0002', [pageview(BASE_TIME, `${origin}/`)]), { origin });
      expect(response.statusCode, origin).toBe(204);
    }
  });

  it('corrects client clock skew with ts + received_at - sent_at', async () => {
    const threeHours = 3 * 60 * MINUTE;
    await send(batch(siteKey, 'visitor-skewed', [pageview(BASE_TIME, `${ORIGIN}/`)], { clockSkew: threeHours }));
    const stored = collector.database.prepare('SELECT ts FROM events').pluck().get() as number;
    expect(Math.abs(stored - BASE_TIME)).toBeLessThan(5000);
  });

  it('stores a server-side send whatever its user agent: it relays a visitor, it is not one', async () => {
    const body = batch(siteKey, 'relayed-visitor', [pageview(BASE_TIME, `${ORIGIN}/`)]);
    const response = await collector.app.inject({ method: 'POST', url: '/collect', headers: { 'content-type': 'application/json', 'user-agent': 'node' }, payload: body });
    expect(response.statusCode).toBe(204);
    await collector.app.ingest.settled();
    expect(countEvents()).toBe(1);
  });

  it('stores the visitor\'s country and network from X-Forwarded-For of the local proxy, the address truncated', async () => {
    await send(batch(siteKey, 'visitor-berlin', [pageview(BASE_TIME, `${ORIGIN}/`)]), { 'x-forwarded-for': '80.156.1.77' });
    const visitor = collector.database.prepare('SELECT ip, ip_country, asn, organisation FROM visitors').get();
    expect(visitor).toEqual({ ip: '80.156.1.0', ip_country: 'DE', asn: 3320, organisation: 'Deutsche Telekom AG' });
  });

  it('acknowledges bots and prefetches with 204 but stores nothing', async () => {
    const body = batch(siteKey, 'visitor-bot-01', [pageview(BASE_TIME, `${ORIGIN}/`)]);
    expect((await send(body, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' })).statusCode).toBe(204);
    expect((await send(body, { 'user-agent': 'Mozilla/5.0 HeadlessChrome/131.0.0.0 Safari/537.36' })).statusCode).toBe(204);
    expect((await send(body, { 'sec-purpose': 'prefetch' })).statusCode).toBe(204);
    expect(countEvents()).toBe(0);
  });

  describe('bad input', () => {
    it('answers broken JSON with 400 and a message', async () => {
      const response = await send('{"site": "abc", "events": [');
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatch(/JSON/);
    });

    it('answers a batch with one invalid event with 400 naming it, and stores none of the batch', async () => {
      const valid = pageview(BASE_TIME, `${ORIGIN}/`);
      const invalid = { id: 'e2', type: 'pageview', ts: 'yesterday', url: `${ORIGIN}/` };
      const response = await send({ ...batch(siteKey, 'visitor-0003', [valid]), events: [valid, invalid] });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'invalid batch', details: [{ path: 'events.1.ts' }] });
      expect(countEvents()).toBe(0);
    });

    it('answers an unknown event type, a missing visitor and an empty batch with 400', async () => {
      const base = batch(siteKey, 'visitor-0004', [pageview(BASE_TIME, `${ORIGIN}/`)]);
      for (const body of [
        { ...base, events: [{ id: 'x', type: 'purchase', ts: BASE_TIME, url: ORIGIN }] },
        { ...base, visitor: undefined },
        { ...base, events: [] },
        [base],
        'null',
      ]) {
        expect((await send(body)).statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      }
      expect(countEvents()).toBe(0);
    });

    it('ignores unknown extra fields instead of rejecting them', async () => {
      const body = { ...batch(siteKey, 'visitor-0005', [{ ...pageview(BASE_TIME, `${ORIGIN}/`), plugin_version: 3 } as never]), extra: true };
      expect((await send(body)).statusCode).toBe(204);
      expect(countEvents()).toBe(1);
    });

    it('answers events claiming to be later than sent_at, or older than 30 days, with 400', async () => {
      const future = { ...batch(siteKey, 'visitor-0006', [pageview(BASE_TIME, `${ORIGIN}/`)]), sent_at: BASE_TIME - 10 * MINUTE };
      expect((await send(future)).statusCode).toBe(400);
      const ancient = batch(siteKey, 'visitor-0006', [pageview(Date.now() - 40 * 24 * 60 * MINUTE, `${ORIGIN}/`)]);
      expect((await send(ancient)).statusCode).toBe(400);
      expect(countEvents()).toBe(0);
    });

    it('answers an unknown site with 403', async () => {
      const response = await send(batch('no-such-site', 'visitor-0007', [pageview(BASE_TIME, `${ORIGIN}/`)]));
      expect(response.statusCode).toBe(403);
      expect(response.json().error).toBe('unknown site');
    });

    it('answers an Origin outside the site\'s domains with 403', async () => {
      for (const origin of ['https://evil.example', 'https://acme-valves.com.evil.example', 'https://notacme-valves.com', 'null']) {
        const response = await send(batch(siteKey, 'visitor-0008', [pageview(BASE_TIME, `${ORIGIN}/`)]), { origin });
        expect(response.statusCode, origin).toBe(403);
      }
      expect(countEvents()).toBe(0);
    });

    it('answers a batch with an event over 32 KB with 400 naming it, and stores none of the batch', async () => {
      const fields = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`field_${index}`, 'x'.repeat(4500)]));
      const body = batch(siteKey, 'visitor-0011', [pageview(BASE_TIME, `${ORIGIN}/`), formSubmit(BASE_TIME, `${ORIGIN}/contact`, fields)]);
      const response = await send(body);
      expect(response.statusCode).toBe(400);
      expect(response.json().details).toEqual([{ path: 'events.1', message: 'event is longer than 32768 characters of JSON' }]);
      expect(countEvents()).toBe(0);
    });

    it('counts the event limit in characters: an inquiry in Chinese as long as one in English is stored, at three times the bytes', async () => {
      const fields = Object.fromEntries(Array.from({ length: 6 }, (_, index) => [`field_${index}`, '我们需要不锈钢球阀'.repeat(500)]));
      const body = batch(siteKey, 'visitor-0012', [formSubmit(BASE_TIME, `${ORIGIN}/contact`, fields)]);
      const eventJson = JSON.stringify(body.events[0]);
      expect(eventJson.length).toBeLessThan(32 * 1024);
      expect(Buffer.byteLength(eventJson)).toBeGreaterThan(64 * 1024);
      expect((await send(body)).statusCode).toBe(204);
      expect(countEvents()).toBe(1);
    });

    it('answers a body over 500 KB with 413', async () => {
      const huge = formSubmit(BASE_TIME, `${ORIGIN}/contact`, { message: 'x'.repeat(4000) });
      const body = batch(siteKey, 'visitor-0009', Array.from({ length: 100 }, () => ({ ...huge, id: crypto.randomUUID() })));
      const oversized = JSON.stringify(body) + ' '.repeat(520 * 1024 - JSON.stringify(body).length);
      const response = await send(oversized);
      expect(response.statusCode).toBe(413);
      expect(response.json().error).toMatch(/too large/);
    });

    it('keeps answering normally after broken JSON, an unknown site and an oversized body', async () => {
      await send('{{{');
      await send(batch('nope', 'visitor-0010', [pageview(BASE_TIME, `${ORIGIN}/`)]));
      await send('x'.repeat(600 * 1024));
      expect((await send(batch(siteKey, 'visitor-0010', [pageview(BASE_TIME, `${ORIGIN}/`)]))).statusCode).toBe(204);
      expect((await collector.app.inject({ url: '/lt.js' })).statusCode).toBe(200);
    });
  });
});
