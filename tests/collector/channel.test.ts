import { describe, it, expect } from 'vitest';
import { attributeTouch, campaignKey, CHANNELS, type Channel, type Touch } from '../../collector/ingest/channel.js';

const siteDomains = ['acme-valves.com'];
const landing = 'https://www.acme-valves.com/products/ball-valves';

function touch(url: string, referrer?: string | null): Touch {
  return attributeTouch({ url, referrer, siteDomains });
}

function fromReferrer(referrer: string): Touch {
  return touch(landing, referrer);
}

function tagged(query: string, referrer?: string | null): Touch {
  return touch(`${landing}?${query}`, referrer);
}

type Expected = [channel: Channel, source: string | null, medium: string | null];

function summary(result: Touch): Expected {
  return [result.channel, result.source, result.medium];
}

describe('attributeTouch: B2B marketplaces', () => {
  it.each<[string, string]>([
    ['https://www.alibaba.com/product-detail/DN50-Ball-Valve_1600123456.html', 'alibaba.com'],
    ['https://m.alibaba.com/product/1600123456/ball-valve.html', 'alibaba.com'],
    ['https://message.alibaba.com/msgsend/contact.htm?action=contact_action', 'alibaba.com'],
    ['https://acmevalves.en.alibaba.com/productgrouplist-8123/Ball_Valves.html', 'alibaba.com'],
    ['https://detail.1688.com/offer/712345678901.html', '1688.com'],
    ['https://www.made-in-china.com/products-search/hot-china-products/Ball_Valve.html', 'made-in-china.com'],
    ['https://acmevalves.en.made-in-china.com/product/xyz/China-Ball-Valve.html', 'made-in-china.com'],
    ['https://www.globalsources.com/Ball-valve/stainless-1201234567p.htm', 'globalsources.com'],
    ['https://www.tradeindia.com/products/ball-valve-c123.html', 'tradeindia.com'],
    ['https://dir.indiamart.com/impcat/ball-valves.html', 'indiamart.com'],
    ['https://m.indiamart.com/proddetail/ball-valve-2345.html', 'indiamart.com'],
    ['https://www.exportersindia.com/acme-valves/', 'exportersindia.com'],
    ['https://www.ec21.com/product-details/Ball-Valve--123.html', 'ec21.com'],
    ['https://www.ecplaza.net/product/ball-valve-123', 'ecplaza.net'],
    ['https://www.tradekey.com/product_view/Ball-Valve-123.html', 'tradekey.com'],
    ['https://www.dhgate.com/product/ball-valve/123.html', 'dhgate.com'],
    ['https://sourcing.hktdc.com/en/Product-Detail/ball-valve/1X000000', 'hktdc.com'],
    ['https://www.europages.com/ACME-VALVES/00000004123-001.html', 'europages.com'],
    ['https://www.europages.co.uk/ACME-VALVES/00000004123-001.html', 'europages.com'],
    ['https://www.europages.de/ACME-VALVES/00000004123-001.html', 'europages.com'],
    ['https://www.europages.fr/ACME-VALVES/00000004123-001.html', 'europages.com'],
    ['https://www.europages.it/ACME-VALVES/00000004123-001.html', 'europages.com'],
    ['https://www.europages.es/ACME-VALVES/00000004123-001.html', 'europages.com'],
    ['https://www.thomasnet.com/profile/01234567/acme-valves.html', 'thomasnet.com'],
    ['https://www.go4worldbusiness.com/suppliers/acme-valves.html', 'go4worldbusiness.com'],
    ['https://de.kompass.com/c/acme-valves/cn012345/', 'kompass.com'],
    ['android-app://com.alibaba.intl.android.apps.poseidon/', 'alibaba.com'],
  ])('recognises the referrer %s as %s', (referrer, source) => {
    expect(summary(fromReferrer(referrer))).toEqual(['b2b_marketplace', source, 'referral']);
  });

  it.each<[string, string]>([
    ['alibaba', 'alibaba.com'],
    ['Alibaba.com', 'alibaba.com'],
    ['1688', '1688.com'],
    ['made-in-china', 'made-in-china.com'],
    ['madeinchina', 'made-in-china.com'],
    ['globalsources', 'globalsources.com'],
    ['tradeindia', 'tradeindia.com'],
    ['indiamart', 'indiamart.com'],
    ['exportersindia', 'exportersindia.com'],
    ['ec21', 'ec21.com'],
    ['ecplaza', 'ecplaza.net'],
    ['tradekey', 'tradekey.com'],
    ['dhgate', 'dhgate.com'],
    ['hktdc', 'hktdc.com'],
    ['europages', 'europages.com'],
    ['europages.de', 'europages.com'],
    ['thomasnet', 'thomasnet.com'],
    ['go4worldbusiness', 'go4worldbusiness.com'],
  ])('recognises utm_source=%s as %s and keeps the tagged medium', (utmSource, source) => {
    const result = tagged(`utm_source=${encodeURIComponent(utmSource)}&utm_medium=storefront&utm_campaign=Minisite`);
    expect(summary(result)).toEqual(['b2b_marketplace', source, 'storefront']);
    expect(result.campaign).toBe('Minisite');
  });

  it('infers the medium referral when utm_source names a marketplace alone', () => {
    expect(summary(tagged('utm_source=alibaba'))).toEqual(['b2b_marketplace', 'alibaba.com', 'referral']);
  });

  it('keeps a paid marketplace medium (Alibaba P4P) in the marketplace channel', () => {
    expect(summary(tagged('utm_source=alibaba&utm_medium=cpc'))).toEqual(['b2b_marketplace', 'alibaba.com', 'cpc']);
  });

  it('puts a marketplace referrer ahead of an ad click id', () => {
    expect(fromReferrer('https://www.alibaba.com/').channel).toBe('b2b_marketplace');
    expect(touch(`${landing}?gclid=Cj0KCQiA`, 'https://www.alibaba.com/').channel).toBe('b2b_marketplace');
  });

  it.each<[string, string]>([
    ['https://www.aliexpress.com/item/1005001234567890.html', 'aliexpress.com'],
    ['https://de.aliexpress.com/item/1005001234567890.html', 'de.aliexpress.com'],
  ])('treats AliExpress (B2C retail) as a referral: %s', (referrer, source) => {
    expect(summary(fromReferrer(referrer))).toEqual(['referral', source, 'referral']);
  });

  it('treats utm_source=aliexpress as a referral', () => {
    expect(summary(tagged('utm_source=aliexpress'))).toEqual(['referral', 'aliexpress', 'referral']);
  });
});

