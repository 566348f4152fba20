/**
 * THE shapes of the `/api` answers (SPEC §4). Route serializers are typed against them and the
 * dashboard imports them (`import type`), so the server and its UI cannot drift apart. Types only:
 * nothing here runs, and nothing here may import Node or the database.
 */
import type { Channel, ClickIds } from '../ingest/channel.js';
import type { ValidEvent } from '../ingest/schema.js';

/** ISO 8601 UTC, e.g. `2026-11-24T09:30:00.000Z`. */
export type IsoTime = string;

export interface UserJson {
  name: string;
}

export interface SiteJson {
  key: string;
  name: string;
  domains: string[];
  /** The reporting time zone (IANA name): the overview's days are calendar days there. */
  time_zone: string;
  created_at: IsoTime;
  /** The `<script>` tag to paste, pointing at the collector's public URL. */
  snippet: string;
  /** How much of a visitor's IP address is stored; null: `ip_mode_default`. */
  ip_mode: IpModeJson | null;
  /** The server's LEADTRAIL_IP_MODE, which applies while `ip_mode` is null. */
  ip_mode_default: IpModeJson;
  /** Days raw events are kept before the purge deletes them; null: forever. */
  retention_days: number | null;
}

/** `full`, `truncated` (IPv4 /24, IPv6 /48) or `none`. */
export type IpModeJson = 'full' | 'truncated' | 'none';

/** The body of `PATCH /api/sites/:key`: any of these fields; those left out stay as they are. */
export interface SiteChangesJson {
  name?: string;
  domains?: string[];
  ip_mode?: IpModeJson | null;
  retention_days?: number | null;
}

/** `GET /api/sites/:key/status`: the setup screen's live check of a site's tag. */
export interface SiteStatusJson {
  /** The latest stored event's time; null until the tag has sent one. */
  last_event_at: IsoTime | null;
  events_last_hour: number;
}

export interface TokenJson {
  id: number;
  name: string;
  created_at: IsoTime;
  last_used_at: IsoTime | null;
}

export interface CreatedTokenJson extends TokenJson {
  /** The secret: only its hash is stored, so this answer is the one chance to copy it. */
  token: string;
}

export interface PersonSummaryJson {
  id: number;
  email: string | null;
  name: string | null;
  company: string | null;
  country: string | null;
  identified: boolean;
  first_seen: IsoTime;
  last_seen: IsoTime;
  sessions: number;
  /** The channel of the latest session. */
  channel: Channel | null;
  /** ISO 3166-1 alpha-2 of the IP address of the person's most recently seen browser. */
  ip_country: string | null;
}

/** `GET /api/visitors?sort=`: what the people list can be ordered by. */
export type PeopleSortJson = 'last_seen' | 'first_seen' | 'name' | 'company' | 'country' | 'sessions';

export interface PeoplePageJson {
  people: PersonSummaryJson[];
  /** The order applied, defaults filled in: `name` is the name, else the email; `country` the stated one. */
  sort: PeopleSortJson;
  order: 'asc' | 'desc';
  /** Continues this list with the same filters and order; null on the last page. */
  next: string | null;
}

export interface TouchJson {
  channel: Channel;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  at: IsoTime;
}

export interface PersonJson {
  id: number;
  /** The site key. */
  site: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  company: string | null;
  /** As the buyer stated it in a form. */
  country: string | null;
  message: string | null;
  identified: boolean;
  first_seen: IsoTime;
  last_seen: IsoTime;
  first_touch: TouchJson | null;
  last_touch: TouchJson | null;
  click_ids: ClickIds;
}

export interface DeviceJson {
  id: number;
  browser: string | null;
  os: string | null;
  device: string | null;
  /** Country of the IP address. */
  country: string | null;
  /** The network's autonomous system and its owner. */
  asn: number | null;
  organisation: string | null;
  language: string | null;
  time_zone: string | null;
  screen: string | null;
  first_seen: IsoTime;
  last_seen: IsoTime;
}

