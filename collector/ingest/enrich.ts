/**
 * What the collector adds to a batch from the request itself: the device from the user agent,
 * whether it is a bot or a prefetch (dropped), and the visitor's country and network.
 */
import Bowser from 'bowser';
import { isbot } from 'isbot';
import { lookupNetwork, storableIp, type IpMode } from './network.js';
import { remembered } from './remembered.js';

export interface RequestFacts {
  userAgent: string | undefined;
  ip: string;
  /** `Purpose` / `Sec-Purpose` headers: set by browsers on speculative prefetches, which no human saw. */
  purpose: string | undefined;
  /** The request came from a web page (it carries an Origin header). */
  fromPage: boolean;
}

export interface DeviceFacts {
  browser: string | null;
  os: string | null;
  /** desktop, mobile, tablet or tv. */
  device: string | null;
  /** The address as LEADTRAIL_IP_MODE allows it to be kept. */
  ip: string | null;
  ipCountry: string | null;
  asn: number | null;
  organisation: string | null;
}

/**
 * True when the request should be acknowledged but not stored: bots, crawlers and prefetches.
 * Only requests from pages are judged by their user agent. A server-side sender (no Origin
 * header: browsers always send one with a cross-origin POST) is the exporter's own code relaying
 * events; its user agent (`node`, `curl`) says nothing about the visitor.
 */
export function isAutomatedRequest(facts: RequestFacts): boolean {
  if (facts.purpose && /prefetch|prerender/i.test(facts.purpose)) return true;
  if (!facts.fromPage) return false;
  // A browser always sends a user agent; its absence means a script or a crawler.
  if (!facts.userAgent) return true;
  return readUserAgent(facts.userAgent).bot;
}

/**
 * The browser, OS and device type from the user agent, and the country and network from the full
 * address — looked up before the address is truncated or dropped for storage.
 */
export function describeDevice(facts: RequestFacts, ipMode: IpMode): DeviceFacts {
  const { browser, os, device } = facts.userAgent ? readUserAgent(facts.userAgent) : NO_USER_AGENT;
  const network = lookupNetwork(facts.ip);
  return {
    browser,
    os,
    device,
    ip: storableIp(facts.ip, ipMode),
    ipCountry: network.country,
    asn: network.asn,
    organisation: network.organisation,
  };
}

interface UserAgentFacts {
  browser: string | null;
  os: string | null;
  device: string | null;
  bot: boolean;
}

const NO_USER_AGENT: UserAgentFacts = { browser: null, os: null, device: null, bot: true };

/**
 * A site's visitors use a few hundred distinct user agents, and parsing one (bowser, then isbot's
 * long regular expression) costs more than the rest of a beacon's enrichment: remembered, bounded.
 */
const USER_AGENT_CACHE_ENTRIES = 5_000;
const readUserAgent = remembered(USER_AGENT_CACHE_ENTRIES, (userAgent): UserAgentFacts => {
  const parsed = Bowser.parse(userAgent);
  return { browser: parsed.browser.name ?? null, os: parsed.os.name ?? null, device: parsed.platform.type ?? null, bot: isbot(userAgent) };
});