describe('attributeTouch: messaging apps', () => {
  it.each<[string, string]>([
    ['https://www.whatsapp.com/', 'whatsapp'],
    ['https://web.whatsapp.com/', 'whatsapp'],
    ['https://api.whatsapp.com/send?phone=8613800000000', 'whatsapp'],
    ['https://wa.me/8613800000000', 'whatsapp'],
    ['https://l.wl.co/l?u=https%3A%2F%2Fwww.acme-valves.com%2F', 'whatsapp'],
    ['https://wl.co/', 'whatsapp'],
    ['android-app://com.whatsapp/', 'whatsapp'],
    ['android-app://com.whatsapp.w4b/', 'whatsapp'],
    ['https://weixin.qq.com/', 'wechat'],
    ['https://mp.weixin.qq.com/s/AbCdEf123', 'wechat'],
    ['https://www.wechat.com/', 'wechat'],
    ['android-app://com.tencent.mm/', 'wechat'],
    ['https://t.me/acmevalves', 'telegram'],
    ['https://web.telegram.org/k/', 'telegram'],
    ['https://telegram.org/', 'telegram'],
    ['android-app://org.telegram.messenger/', 'telegram'],
    ['https://line.me/R/msg/text/', 'line'],
    ['https://lin.ee/abc123', 'line'],
    ['android-app://jp.naver.line.android/', 'line'],
    ['https://www.messenger.com/t/123', 'messenger'],
    ['https://l.messenger.com/l.php?u=https%3A%2F%2Fwww.acme-valves.com%2F', 'messenger'],
    ['https://m.me/acmevalves', 'messenger'],
    ['https://invite.viber.com/?g2=AQA', 'viber'],
    ['https://www.viber.com/', 'viber'],
    ['https://web.skype.com/', 'skype'],
    ['https://join.skype.com/invite/abc', 'skype'],
    ['https://chat.zalo.me/', 'zalo'],
    ['https://slack-redir.net/link?url=https%3A%2F%2Fwww.acme-valves.com', 'slack'],
    ['https://teams.microsoft.com/', 'teams'],
    ['https://discord.com/channels/1/2', 'discord'],
  ])('recognises the referrer %s as %s', (referrer, source) => {
    expect(summary(fromReferrer(referrer))).toEqual(['messaging', source, 'referral']);
  });

  it.each<[string, string]>([
    ['whatsapp', 'whatsapp'],
    ['WhatsApp', 'whatsapp'],
    ['wa', 'whatsapp'],
    ['wa.me', 'whatsapp'],
    ['wechat', 'wechat'],
    ['weixin', 'wechat'],
    ['telegram', 'telegram'],
    ['line', 'line'],
    ['messenger', 'messenger'],
    ['viber', 'viber'],
    ['skype', 'skype'],
    ['sms', 'sms'],
  ])('recognises utm_source=%s as %s', (utmSource, source) => {
    expect(summary(tagged(`utm_source=${utmSource}&utm_medium=chat&utm_campaign=catalogue`))).toEqual([
      'messaging', source, 'chat',
    ]);
  });

  it('files utm_medium=sms from an SMS gateway under messaging', () => {
    expect(summary(tagged('utm_source=twilio&utm_medium=sms'))).toEqual(['messaging', 'twilio', 'sms']);
  });

  it('puts a WhatsApp referrer ahead of ad tags copied into a shared link', () => {
    const result = touch(`${landing}?utm_source=google&utm_medium=cpc&gclid=Cj0KCQiA`, 'https://l.wl.co/');
    expect(summary(result)).toEqual(['messaging', 'whatsapp', 'cpc']);
    expect(result.clickIds).toEqual({ gclid: 'Cj0KCQiA' });
  });
});

