/**
 * The dashboard's only door to the collector: same-origin JSON over fetch, authenticated by the
 * HttpOnly session cookie. Errors become `ApiError`s carrying the server's own message, so views
 * can show it as is; a 401 anywhere but the login call means the session is gone.
 */
import { t } from './i18n/index';

import type {
  CreatedTokenJson,
  DeviceJson,
  LeadJson,
  OverviewJson,
  PasswordChangeJson,
  PeoplePageJson,
  PeopleSortJson,
  PersonJson,
  PersonSummaryJson,
  SiteChangesJson,
  SiteJson,
  SiteStatusJson,
  TokenJson,
  TouchJson,
  TrailEventJson,
  TrailJson,
  TrailSessionJson,
  UserJson,
  VisitorsNowJson,
} from '../collector/routes/json-types.js';

// The answers' shapes are defined once, by the collector; these are the dashboard's names for them.
export type User = UserJson;
export type Site = SiteJson;
export type SiteChanges = SiteChangesJson;
export type IpMode = NonNullable<SiteJson['ip_mode']>;
export type SiteStatus = SiteStatusJson;
export type PersonSummary = PersonSummaryJson;
export type PeoplePage = PeoplePageJson;
export type PeopleSort = PeopleSortJson;
export type SortOrder = PeoplePageJson['order'];
export type Touch = TouchJson;
export type Person = PersonJson;
export type Device = DeviceJson;
export type TrailEvent = TrailEventJson;
export type TrailSession = TrailSessionJson;
export type Trail = TrailJson;
export type Lead = LeadJson;
export type Overview = OverviewJson;
export type VisitorsNow = VisitorsNowJson;
export type ApiToken = TokenJson;
export type CreatedToken = CreatedTokenJson;
/** `track` props: the flat values the wire format allows. */
export type FlatProps = Record<string, string | number | boolean | null>;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let unauthorizedHandler: (() => void) | null = null;

/** Called on every 401 except a wrong password, so main.ts can show the login screen. */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(t('error.network'), 0);
  }
  const payload = await readJson(response);
  if (!response.ok) {
    // On the login call a 401 is simply a wrong password, shown on the form itself.
    if (response.status === 401 && path !== '/api/login') unauthorizedHandler?.();
    const serverMessage = isRecord(payload) && typeof payload.error === 'string' ? payload.error : null;
    throw new ApiError(
      serverMessage ?? t('error.status', { status: response.status }),
      response.status,
      isRecord(payload) ? payload.details : undefined,
    );
  }
  return payload as T;
}

/** 204s and proxies' HTML error pages carry no JSON; both are read as "no payload". */
async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const text = await response.text().catch(() => '');
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function query(parameters: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value) search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function logIn(password: string): Promise<void> {
  await request<{ ok: true }>('POST', '/api/login', { password });
}

export async function logOut(): Promise<void> {
  await request<null>('POST', '/api/logout');
}

export async function fetchCurrentUser(): Promise<User> {
  const { user } = await request<{ user: User }>('GET', '/api/me');
  return user;
}

/** 204 when changed; a wrong `current` is a 403 (not 401, which would mean "logged out"). */
export async function changePassword(change: PasswordChangeJson): Promise<void> {
  await request<null>('POST', '/api/password', change);
}

export async function listSites(): Promise<Site[]> {
  const { sites } = await request<{ sites: Site[] }>('GET', '/api/sites');
  return sites;
}

/** `time_zone`: the IANA zone the site's overview counts days in. */
export function createSite(input: { name: string; domains: string[]; time_zone: string }): Promise<Site> {
  return request<Site>('POST', '/api/sites', input);
}

/** Changes only the fields given; answers the site as it now is. */
export function updateSite(key: string, changes: SiteChanges): Promise<Site> {
  return request<Site>('PATCH', `/api/sites/${encodeURIComponent(key)}`, changes);
}

/** Whether the site's tag has sent events yet: the setup screen polls it. */
export function fetchSiteStatus(site: string): Promise<SiteStatus> {
  return request<SiteStatus>('GET', `/api/sites/${encodeURIComponent(site)}/status`);
}

/** The people list's filters; an empty value means "any". */
export interface PeopleFilters {
  search?: string;
  identified?: '' | 'true' | 'false';
  channel?: string;
  /** The IP address's country, two letters. */
  country?: string;
  /** Active between these days (YYYY-MM-DD, whole UTC days). */
  from?: string;
  to?: string;
}

/** Without `order` the collector picks the natural one for the sort and says which in the answer. */
export interface PeopleOrder {
  sort?: PeopleSort;
  order?: SortOrder;
}

export function listPeople(options: PeopleFilters & PeopleOrder & { site: string; cursor?: string | null }): Promise<PeoplePage> {
  const { site, search, identified, channel, country, from, to, sort, order, cursor } = options;
  return request('GET', `/api/visitors${query({ site, q: search, identified, channel, country, from, to, sort, order, cursor })}`);
}

export function fetchTrail(personId: string): Promise<Trail> {
  return request<Trail>('GET', `/api/people/${encodeURIComponent(personId)}/trail`);
}

export async function listLeads(site: string): Promise<Lead[]> {
  const { leads } = await request<{ leads: Lead[] }>('GET', `/api/leads${query({ site })}`);
  return leads;
}

/** Empty `from`/`to` leave the range to the collector (the last 30 days). */
export function fetchOverview(site: string, range: { from?: string; to?: string } = {}): Promise<Overview> {
  return request<Overview>('GET', `/api/overview${query({ site, from: range.from, to: range.to })}`);
}

/** People on the site in the last few minutes: the overview polls it. */
export function fetchVisitorsNow(site: string): Promise<VisitorsNow> {
  return request<VisitorsNow>('GET', `/api/overview/now${query({ site })}`);
}

/** A plain link, not a fetch: the browser sends the cookie and saves the file itself. */
export function leadsCsvUrl(site: string, range: { from?: string; to?: string } = {}): string {
  return `/api/leads.csv${query({ site, from: range.from, to: range.to })}`;
}

export async function listTokens(): Promise<ApiToken[]> {
  const { tokens } = await request<{ tokens: ApiToken[] }>('GET', '/api/tokens');
  return tokens;
}

export function createToken(name: string): Promise<CreatedToken> {
  return request<CreatedToken>('POST', '/api/tokens', { name });
}

export async function revokeToken(id: string | number): Promise<void> {
  await request<null>('DELETE', `/api/tokens/${encodeURIComponent(String(id))}`);
}
