/** Enrichment at ingest (SPEC §5): device from real user agents, bots, and the shipped IP databases. */
import { describe, expect, it } from 'vitest';
import { describeDevice, isAutomatedRequest, type RequestFacts } from '../../collector/ingest/enrich.js';
import { lookupNetwork, storableIp } from '../../collector/ingest/network.js';
import { DESKTOP_CHROME_USER_AGENT } from '../helpers/browser.js';

const fromPage = (userAgent: string | undefined, extra: Partial<RequestFacts> = {}): RequestFacts => ({ userAgent, ip: '127.0.0.1', purpose: undefined, fromPage: true, ...extra });

describe('describeDevice', () => {
  it.each([
    [DESKTOP_CHROME_USER_AGENT, { browser: 'Chrome', os: 'Windows', device: 'desktop' }],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', { browser: 'Safari', os: 'iOS', device: 'mobile' }],
    ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36', { browser: 'Chrome', os: 'Android', device: 'mobile' }],
    ['Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1', { browser: 'Safari', os: 'iOS', device: 'tablet' }],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:132.0) Gecko/20100101 Firefox/132.0', { browser: 'Firefox', os: 'macOS', device: 'desktop' }],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70', { browser: 'Microsoft Edge', os: 'Windows', device: 'desktop' }],
    ['Mozilla/5.0 (Linux; Android 13; V2219 Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20240301 MMWEBID/2130 MicroMessenger/8.0.48.2580(0x28003036) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64', { browser: 'WeChat', os: 'Android', device: 'mobile' }],
  ])('reads %s', (userAgent, expected) => {
    expect(describeDevice(fromPage(userAgent), 'truncated')).toMatchObject(expected);
  });

  it('looks up country and network on the full address before storing it truncated', () => {
    expect(describeDevice(fromPage(DESKTOP_CHROME_USER_AGENT, { ip: '80.156.1.77' }), 'truncated')).toMatchObject({
      ip: '80.156.1.0',
      ipCountry: 'DE',
      asn: 3320,
      organisation: 'Deutsche Telekom AG',
    });
  });
});

describe('isAutomatedRequest', () => {
  it.each([
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
    'curl/8.5.0',
  ])('drops %s from a page', (userAgent) => {
    expect(isAutomatedRequest(fromPage(userAgent))).toBe(true);
  });

  it('drops a page request without a user agent, and prefetches', () => {
    expect(isAutomatedRequest(fromPage(undefined))).toBe(true);
    expect(isAutomatedRequest(fromPage(DESKTOP_CHROME_USER_AGENT, { purpose: 'prefetch;prerender' }))).toBe(true);
  });

  it('keeps people, and server-side sends whatever their user agent', () => {
    expect(isAutomatedRequest(fromPage(DESKTOP_CHROME_USER_AGENT))).toBe(false);
    expect(isAutomatedRequest({ ...fromPage('node'), fromPage: false })).toBe(false);
  });
});

describe('lookupNetwork (shipped DB-IP country and ASN databases)', () => {
  it.each([
    ['8.8.8.8', { country: 'US', asn: 15169, organisation: 'Google LLC' }],
    ['::ffff:8.8.8.8', { country: 'US', asn: 15169, organisation: 'Google LLC' }],
    ['80.156.1.1', { country: 'DE', asn: 3320, organisation: 'Deutsche Telekom AG' }],
    ['200.147.67.142', { country: 'BR', asn: 7162 }],
    ['2a00:1450:4001:80b::200e', { country: 'DE', asn: 15169, organisation: 'Google LLC' }],
  ])('places %s', (ip, expected) => {
    expect(lookupNetwork(ip)).toMatchObject(expected);
  });

  it.each(['127.0.0.1', '10.1.2.3', '2001:db8::1', 'not an address', ''])('knows nothing of %j', (ip) => {
    expect(lookupNetwork(ip)).toEqual({ country: null, asn: null, organisation: null });
  });
});

describe('storableIp (LEADTRAIL_IP_MODE)', () => {
  it.each([
    ['203.0.113.77', 'full', '203.0.113.77'],
    ['203.0.113.77', 'truncated', '203.0.113.0'],
    ['203.0.113.77', 'none', null],
    ['::ffff:203.0.113.77', 'truncated', '203.0.113.0'],
    ['2001:db8:abcd:12:34::1', 'truncated', '2001:db8:abcd::'],
    ['2001:db8:abcd:12:34::1', 'full', '2001:db8:abcd:12:34::1'],
    ['garbage', 'full', null],
  ] as const)('stores %s in %s mode as %s', (ip, mode, expected) => {
    expect(storableIp(ip, mode)).toBe(expected);
  });
});