describe('attributeTouch: ad click ids', () => {
  it.each<[string, Expected]>([
    ['gclid=Cj0KCQiAhbi8BhDIARIsAJLOlud', ['paid_search', 'google', 'cpc']],
    ['gbraid=0AAAAADq3z1gHxYpZ', ['paid_search', 'google', 'cpc']],
    ['wbraid=CkEKCAiA_5y8BhBnEjEAK', ['paid_search', 'google', 'cpc']],
    ['msclkid=4f3c1a2b9d8e7f6a5b4c3d2e1f0a9b8c', ['paid_search', 'bing', 'cpc']],
    ['li_fat_id=8c1b2a3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d', ['paid_social', 'linkedin', 'cpc']],
    ['ttclid=E.C.P.CqgBQ3Zv', ['paid_social', 'tiktok', 'cpc']],
  ])('classifies ?%s', (query, expected) => {
    expect(summary(touch(`${landing}?${query}`, 'https://www.google.com/'))).toEqual(expected);
  });

  it('keeps the click id and prefers the advertiser\'s UTM over the defaults', () => {
    const result = tagged('utm_source=google&utm_medium=ppc&utm_campaign=EU_Valves_Brand&utm_term=ball+valve&gclid=abc123');
    expect(summary(result)).toEqual(['paid_search', 'google', 'ppc']);
    expect(result).toMatchObject({ campaign: 'EU_Valves_Brand', term: 'ball valve', clickIds: { gclid: 'abc123' } });
  });

  it('files a Google Ads click tagged as YouTube under paid social', () => {
    expect(summary(tagged('utm_source=youtube&gclid=abc123'))).toEqual(['paid_social', 'youtube', 'cpc']);
  });

  it('stays paid even when the landing page is reached from the site itself', () => {
    expect(touch(`${landing}?gclid=abc123`, 'https://www.acme-valves.com/').channel).toBe('paid_search');
  });
});