/** A stored event as the wire carried it (SPEC §4), its time moved to the server's clock. */
export type TrailEventJson = ValidEvent extends infer Event ? (Event extends ValidEvent ? Omit<Event, 'ts'> & { ts: IsoTime } : never) : never;

export interface TrailSessionJson {
  id: number;
  /** The id of one of the trail's devices. */
  device: number;
  started_at: IsoTime;
  ended_at: IsoTime;
  channel: Channel;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
  click_ids: ClickIds;
  referrer: string | null;
  landing_page: string | null;
  events: TrailEventJson[];
}

export interface TrailJson {
  person: PersonJson;
  devices: DeviceJson[];
  sessions: TrailSessionJson[];
}

/** One lead: the CSV's columns (SPEC §6) plus the person id. */
export interface LeadJson {
  id: number;
  email: string;
  name: string | null;
  phone: string | null;
  company: string | null;
  country: string | null;
  message: string | null;
  first_seen: IsoTime;
  last_seen: IsoTime;
  sessions: number;
  pageviews: number;
  forms: number;
  chats: number;
  first_channel: Channel | null;
  first_source: string | null;
  first_campaign: string | null;
  last_channel: Channel | null;
  last_source: string | null;
  gclid: string | null;
  fbclid: string | null;
  ip_country: string | null;
  organisation: string | null;
  device: string | null;
  trail_url: string;
}

/** The body of `POST /api/password` (answered 204; 403 when `current` is wrong, 400 when `password` is under 10 characters). */
export interface PasswordChangeJson {
  current: string;
  password: string;
}

/** A calendar day, `YYYY-MM-DD`; the overview's days are days in the site's reporting time zone. */
export type DateOnly = string;

/** `GET /api/overview` counts; see repositories/overview.ts for what each one counts. */
export interface OverviewCountsJson {
  /** Distinct people with a visit in the range (a stitched buyer on two devices is one). */
  visitors: number;
  sessions: number;
  /** Identified people (with an email) who visited in the range. */
  leads: number;
  /** Form submissions, except those the form plugin reported invalid. */
  form_fills: number;
  chat_opens: number;
}

export interface OverviewTotalsJson extends OverviewCountsJson {
  /** leads / visitors, from 0 to 1; null without visitors. */
  conversion_rate: number | null;
}

export interface OverviewDayJson extends OverviewCountsJson {
  date: DateOnly;
}

/** Sessions, distinct people and distinct leads of one channel or source over the range. */
export interface OverviewReachJson {
  sessions: number;
  visitors: number;
  leads: number;
}

export interface OverviewJson {
  /** The site key. */
  site: string;
  /** The range, both days included. */
  from: DateOnly;
  to: DateOnly;
  /** The site's reporting time zone (IANA name): every day here is a calendar day there. */
  time_zone: string;
  totals: OverviewTotalsJson;
  /** Every day of the range in order, days without visits as zeros. */
  days: OverviewDayJson[];
  /** At most 10 of each, largest first. */
  channels: Array<OverviewReachJson & { channel: Channel }>;
  /** `source`: utm_source or the referring host; null for direct visits. */
  sources: Array<OverviewReachJson & { source: string | null }>;
  /** `country`: ISO 3166-1 alpha-2 of the visitor's IP address, null when unknown. */
  countries: Array<{ country: string | null; visitors: number }>;
  /** `visitors`: distinct browsers that viewed the page. */
  pages: Array<{ url: string; title: string | null; pageviews: number; visitors: number }>;
  /** `form`: the form's id or name, null when the page gave none; invalid submissions left out. */
  forms: Array<{ form: string | null; fills: number }>;
}

/** `GET /api/overview/now`: the overview's live figure, polled. */
export interface VisitorsNowJson {
  /** People with an event in the last `minutes` minutes. */
  visitors: number;
  minutes: number;
}
