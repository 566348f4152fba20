/**
 * The leads CSV of SPEC §6: UTF-8 with a byte-order mark (so Excel reads Chinese, Arabic and
 * accented names right), RFC 4180 quoting, one row per person, formula-guarded cells. Rows are
 * the same `LeadJson` records `GET /api/leads` answers, so the JSON and the CSV never disagree.
 */
import { stringify } from 'csv-stringify/sync';
import type { Lead } from '../repositories/leads.js';
import type { LeadJson } from '../routes/json-types.js';
import { isoTime } from '../routes/format.js';

/** SPEC §6, in this order. */
export const LEAD_CSV_COLUMNS = [
  'email', 'name', 'phone', 'company', 'country', 'message', 'first_seen', 'last_seen', 'sessions',
  'pageviews', 'forms', 'chats', 'first_channel', 'first_source', 'first_campaign', 'last_channel',
  'last_source', 'gclid', 'fbclid', 'ip_country', 'organisation', 'device', 'trail_url',
] as const satisfies ReadonlyArray<keyof LeadJson>;

/** Trail links open the person in the dashboard. */
export function trailUrl(publicUrl: string, personId: number): string {
  return `${publicUrl}/people/${personId}`;
}

export function leadJson(lead: Lead, publicUrl: string): LeadJson {
  return {
    id: lead.id,
    email: lead.email,
    name: lead.name,
    phone: lead.phone,
    company: lead.company,
    country: lead.country,
    message: lead.message,
    first_seen: isoTime(lead.firstSeen),
    last_seen: isoTime(lead.lastSeen),
    sessions: lead.sessions,
    pageviews: lead.pageviews,
    forms: lead.forms,
    chats: lead.chats,
    first_channel: lead.firstChannel,
    first_source: lead.firstSource,
    first_campaign: lead.firstCampaign,
    last_channel: lead.lastChannel,
    last_source: lead.lastSource,
    gclid: lead.gclid,
    fbclid: lead.fbclid,
    ip_country: lead.ipCountry,
    organisation: lead.organisation,
    device: lead.device,
    trail_url: trailUrl(publicUrl, lead.id),
  };
}

type Cell = string | number | null;

/**
 * A spreadsheet runs a cell starting with = + - @ (or a tab or CR that hides one) as a formula;
 * a leading apostrophe makes it text (OWASP CSV injection). Buyers type these into forms.
 */
export function guardFormula(cell: Cell): Cell {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function leadsToCsv(leads: readonly Lead[], publicUrl: string): string {
  const rows = leads.map((lead) => {
    const record = leadJson(lead, publicUrl);
    return LEAD_CSV_COLUMNS.map((column) => guardFormula(record[column]));
  });
  const csv = stringify(rows, {
    header: true,
    columns: [...LEAD_CSV_COLUMNS],
    record_delimiter: 'windows', // RFC 4180 says CRLF.
    // csv-stringify quotes only fields holding the record delimiter (CRLF); a message with a bare
    // LF must be quoted too, or the row breaks in two.
    quoted_match: /[\r\n]/,
    cast: { number: (value) => String(value) },
  });
  return `\uFEFF${csv}`;
}