describe('attributeTouch: paid UTM mediums', () => {
  it.each<[string, Expected]>([
    ['utm_source=facebook&utm_medium=paid_social&utm_campaign=valves_q3', ['paid_social', 'facebook', 'paid_social']],
    ['utm_source=facebook&utm_medium=cpc', ['paid_social', 'facebook', 'cpc']],
    ['utm_source=fb&utm_medium=paid', ['paid_social', 'facebook', 'paid']],
    ['utm_source=instagram&utm_medium=cpm', ['paid_social', 'instagram', 'cpm']],
    ['utm_source=linkedin&utm_medium=ppc', ['paid_social', 'linkedin', 'ppc']],
    ['utm_source=partner-network&utm_medium=paidsocial', ['paid_social', 'partner-network', 'paidsocial']],
    ['utm_source=google&utm_medium=cpc', ['paid_search', 'google', 'cpc']],
    ['utm_source=bing&utm_medium=cpc', ['paid_search', 'bing', 'cpc']],
    ['utm_source=baidu&utm_medium=cpc', ['paid_search', 'baidu', 'cpc']],
    ['utm_source=yandex&utm_medium=cpc', ['paid_search', 'yandex', 'cpc']],
    ['utm_source=google&utm_medium=retargeting', ['paid_search', 'google', 'retargeting']],
    ['utm_source=google&utm_medium=display', ['paid_search', 'google', 'display']],
    ['utm_source=adwords&utm_medium=cpc', ['paid_search', 'adwords', 'cpc']],
  ])('classifies ?%s', (query, expected) => {
    expect(summary(tagged(query))).toEqual(expected);
  });
});

describe('attributeTouch: Facebook click id without UTM', () => {
  it('is organic social, not paid: Facebook adds fbclid to organic links too', () => {
    expect(summary(touch(`${landing}?fbclid=IwAR2xYz`, 'https://l.facebook.com/'))).toEqual(['organic_social', 'facebook', 'social']);
    expect(summary(touch(`${landing}?fbclid=IwAR2xYz`))).toEqual(['organic_social', 'facebook', 'social']);
  });

  it('names Instagram when the referrer says so', () => {
    expect(summary(touch(`${landing}?fbclid=PAZXh0bgNhZW0`, 'https://l.instagram.com/'))).toEqual([
      'organic_social', 'instagram', 'social',
    ]);
  });

  it('is paid social when the UTM says paid', () => {
    expect(summary(tagged('utm_source=facebook&utm_medium=paid_social&fbclid=IwAR2xYz'))).toEqual([
      'paid_social', 'facebook', 'paid_social',
    ]);
  });
});

describe('attributeTouch: organic search referrers', () => {
  it.each<[string, string]>([
    ['https://www.google.com/', 'google'],
    ['https://www.google.co.uk/', 'google'],
    ['https://www.google.de/', 'google'],
    ['https://www.google.com.br/', 'google'],
    ['https://www.google.co.jp/', 'google'],
    ['https://www.google.com.hk/', 'google'],
    ['https://www.google.co.in/', 'google'],
    ['https://google.com.tr/', 'google'],
    ['https://news.google.com/', 'google'],
    ['android-app://com.google.android.googlequicksearchbox/', 'google'],
    ['https://www.bing.com/', 'bing'],
    ['https://cn.bing.com/', 'bing'],
    ['https://www.baidu.com/link?url=abc', 'baidu'],
    ['https://m.baidu.com/', 'baidu'],
    ['https://yandex.ru/', 'yandex'],
    ['https://yandex.com.tr/', 'yandex'],
    ['https://yandex.kz/', 'yandex'],
    ['https://ya.ru/', 'yandex'],
    ['https://search.naver.com/search.naver?query=valve', 'naver'],
    ['https://m.search.naver.com/', 'naver'],
    ['https://duckduckgo.com/', 'duckduckgo'],
    ['https://search.yahoo.com/', 'yahoo'],
    ['https://uk.search.yahoo.com/', 'yahoo'],
    ['https://search.yahoo.co.jp/', 'yahoo'],
    ['https://www.ecosia.org/', 'ecosia'],
    ['https://search.seznam.cz/', 'seznam'],
    ['https://www.sogou.com/', 'sogou'],
    ['https://www.so.com/', '360'],
    ['https://m.sm.cn/', 'shenma'],
    ['https://www.qwant.com/', 'qwant'],
    ['https://www.startpage.com/', 'startpage'],
    ['https://search.brave.com/', 'brave'],
    ['https://search.daum.net/', 'daum'],
    ['https://www.ask.com/', 'ask'],
    ['https://search.aol.com/', 'aol'],
    ['https://coccoc.com/search', 'coccoc'],
    ['https://www.petalsearch.com/', 'petal'],
    ['https://go.mail.ru/', 'go.mail.ru'],
  ])('recognises %s as %s', (referrer, source) => {
    expect(summary(fromReferrer(referrer))).toEqual(['organic_search', source, 'organic']);
  });

  it.each(['https://google.evil-example.com/', 'https://evilgoogle.com/', 'https://google.com.evil.io/'])(
    'does not take the look-alike %s for Google',
    (referrer) => {
      expect(fromReferrer(referrer).channel).toBe('referral');
    },
  );

  it('treats Google products that are not search as referrals', () => {
    expect(summary(fromReferrer('https://docs.google.com/document/d/1abc/edit'))).toEqual(['referral', 'docs.google.com', 'referral']);
  });
});

