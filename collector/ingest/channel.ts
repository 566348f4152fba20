/**
 * Attribution of one landing touch (SPEC §5): the channel, source and medium that brought a
 * session, read from the landing URL's UTM parameters and click ids and from the referrer.
 * Pure (no I/O), so ingest, backfills and tests get the same answer.
 *
 * Marketplaces and messaging apps come first because exporters live on them and GA4 has no
 * bucket for them (it files alibaba.com under Shopping and WhatsApp under Social). Everything
 * else follows GA4's default channel grouping
 * (https://support.google.com/analytics/answer/9756891) and its published source categories.
 */
import { hostMatchesDomains, hostOf, normalizeDomain } from './domains.js';

export const CHANNELS = [
  'paid_search', 'organic_search', 'paid_social', 'organic_social', 'b2b_marketplace', 'email',
  'messaging', 'referral', 'direct',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const CLICK_ID_NAMES = ['gclid', 'gbraid', 'wbraid', 'fbclid', 'msclkid', 'li_fat_id', 'ttclid'] as const;
export type ClickIdName = (typeof CLICK_ID_NAMES)[number];
export type ClickIds = Partial<Record<ClickIdName, string>>;

export interface Touch {
  channel: Channel;
  /** e.g. `google`, `alibaba.com`, `facebook`, `newsletter`, the referrer host; null for direct. */
  source: string | null;
  /** utm_medium, or inferred: `organic`, `social`, `email`, `referral`, `cpc`; null for direct. */
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
  clickIds: ClickIds;
}

// ---------------------------------------------------------------------------------------------
// Data. A host pattern `example.com` matches the domain and every subdomain; `example.*` also
// matches it under any country ending (`example.de`, `example.co.uk`, `www.example.com.br`).
// When several patterns match, the longest wins, so `mail.google.com` (webmail) beats `google.*`
// (search). `name` is the source stored on the touch and is always a `utm_source` alias too.
// ---------------------------------------------------------------------------------------------

interface KnownSource {
  name: string;
  hosts: readonly string[];
  aliases?: readonly string[];
}

/** B2B marketplaces and directories. AliExpress is not here: it is B2C retail, so a referral. */
const MARKETPLACES: readonly KnownSource[] = [
  // alibaba.com also covers m., message., offer. and the suppliers' minisites (acme.en.alibaba.com).
  { name: 'alibaba.com', hosts: ['alibaba.com'], aliases: ['alibaba'] },
  { name: '1688.com', hosts: ['1688.com'], aliases: ['1688'] },
  { name: 'made-in-china.com', hosts: ['made-in-china.com'], aliases: ['made-in-china', 'madeinchina'] },
  { name: 'globalsources.com', hosts: ['globalsources.com'], aliases: ['globalsources', 'global-sources'] },
  { name: 'tradeindia.com', hosts: ['tradeindia.com'], aliases: ['tradeindia'] },
  { name: 'indiamart.com', hosts: ['indiamart.com'], aliases: ['indiamart'] },
  { name: 'exportersindia.com', hosts: ['exportersindia.com'], aliases: ['exportersindia'] },
  { name: 'ec21.com', hosts: ['ec21.com'], aliases: ['ec21'] },
  { name: 'ecplaza.net', hosts: ['ecplaza.net'], aliases: ['ecplaza'] },
  { name: 'tradekey.com', hosts: ['tradekey.com'], aliases: ['tradekey'] },
  { name: 'dhgate.com', hosts: ['dhgate.com'], aliases: ['dhgate'] },
  { name: 'hktdc.com', hosts: ['hktdc.com'], aliases: ['hktdc'] },
  { name: 'europages.com', hosts: ['europages.*'], aliases: ['europages'] },
  { name: 'thomasnet.com', hosts: ['thomasnet.com'], aliases: ['thomasnet'] },
  { name: 'go4worldbusiness.com', hosts: ['go4worldbusiness.com'], aliases: ['go4worldbusiness'] },
  // Not in the brief's list, but the directory European industrial buyers search most.
  { name: 'kompass.com', hosts: ['kompass.*'], aliases: ['kompass'] },
];

/** Chat apps, where buyers forward a product link to colleagues and agents. */
const MESSAGING_APPS: readonly KnownSource[] = [
  // l.wl.co is the link shim WhatsApp puts in front of every outbound link.
  { name: 'whatsapp', hosts: ['whatsapp.com', 'whatsapp.net', 'wa.me', 'wl.co'], aliases: ['wa', 'whatsapp-business'] },
  { name: 'wechat', hosts: ['weixin.qq.com', 'wechat.com'], aliases: ['weixin'] },
  { name: 'telegram', hosts: ['t.me', 'telegram.me', 'telegram.org'], aliases: ['tg'] },
  { name: 'line', hosts: ['line.me', 'lin.ee', 'line.naver.jp'] },
  { name: 'messenger', hosts: ['messenger.com', 'm.me'], aliases: ['facebook-messenger'] },
  { name: 'viber', hosts: ['viber.com'] },
  { name: 'skype', hosts: ['skype.com'] },
  { name: 'zalo', hosts: ['zalo.me'] },
  // Slack rewrites every shared link through slack-redir.net.
  { name: 'slack', hosts: ['slack.com', 'slack-redir.net'] },
  { name: 'teams', hosts: ['teams.microsoft.com', 'teams.live.com', 'teams.cloud.microsoft'], aliases: ['microsoft-teams'] },
  { name: 'discord', hosts: ['discord.com', 'discord.gg', 'discordapp.com'] },
  { name: 'google-messages', hosts: ['messages.google.com'] },
  // GA4 has an SMS channel; a text message is messaging here.
  { name: 'sms', hosts: [], aliases: ['imessage'] },
];

/** Webmail. GA4 files mail.google.com under search; a click in an inbox is email. */
const WEBMAIL: readonly KnownSource[] = [
  { name: 'gmail', hosts: ['mail.google.com', 'inbox.google.com'], aliases: ['googlemail'] },
  {
    name: 'outlook',
    hosts: ['outlook.live.com', 'outlook.office.com', 'outlook.office365.com', 'outlook.cloud.microsoft', 'mail.live.com'],
    aliases: ['hotmail'],
  },
  { name: 'yahoo-mail', hosts: ['mail.yahoo.*'], aliases: ['yahoomail', 'ymail'] },
  { name: 'aol-mail', hosts: ['mail.aol.com'] },
  { name: 'icloud-mail', hosts: ['icloud.com'] },
  { name: 'proton-mail', hosts: ['mail.proton.me', 'mail.protonmail.com'], aliases: ['protonmail'] },
  { name: 'zoho-mail', hosts: ['mail.zoho.*'] },
  { name: 'qq-mail', hosts: ['mail.qq.com', 'exmail.qq.com'], aliases: ['qqmail', 'foxmail'] },
  { name: 'netease-mail', hosts: ['mail.163.com', 'mail.126.com', 'mail.yeah.net', 'qiye.163.com'], aliases: ['163mail'] },
  { name: 'sina-mail', hosts: ['mail.sina.com.cn', 'mail.sina.com'] },
  { name: 'aliyun-mail', hosts: ['mail.aliyun.com', 'qiye.aliyun.com'] },
  { name: 'yandex-mail', hosts: ['mail.yandex.*'] },
  { name: 'mail.ru', hosts: ['mail.ru'] },
  { name: 'gmx', hosts: ['gmx.*'] },
  { name: 'web.de', hosts: ['web.de'] },
  { name: 't-online', hosts: ['email.t-online.de'] },
  { name: 'naver-mail', hosts: ['mail.naver.com'] },
  { name: 'daum-mail', hosts: ['mail.daum.net'] },
  { name: 'seznam-mail', hosts: ['email.seznam.cz'] },
  { name: 'rediffmail', hosts: ['mail.rediff.com', 'rediffmail.com'] },
  { name: 'libero-mail', hosts: ['mail.libero.it'] },
  { name: 'mail.com', hosts: ['mail.com'] },
  { name: 'fastmail', hosts: ['fastmail.com'] },
];

/** GA4's SOURCE_CATEGORY_SEARCH, grouped by engine. */
const SEARCH_ENGINES: readonly KnownSource[] = [
  { name: 'google', hosts: ['google.*'] },
  { name: 'bing', hosts: ['bing.*'] },
  { name: 'msn', hosts: ['msn.com'] },
  { name: 'yahoo', hosts: ['yahoo.*'] },
  { name: 'baidu', hosts: ['baidu.*'] },
  { name: 'yandex', hosts: ['yandex.*', 'ya.ru'] },
  { name: 'duckduckgo', hosts: ['duckduckgo.com'], aliases: ['ddg'] },
  { name: 'naver', hosts: ['naver.com'] },
  { name: 'daum', hosts: ['daum.net'] },
  { name: 'ecosia', hosts: ['ecosia.org'] },
  { name: 'seznam', hosts: ['seznam.cz', 'firmy.cz'] },
  { name: 'sogou', hosts: ['sogou.com'] },
  { name: '360', hosts: ['so.com', '360.cn'], aliases: ['so360', 'haosou'] },
  { name: 'shenma', hosts: ['sm.cn'] },
  { name: 'qwant', hosts: ['qwant.com'] },
  { name: 'startpage', hosts: ['startpage.*'] },
  { name: 'brave', hosts: ['search.brave.com'] },
  { name: 'ask', hosts: ['ask.com'] },
  { name: 'aol', hosts: ['aol.*'] },
  { name: 'coccoc', hosts: ['coccoc.com'] },
  { name: 'petal', hosts: ['petalsearch.com'], aliases: ['petalsearch'] },
  { name: 'go.mail.ru', hosts: ['go.mail.ru'] },
  { name: 'rambler', hosts: ['rambler.ru'] },
  { name: 'dogpile', hosts: ['dogpile.com'] },
  { name: 'excite', hosts: ['excite.com'] },
  { name: 'lycos', hosts: ['lycos.com'] },
  { name: 'exalead', hosts: ['exalead.com'] },
  { name: 'mojeek', hosts: ['mojeek.com'] },
  { name: 'swisscows', hosts: ['swisscows.com'] },
  { name: 'metager', hosts: ['metager.org', 'metager.de'] },
  { name: 'onet', hosts: ['onet.pl'] },
  { name: 'centrum', hosts: ['centrum.cz'] },
  { name: 'ukr.net', hosts: ['search.ukr.net'], aliases: ['ukr'] },
  { name: 'tut.by', hosts: ['tut.by'] },
  { name: 'virgilio', hosts: ['virgilio.it'] },
  { name: 'kvasir', hosts: ['kvasir.no'] },
  { name: 'startsiden', hosts: ['startsiden.no'] },
  { name: 'eniro', hosts: ['eniro.se'] },
  { name: 'najdi', hosts: ['najdi.si'] },
  { name: 'biglobe', hosts: ['biglobe.ne.jp', 'biglobe.co.jp'] },
  { name: 'rakuten', hosts: ['websearch.rakuten.co.jp'] },
  { name: 'auone', hosts: ['search.auone.jp'] },
  { name: 'docomo', hosts: ['search.smt.docomo.ne.jp'] },
  { name: 'nifty', hosts: ['search.nifty.com'] },
  { name: 'goo', hosts: ['search.goo.ne.jp'] },
];

/**
 * GA4's SOURCE_CATEGORY_SOCIAL, plus its video category: Leadtrail has no video channel, and a
 * buyer arriving from a YouTube or Vimeo video came through social content.
 */
const SOCIAL_SITES: readonly KnownSource[] = [
  // l., lm. and m.facebook.com are covered as subdomains; fb.me and fb.watch are Facebook's shorteners.
  { name: 'facebook', hosts: ['facebook.com', 'fb.com', 'fb.me', 'fb.watch'], aliases: ['fb'] },
  { name: 'instagram', hosts: ['instagram.com', 'ig.me'], aliases: ['ig', 'insta'] },
  { name: 'linkedin', hosts: ['linkedin.com', 'lnkd.in'], aliases: ['lnkd'] },
  // t.co wraps every link posted on X.
  { name: 'twitter', hosts: ['twitter.com', 'x.com', 't.co'], aliases: ['x'] },
  { name: 'youtube', hosts: ['youtube.*', 'youtu.be'], aliases: ['yt'] },
  { name: 'tiktok', hosts: ['tiktok.com'] },
  { name: 'douyin', hosts: ['douyin.com', 'iesdouyin.com'] },
  { name: 'kuaishou', hosts: ['kuaishou.com'] },
  { name: 'pinterest', hosts: ['pinterest.*', 'pin.it'] },
  { name: 'reddit', hosts: ['reddit.com', 'redd.it'] },
  { name: 'vk', hosts: ['vk.com', 'vk.ru', 'vkontakte.ru'], aliases: ['vkontakte'] },
  { name: 'odnoklassniki', hosts: ['ok.ru', 'odnoklassniki.ru', 'odnoklassniki.ua'] },
  { name: 'weibo', hosts: ['weibo.com', 'weibo.cn', 't.cn'] },
  { name: 'xiaohongshu', hosts: ['xiaohongshu.com', 'xhslink.com'], aliases: ['xhs', 'rednote'] },
  { name: 'zhihu', hosts: ['zhihu.com'] },
  { name: 'bilibili', hosts: ['bilibili.com', 'b23.tv'] },
  { name: 'douban', hosts: ['douban.com'] },
  { name: 'qzone.qq.com', hosts: ['qzone.qq.com'], aliases: ['qzone'] },
  { name: 'tieba.baidu.com', hosts: ['tieba.baidu.com'], aliases: ['tieba'] },
  { name: 'quora', hosts: ['quora.com'] },
  { name: 'tumblr', hosts: ['tumblr.com'] },
  { name: 'snapchat', hosts: ['snapchat.com'] },
  { name: 'threads', hosts: ['threads.net', 'threads.com'] },
  { name: 'bluesky', hosts: ['bsky.app'] },
  { name: 'mastodon', hosts: ['mastodon.social'] },
  { name: 'xing', hosts: ['xing.com'] },
  { name: 'medium', hosts: ['medium.com'] },
  { name: 'vimeo', hosts: ['vimeo.com'] },
  { name: 'twitch', hosts: ['twitch.tv'] },
  { name: 'dailymotion', hosts: ['dailymotion.com'] },
  { name: 'youku', hosts: ['youku.com'] },
  { name: 'iqiyi', hosts: ['iqiyi.com', 'iq.com'] },
  { name: 'kakao', hosts: ['kakao.com'] },
  { name: 'mixi', hosts: ['mixi.jp'] },
  { name: 'ameba', hosts: ['ameblo.jp', 'ameba.jp'] },
  { name: 'hatena', hosts: ['hatena.ne.jp'] },
  { name: 'blogger', hosts: ['blogger.com', 'blogspot.*'], aliases: ['blogspot'] },
  { name: 'wordpress', hosts: ['wordpress.com'] },
  { name: 'livejournal', hosts: ['livejournal.com'] },
  { name: 'flickr', hosts: ['flickr.com'] },
  { name: 'slideshare', hosts: ['slideshare.net'] },
  { name: 'meetup', hosts: ['meetup.com'] },
  { name: 'tripadvisor', hosts: ['tripadvisor.*'] },
  { name: 'yelp', hosts: ['yelp.*'] },
  { name: 'stackoverflow', hosts: ['stackoverflow.com', 'stackexchange.com', 'superuser.com', 'serverfault.com'] },
  { name: 'researchgate', hosts: ['researchgate.net'] },
  { name: 'academia.edu', hosts: ['academia.edu'] },
  { name: 'glassdoor', hosts: ['glassdoor.*'] },
  { name: 'deviantart', hosts: ['deviantart.com'] },
  { name: 'flipboard', hosts: ['flipboard.com'] },
  { name: 'digg', hosts: ['digg.com'] },
  { name: 'disqus', hosts: ['disqus.com'] },
  { name: 'news.ycombinator.com', hosts: ['news.ycombinator.com'], aliases: ['hackernews'] },
  // Community corners of search brands, which GA4 files as social.
  { name: 'blog.naver.com', hosts: ['blog.naver.com'] },
  { name: 'cafe.naver.com', hosts: ['cafe.naver.com'] },
  { name: 'kin.naver.com', hosts: ['kin.naver.com'] },
  { name: 'cafe.daum.net', hosts: ['cafe.daum.net'] },
  { name: 'answers.yahoo.com', hosts: ['answers.yahoo.com', 'chiebukuro.yahoo.co.jp'] },
  { name: 'groups.google.com', hosts: ['groups.google.com'] },
  { name: 'sites.google.com', hosts: ['sites.google.com'] },
];

/**
 * Google products that are not the search page, so `google.*` must not claim them: a click from
 * a Google Doc, the Play store or the advertiser's own Ads preview is a referral.
 */
const NOT_SEARCH_HOSTS: readonly string[] = [
  'docs.google.com', 'drive.google.com', 'play.google.com', 'support.google.com',
  'developers.google.com', 'cloud.google.com', 'ads.google.com', 'business.google.com',
];

/**
 * Chrome on Android reports the app a link was opened from as `android-app://<package>/`
 * instead of a web referrer; each package stands for the host it would have sent. A Map, so a
 * package named `constructor` or `__proto__` finds nothing.
 */
const ANDROID_APPS: ReadonlyMap<string, string> = new Map(Object.entries({
  'com.google.android.googlequicksearchbox': 'www.google.com',
  'com.google.android.gm': 'mail.google.com',
  'com.microsoft.office.outlook': 'outlook.live.com',
  'com.whatsapp': 'whatsapp.com',
  'com.whatsapp.w4b': 'whatsapp.com',
  'com.tencent.mm': 'weixin.qq.com',
  'org.telegram.messenger': 't.me',
  'jp.naver.line.android': 'line.me',
  'com.facebook.orca': 'messenger.com',
  'com.viber.voip': 'viber.com',
  'com.skype.raider': 'skype.com',
  'com.vng.zalo': 'zalo.me',
  'com.slack': 'slack.com',
  'com.facebook.katana': 'facebook.com',
  'com.facebook.lite': 'facebook.com',
  'com.instagram.android': 'instagram.com',
  'com.linkedin.android': 'linkedin.com',
  'com.twitter.android': 'twitter.com',
  'com.google.android.youtube': 'youtube.com',
  'com.zhiliaoapp.musically': 'tiktok.com',
  'com.alibaba.intl.android.apps.poseidon': 'alibaba.com',
}));

/** First labels of company webmail (`webmail.buyer.de`, Outlook Web Access on `owa.buyer.com`). */
const WEBMAIL_LABELS = new Set(['webmail', 'mail', 'email', 'owa']);

/** Second-level labels under a country code: `google.co.uk`, `google.com.br`, `yahoo.ne.jp`. */
const COUNTRY_SECOND_LEVELS = new Set(['co', 'com', 'net', 'org', 'ne', 'or', 'ac', 'go', 'gov', 'gob', 'edu']);

/** GA4's paid medium pattern, verbatim, so reports line up with Google's. */
const PAID_MEDIUM = /^(.*cp.*|ppc|retargeting|paid.*)$/;
/** GA4's Display mediums. There is no display channel here, and banners are paid. */
const DISPLAY_MEDIUMS = new Set(['display', 'banner', 'expandable', 'interstitial', 'cpm']);
/** GA4's email spellings, plus `newsletter`, the French/German `mailing` and the Chinese `edm`. */
const EMAIL_MEDIUMS = new Set(['email', 'e-mail', 'e_mail', 'e mail', 'newsletter', 'mailing', 'edm']);
/** Email service providers that tag their links with their own name as `utm_source`. */
const EMAIL_SERVICES = new Set([
  'mailchimp', 'brevo', 'sendinblue', 'klaviyo', 'mailerlite', 'mailjet', 'sendgrid', 'constantcontact',
  'campaignmonitor', 'activecampaign', 'getresponse', 'sendpulse', 'mautic',
]);
/** GA4's social mediums; anything else containing `social` or `video` is read the same way. */
const SOCIAL_MEDIUMS = new Set(['social', 'social-network', 'social-media', 'sm', 'social network', 'social media']);

/**
 * Ad click ids, in the order they are trusted when several are present. fbclid is missing on
 * purpose: Facebook appends it to organic outbound links too, so it proves Facebook, not an ad.
 * LinkedIn and TikTok add li_fat_id and ttclid to ad clicks only, so those are paid social.
 */
const AD_CLICK_IDS: readonly { name: ClickIdName; source: string }[] = [
  { name: 'gclid', source: 'google' },
  { name: 'gbraid', source: 'google' },
  { name: 'wbraid', source: 'google' },
  { name: 'msclkid', source: 'bing' },
  { name: 'li_fat_id', source: 'linkedin' },
  { name: 'ttclid', source: 'tiktok' },
];

/** Longest string stored from a touch; the same bound the event schema puts on short text. */
const MAX_LENGTH = 256;

// ---------------------------------------------------------------------------------------------
// Lookup tables built from the data above.
// ---------------------------------------------------------------------------------------------

type SourceCategory = 'b2b_marketplace' | 'messaging' | 'email' | 'search' | 'social' | 'referral';

interface Known {
  name: string;
  category: SourceCategory;
}

interface HostRule {
  /** The pattern's labels without the `*`. */
  labels: readonly string[];
  pattern: string;
  anyEnding: boolean;
  /** How many labels the pattern pins down; the most specific match wins. */
  size: number;
  known: Known;
}

const HOST_RULES: HostRule[] = [];
const ALIASES = new Map<string, Known>();

function register(category: SourceCategory, sources: readonly KnownSource[]): void {
  for (const source of sources) {
    const known: Known = { name: source.name, category };
    for (const pattern of source.hosts) {
      const anyEnding = pattern.endsWith('.*');
      const labels = (anyEnding ? pattern.slice(0, -2) : pattern).split('.');
      HOST_RULES.push({ labels, pattern, anyEnding, size: labels.length + (anyEnding ? 1 : 0), known });
    }
    for (const alias of [source.name, ...(source.aliases ?? [])]) {
      if (!ALIASES.has(alias)) ALIASES.set(alias, known);
    }
  }
}

register('b2b_marketplace', MARKETPLACES);
register('messaging', MESSAGING_APPS);
register('email', WEBMAIL);
register('social', SOCIAL_SITES);
register('search', SEARCH_ENGINES);
register('referral', NOT_SEARCH_HOSTS.map((host) => ({ name: host, hosts: [host] })));

// ---------------------------------------------------------------------------------------------
// Attribution.
// ---------------------------------------------------------------------------------------------

interface Classification {
  channel: Channel;
  source: string | null;
  medium: string | null;
}

/** An external referrer: its host (or Android package) and what it is known to be. */
interface Referrer {
  host: string;
  known: Known | null;
}

/** Reads UTM parameters and click ids from the page URL and classifies the touch. */
export function attributeTouch(input: { url: string; referrer?: string | null; siteDomains: readonly string[] }): Touch {
  const params = readParams(input.url);
  const clickIds: ClickIds = {};
  for (const name of CLICK_ID_NAMES) {
    const value = params.get(name);
    if (value !== undefined) clickIds[name] = bound(value);
  }
  const utmSource = lowerOrNull(params.get('utm_source'));
  const utmMedium = lowerOrNull(params.get('utm_medium'));
  const referrer = readReferrer(input.referrer, hostOf(input.url), input.siteDomains);

  const { channel, source, medium } = classify(utmSource, utmMedium, clickIds, referrer);
  return {
    channel,
    source: source === null ? null : bound(source),
    medium: medium === null ? null : bound(medium),
    campaign: boundOrNull(params.get('utm_campaign')),
    term: boundOrNull(params.get('utm_term')),
    content: boundOrNull(params.get('utm_content')),
    clickIds,
  };
}

function classify(
  utmSource: string | null,
  utmMedium: string | null,
  clickIds: ClickIds,
  referrer: Referrer | null,
): Classification {
  const tagged = utmSource === null ? null : lookupSource(utmSource);

  // An explicit utm_source is the marketer's word, so it is asked before the referrer.
  for (const known of [tagged, referrer?.known]) {
    if (known?.category === 'b2b_marketplace' || known?.category === 'messaging') {
      return { channel: known.category, source: known.name, medium: utmMedium ?? 'referral' };
    }
  }

  const adClick = AD_CLICK_IDS.find((id) => clickIds[id.name] !== undefined);
  if (adClick) {
    // Auto-tagged ads carry no UTM; when the advertiser added some, they name the source better.
    const source = tagged?.name ?? utmSource ?? adClick.source;
    const medium = utmMedium ?? 'cpc';
    const social = lookupSource(source)?.category === 'social' || medium.includes('social');
    return { channel: social ? 'paid_social' : 'paid_search', source, medium };
  }

  if (utmSource !== null || utmMedium !== null) {
    const known = utmSource === null ? referrer?.known ?? null : tagged;
    const source = known && known.category !== 'referral' ? known.name : utmSource ?? referrerSource(referrer);
    const channel = channelOfTags(known?.category ?? null, source, utmMedium);
    return { channel, source, medium: utmMedium ?? inferredMedium(channel) };
  }

  if (clickIds.fbclid !== undefined) {
    // Meta adds fbclid to Instagram links as well; the referrer, when it says so, is more precise.
    const source = referrer?.known?.category === 'social' ? referrer.known.name : 'facebook';
    return { channel: 'organic_social', source, medium: 'social' };
  }

  if (referrer === null) return { channel: 'direct', source: null, medium: null };
  const channel = channelOfReferrer(referrer.known?.category ?? null);
  return { channel, source: referrerSource(referrer), medium: inferredMedium(channel) };
}

/** GA4's rules over UTM tags, for sources that are neither marketplaces nor messaging apps. */
function channelOfTags(category: SourceCategory | null, source: string | null, medium: string | null): Channel {
  if (medium !== null && (PAID_MEDIUM.test(medium) || DISPLAY_MEDIUMS.has(medium))) {
    // GA4 calls paid traffic from an unlisted source "Paid Other"; like Universal Analytics,
    // Leadtrail counts it as paid search, the only paid bucket that is not social.
    return category === 'social' || medium.includes('social') ? 'paid_social' : 'paid_search';
  }
  // GA4 checks email after the source lists, so facebook/email would be Organic Social there; a
  // marketer who wrote medium=email meant the newsletter, so the explicit medium is asked first.
  if (category === 'email' || (medium !== null && EMAIL_MEDIUMS.has(medium)) || (source !== null && isEmailSource(source))) {
    return 'email';
  }
  if (medium === 'sms') return 'messaging';
  if (category === 'social' || (medium !== null && isSocialMedium(medium))) return 'organic_social';
  if (category === 'search' || medium === 'organic') return 'organic_search';
  // Affiliates, audio, push and unknown tags have no channel of their own here.
  return 'referral';
}

function channelOfReferrer(category: SourceCategory | null): Channel {
  switch (category) {
    case 'search':
      return 'organic_search';
    case 'social':
      return 'organic_social';
    case 'email':
      return 'email';
    default:
      return 'referral';
  }
}

function inferredMedium(channel: Channel): string | null {
  switch (channel) {
    case 'organic_search':
      return 'organic';
    case 'organic_social':
      return 'social';
    case 'email':
      return 'email';
    case 'paid_search':
    case 'paid_social':
      return 'cpc';
    case 'direct':
      return null;
    default:
      return 'referral';
  }
}

function referrerSource(referrer: Referrer | null): string | null {
  if (referrer === null) return null;
  const known = referrer.known;
  return known && known.category !== 'referral' ? known.name : normalizeDomain(referrer.host);
}

function isEmailSource(source: string): boolean {
  return source.includes('email') || source.includes('e-mail') || source.includes('newsletter') || EMAIL_SERVICES.has(source);
}

function isSocialMedium(medium: string): boolean {
  return SOCIAL_MEDIUMS.has(medium) || medium.includes('social') || medium.includes('video');
}

// ---------------------------------------------------------------------------------------------
// Campaign key.
// ---------------------------------------------------------------------------------------------

/**
 * A string that identifies the campaign a page's URL carries (utm_source, utm_medium, utm_campaign
 * and click ids), or null when it carries none. Two page views with different non-null keys mean a
 * new campaign arrived (a new session starts).
 *
 * From the URL alone, never from the referrer. A partly tagged link (`?utm_campaign=expo`,
 * `?fbclid=…`) takes its touch's source from the referrer, which on the next page is the site
 * itself: a page that keeps the landing's query — a single-page app's routes do — would start a new
 * session at every click. Nor does a link without campaign parameters (another search, a
 * referral) make a key: GA4 does not cut a session when the visitor comes back that way.
 */
export function campaignKey(url: string): string | null {
  const params = readParams(url);
  const clickIds = CLICK_ID_NAMES.flatMap((name) => {
    const value = params.get(name);
    return value === undefined ? [] : [`${name}=${bound(value)}`];
  });
  const source = lowerOrNull(params.get('utm_source'));
  const medium = lowerOrNull(params.get('utm_medium'));
  // Campaign names are compared without case: `Spring_Expo` and `spring_expo` are one campaign.
  const campaign = lowerOrNull(params.get('utm_campaign'));
  if (source === null && medium === null && campaign === null && clickIds.length === 0) return null;
  return JSON.stringify([source, medium, campaign, ...clickIds]);
}

// ---------------------------------------------------------------------------------------------
// Parsing and matching.
// ---------------------------------------------------------------------------------------------

/** Query parameters by lower-cased name, first non-empty value wins; a bad URL has none. */
function readParams(url: string): Map<string, string> {
  const params = new Map<string, string>();
  let search: URLSearchParams;
  try {
    search = new URL(url).searchParams;
  } catch {
    return params;
  }
  for (const [key, value] of search) {
    const name = key.toLowerCase();
    const trimmed = value.trim();
    if (trimmed !== '' && !params.has(name)) params.set(name, trimmed);
  }
  return params;
}

/** The referrer when it is external; a page of the site itself (or no referrer) gives null. */
function readReferrer(referrer: string | null | undefined, pageHost: string | null, siteDomains: readonly string[]): Referrer | null {
  const host = hostOf(referrer);
  if (host === null) return null;
  if (/^android-app:/i.test(referrer ?? '')) {
    const appHost = ANDROID_APPS.get(host);
    return { host, known: appHost === undefined ? null : lookupHost(appHost) };
  }
  if (host === pageHost || hostMatchesDomains(host, siteDomains)) return null;
  return { host, known: lookupHost(host) };
}

/** A `utm_source` value: a known name or alias, else read as a host (`m.facebook.com`). */
function lookupSource(source: string): Known | null {
  const named = ALIASES.get(source);
  if (named) return named;
  if (!source.includes('.')) return null;
  const host = hostOf(source.includes('://') ? source : `http://${source}`);
  return host === null ? null : lookupHost(ANDROID_APPS.get(host) ?? host);
}

function lookupHost(host: string): Known | null {
  const labels = normalizeDomain(host).split('.');
  let best: HostRule | null = null;
  for (const rule of HOST_RULES) {
    if ((best === null || rule.size > best.size) && hostMatchesRule(host, labels, rule)) best = rule;
  }
  if (best) return best.known;
  if (labels.length >= 3 && WEBMAIL_LABELS.has(labels[0] ?? '')) return { name: normalizeDomain(host), category: 'email' };
  return null;
}

function hostMatchesRule(host: string, labels: readonly string[], rule: HostRule): boolean {
  if (!rule.anyEnding) return hostMatchesDomains(host, [rule.pattern]);
  const width = rule.labels.length;
  for (let start = 0; start + width < labels.length; start++) {
    if (rule.labels.every((label, index) => labels[start + index] === label) && isCountryEnding(labels.slice(start + width))) {
      return true;
    }
  }
  return false;
}

/** `com`, `de`, `co.uk`, `com.br`: what may follow a brand in `brand.*`, and nothing longer. */
function isCountryEnding(labels: readonly string[]): boolean {
  const [first, second] = labels;
  if (first === undefined) return false;
  if (labels.length === 1) return /^[a-z]{2,}$/.test(first);
  return labels.length === 2 && second !== undefined && COUNTRY_SECOND_LEVELS.has(first) && /^[a-z]{2}$/.test(second);
}

function lowerOrNull(value: string | undefined): string | null {
  return value === undefined ? null : bound(value.toLowerCase());
}

function boundOrNull(value: string | undefined): string | null {
  return value === undefined ? null : bound(value);
}

/** Cuts to MAX_LENGTH without leaving half of a surrogate pair at the end. */
function bound(value: string): string {
  if (value.length <= MAX_LENGTH) return value;
  const cut = value.slice(0, MAX_LENGTH);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
