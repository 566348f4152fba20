/**
 * What the collector adds to a batch from the request itself: the device from the user agent,
 * whether it is a bot or a prefetch (dropped), and the visitor's IP as the privacy mode allows.
 * Country and network organisation from offline databases come next (issue 4).
 */
import Bowser from 'bowser';
import { isbot } from 'isbot';
import { isIP } from 'node:net';

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
  ip: string | null;
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
  return isbot(facts.userAgent);
}

export function describeDevice(facts: RequestFacts): DeviceFacts {
  const parsed = facts.userAgent ? Bowser.parse(facts.userAgent) : undefined;
  return {
    browser: parsed?.browser.name ?? null,
    os: parsed?.os.name ?? null,
    device: parsed?.platform.type ?? null,
    ip: truncateIp(facts.ip),
  };
}

/**
 * Keeps the network part of an address only (IPv4 /24, IPv6 /48), enough for a country and an
 * organisation but not a household. LEADTRAIL_IP_MODE (issue 4) will make this configurable.
 */
export function truncateIp(ip: string): string | null {
  const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  switch (isIP(address)) {
    case 4:
      return address.split('.').slice(0, 3).concat('0').join('.');
    case 6: {
      const groups = expandIpv6(address).slice(0, 3);
      return `${groups.join(':')}::`;
    }
    default:
      return null;
  }
}

function expandIpv6(address: string): string[] {
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = new Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