describe('attributeTouch: organic social referrers', () => {
  it.each<[string, string]>([
    ['https://www.facebook.com/', 'facebook'],
    ['https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.acme-valves.com%2F', 'facebook'],
    ['https://lm.facebook.com/', 'facebook'],
    ['https://m.facebook.com/', 'facebook'],
    ['android-app://com.facebook.katana/', 'facebook'],
    ['https://www.instagram.com/', 'instagram'],
    ['https://l.instagram.com/', 'instagram'],
    ['https://www.linkedin.com/feed/', 'linkedin'],
    ['https://lnkd.in/dXyZ123', 'linkedin'],
    ['android-app://com.linkedin.android/', 'linkedin'],
    ['https://t.co/AbCdEf', 'twitter'],
    ['https://x.com/acmevalves', 'twitter'],
    ['https://twitter.com/', 'twitter'],
    ['https://www.youtube.com/', 'youtube'],
    ['https://m.youtube.com/', 'youtube'],
    ['https://youtu.be/dQw4w9WgXcQ', 'youtube'],
    ['https://www.tiktok.com/', 'tiktok'],
    ['https://www.pinterest.com/', 'pinterest'],
    ['https://www.pinterest.co.uk/', 'pinterest'],
    ['https://de.pinterest.com/', 'pinterest'],
    ['https://www.reddit.com/r/engineering/', 'reddit'],
    ['https://old.reddit.com/', 'reddit'],
    ['https://vk.com/away.php', 'vk'],
    ['https://weibo.com/', 'weibo'],
    ['https://www.douyin.com/', 'douyin'],
    ['https://www.xiaohongshu.com/explore', 'xiaohongshu'],
    ['https://www.quora.com/', 'quora'],
    ['https://www.tumblr.com/', 'tumblr'],
    ['https://www.snapchat.com/', 'snapchat'],
    ['https://www.threads.net/', 'threads'],
    ['https://bsky.app/', 'bluesky'],
    ['https://www.zhihu.com/', 'zhihu'],
    ['https://www.xing.com/', 'xing'],
    ['https://vimeo.com/123', 'vimeo'],
    ['https://blog.naver.com/acme', 'blog.naver.com'],
    ['https://groups.google.com/g/valves', 'groups.google.com'],
    ['https://acme.blogspot.com/', 'blogger'],
  ])('recognises %s as %s', (referrer, source) => {
    expect(summary(fromReferrer(referrer))).toEqual(['organic_social', source, 'social']);
  });
});

describe('attributeTouch: organic UTM mediums', () => {
  it.each<[string, Expected]>([
    ['utm_source=google&utm_medium=organic&utm_campaign=gbp', ['organic_search', 'google', 'organic']],
    ['utm_source=directory-x&utm_medium=organic', ['organic_search', 'directory-x', 'organic']],
    ['utm_source=google', ['organic_search', 'google', 'organic']],
    ['utm_source=linkedin&utm_medium=social', ['organic_social', 'linkedin', 'social']],
    ['utm_source=LinkedIn&utm_medium=Social-Network', ['organic_social', 'linkedin', 'social-network']],
    ['utm_source=company-page&utm_medium=sm', ['organic_social', 'company-page', 'sm']],
    ['utm_source=facebook', ['organic_social', 'facebook', 'social']],
    ['utm_source=m.facebook.com', ['organic_social', 'facebook', 'social']],
    ['utm_source=facebook&utm_medium=organic', ['organic_social', 'facebook', 'organic']],
    ['utm_source=partner.example&utm_medium=referral', ['referral', 'partner.example', 'referral']],
    ['utm_source=trade-fair-app', ['referral', 'trade-fair-app', 'referral']],
    ['utm_source=awin&utm_medium=affiliate', ['referral', 'awin', 'affiliate']],
  ])('classifies ?%s', (query, expected) => {
    expect(summary(tagged(query))).toEqual(expected);
  });

  it('takes the source from the referrer when the UTM names only a medium', () => {
    expect(summary(tagged('utm_medium=social', 'https://www.linkedin.com/'))).toEqual(['organic_social', 'linkedin', 'social']);
    expect(summary(tagged('utm_medium=referral', 'https://www.valve-world.net/'))).toEqual(['referral', 'valve-world.net', 'referral']);
  });

  it('lets UTM tags outrank the referrer', () => {
    expect(summary(tagged('utm_source=partner&utm_medium=banner', 'https://www.google.com/'))).toEqual([
      'paid_search', 'partner', 'banner',
    ]);
  });
});

describe('attributeTouch: email', () => {
  it.each<[string, Expected]>([
    ['utm_source=newsletter&utm_medium=email&utm_campaign=2024-09', ['email', 'newsletter', 'email']],
    ['utm_source=crm&utm_medium=e-mail', ['email', 'crm', 'e-mail']],
    ['utm_source=crm&utm_medium=e_mail', ['email', 'crm', 'e_mail']],
    ['utm_source=crm&utm_medium=e+mail', ['email', 'crm', 'e mail']],
    ['utm_source=crm&utm_medium=EMAIL', ['email', 'crm', 'email']],
    ['utm_source=hubspot&utm_medium=newsletter', ['email', 'hubspot', 'newsletter']],
    ['utm_source=exhibitor&utm_medium=edm', ['email', 'exhibitor', 'edm']],
    ['utm_source=newsletter', ['email', 'newsletter', 'email']],
    ['utm_source=weekly_newsletter&utm_campaign=w37', ['email', 'weekly_newsletter', 'email']],
    ['utm_source=sales-email-signature', ['email', 'sales-email-signature', 'email']],
    ['utm_source=mailchimp&utm_medium=campaign', ['email', 'mailchimp', 'campaign']],
    ['utm_source=facebook&utm_medium=email', ['email', 'facebook', 'email']],
  ])('classifies ?%s', (query, expected) => {
    expect(summary(tagged(query))).toEqual(expected);
  });

  it.each<[string, string]>([
    ['https://mail.google.com/', 'gmail'],
    ['android-app://com.google.android.gm/', 'gmail'],
    ['https://outlook.live.com/', 'outlook'],
    ['https://outlook.office.com/mail/inbox', 'outlook'],
    ['https://outlook.office365.com/', 'outlook'],
    ['android-app://com.microsoft.office.outlook/', 'outlook'],
    ['https://mail.yahoo.com/', 'yahoo-mail'],
    ['https://mail.yahoo.co.jp/', 'yahoo-mail'],
    ['https://mail.qq.com/cgi-bin/frame_html', 'qq-mail'],
    ['https://exmail.qq.com/', 'qq-mail'],
    ['https://mail.163.com/', 'netease-mail'],
    ['https://mail.126.com/', 'netease-mail'],
    ['https://mail.yandex.ru/', 'yandex-mail'],
    ['https://e.mail.ru/inbox/', 'mail.ru'],
    ['https://mail.zoho.com/', 'zoho-mail'],
    ['https://mail.zoho.eu/', 'zoho-mail'],
    ['https://navigator.gmx.net/', 'gmx'],
    ['https://webmail.buyer-company.de/', 'webmail.buyer-company.de'],
    ['https://owa.buyer-company.com/owa/', 'owa.buyer-company.com'],
  ])('recognises the webmail referrer %s as %s', (referrer, source) => {
    expect(summary(fromReferrer(referrer))).toEqual(['email', source, 'email']);
  });
});

describe('attributeTouch: direct and self-referrals', () => {
  it.each<[string, string | null | undefined]>([
    ['no referrer', undefined],
    ['a null referrer', null],
    ['an empty referrer', ''],
    ['the site under www.', 'https://www.acme-valves.com/about'],
    ['the bare site domain', 'https://acme-valves.com/'],
    ['a subdomain of the site', 'https://shop.acme-valves.com/cart'],
    ['the landing page\'s own host', 'https://www.acme-valves.com/products'],
  ])('is direct with %s', (_label, referrer) => {
    expect(summary(touch(landing, referrer))).toEqual(['direct', null, null]);
  });

  it('counts the landing host as the site even when it is missing from siteDomains', () => {
    const result = attributeTouch({ url: 'https://staging.example.org/x', referrer: 'https://staging.example.org/', siteDomains: [] });
    expect(result.channel).toBe('direct');
  });

  it('keeps a bare utm_campaign on a direct visit', () => {
    expect(tagged('utm_campaign=trade-fair-qr')).toMatchObject({ channel: 'direct', source: null, campaign: 'trade-fair-qr' });
  });

  it('lets UTM tags on an internal link win over the self-referral', () => {
    expect(summary(tagged('utm_source=newsletter&utm_medium=email', 'https://www.acme-valves.com/'))).toEqual([
      'email', 'newsletter', 'email',
    ]);
  });
});

describe('attributeTouch: referrals', () => {
  it.each<[string, string]>([
    ['https://www.valve-world.net/suppliers/ball-valves', 'valve-world.net'],
    ['https://engineering.example.edu/resources', 'engineering.example.edu'],
    ['https://chatgpt.com/', 'chatgpt.com'],
    ['android-app://com.example.catalogue/', 'com.example.catalogue'],
  ])('files %s as a referral from %s', (referrer, source) => {
    expect(summary(fromReferrer(referrer))).toEqual(['referral', source, 'referral']);
  });
});

describe('attributeTouch: values', () => {
  it('trims UTM values, lower-cases source and medium, keeps campaign, term and content as given', () => {
    const result = tagged(
      'utm_source=%20Newsletter%20&utm_medium=%20Email&utm_campaign=%20Spring_Expo%202024%20&utm_term=Ball%20Valve&utm_content=Hero_CTA',
    );
    expect(result).toEqual({
      channel: 'email',
      source: 'newsletter',
      medium: 'email',
      campaign: 'Spring_Expo 2024',
      term: 'Ball Valve',
      content: 'Hero_CTA',
      clickIds: {},
    });
  });

  it('reads parameter names without regard to case and ignores empty values', () => {
    const result = tagged('UTM_Source=&utm_source=LinkedIn&UTM_MEDIUM=Social&GCLID=');
    expect(summary(result)).toEqual(['organic_social', 'linkedin', 'social']);
    expect(result.clickIds).toEqual({});
  });

  it('returns every click id present', () => {
    expect(tagged('gclid=g1&fbclid=f1&msclkid=m1').clickIds).toEqual({ gclid: 'g1', fbclid: 'f1', msclkid: 'm1' });
  });

  it('bounds every string to 256 characters', () => {
    const long = 'x'.repeat(5000);
    const result = tagged(
      `utm_source=${long}&utm_medium=${long}&utm_campaign=${long}&utm_term=${long}&utm_content=${long}&gclid=${long}`,
    );
    for (const value of [result.source, result.medium, result.campaign, result.term, result.content, result.clickIds.gclid]) {
      expect(value).toHaveLength(256);
    }
    const host = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example`;
    expect(fromReferrer(`https://${host}/`).source!.length).toBeLessThanOrEqual(256);
  });

  it('does not cut an emoji in half at the bound', () => {
    const result = tagged(`utm_campaign=${'x'.repeat(255)}${encodeURIComponent('😀')}`);
    expect(result.campaign).toBe('x'.repeat(255));
  });

  it('only ever returns known channels', () => {
    expect(CHANNELS).toContain(tagged('utm_source=a&utm_medium=b').channel);
  });
});

describe('attributeTouch: malformed input', () => {
  it.each<[string, string | null]>([
    ['', null],
    ['not a url', 'also not a url'],
    ['http://', 'http://'],
    ['://?utm_source=google', '://'],
    ['/products?utm_source=newsletter&utm_medium=email', '/'],
    ['https://exa mple.com/?utm_source=x', 'https://exa mple.com/'],
    ['https://www.acme-valves.com/?utm_source=%E0%A4%A&utm_medium=%%%', 'https://[::1'],
    ['https://www.acme-valves.com/?%00=%00&utm_campaign=%ZZ', 'javascript:alert(1)'],
    ['https://www.acme-valves.com/?utm_source=https://www.linkedin.com/feed/', 'android-app://'],
    ['https://www.acme-valves.com/?utm_source=..', 'data:text/html,hello'],
    ['https://www.acme-valves.com/?utm_source=constructor&utm_medium=__proto__', 'android-app://constructor/'],
    ['https://www.acme-valves.com/?utm_source=toString.', 'android-app://__proto__/'],
  ])('never throws on url %j with referrer %j', (url, referrer) => {
    expect(() => touch(url, referrer)).not.toThrow();
    expect(CHANNELS).toContain(touch(url, referrer).channel);
  });

  it('treats an unparseable landing URL as carrying no parameters', () => {
    expect(touch('/products?utm_source=newsletter&utm_medium=email')).toMatchObject({ channel: 'direct', campaign: null });
  });

  it('survives a missing URL at runtime', () => {
    expect(() => attributeTouch({ url: undefined as unknown as string, siteDomains })).not.toThrow();
  });
});

describe('campaignKey', () => {
  it.each<[string, string]>([
    ['a page without parameters', landing],
    ['a page with other parameters', `${landing}?page=2&sort=price`],
    ['only utm_term and utm_content', `${landing}?utm_term=valve&utm_content=hero`],
    ['an empty utm_source', `${landing}?utm_source=`],
    ['a URL that does not parse', 'not a url'],
  ])('is null for %s', (_label, url) => {
    expect(campaignKey(url)).toBeNull();
  });

  it('is set by UTM parameters or a click id', () => {
    for (const query of ['utm_source=newsletter&utm_medium=email', 'utm_campaign=trade-fair-qr', 'utm_medium=cpc', 'utm_source=alibaba&utm_medium=cpc', 'gclid=abc', 'fbclid=abc']) {
      expect(campaignKey(`${landing}?${query}`), query).not.toBeNull();
    }
  });

  it('is equal for the same campaign on different pages, whatever the case of its name', () => {
    const query = 'utm_source=newsletter&utm_medium=email&utm_campaign=Spring_Expo';
    const first = campaignKey(`https://www.acme-valves.com/?${query}`);
    expect(campaignKey(`https://www.acme-valves.com/contact?${query}&utm_content=footer#form`)).toBe(first);
    expect(campaignKey(`${landing}?utm_source=Newsletter&utm_medium=email&utm_campaign=spring_expo`)).toBe(first);
  });

  it('differs for a different campaign', () => {
    const spring = campaignKey(`${landing}?utm_source=newsletter&utm_medium=email&utm_campaign=spring`);
    expect(campaignKey(`${landing}?utm_source=newsletter&utm_medium=email&utm_campaign=autumn`)).not.toBe(spring);
    expect(campaignKey(`${landing}?utm_source=linkedin&utm_medium=email&utm_campaign=spring`)).not.toBe(spring);
    expect(campaignKey(`${landing}?utm_source=newsletter&utm_medium=cpc&utm_campaign=spring`)).not.toBe(spring);
  });

  it('differs for a new gclid on the same campaign', () => {
    const query = 'utm_source=google&utm_medium=cpc&utm_campaign=brand';
    const first = campaignKey(`${landing}?${query}&gclid=first`);
    expect(campaignKey(`${landing}?${query}&gclid=first`)).toBe(first);
    expect(campaignKey(`${landing}?${query}&gclid=second`)).not.toBe(first);
  });
});
