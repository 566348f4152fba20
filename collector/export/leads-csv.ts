/**
 * The leads CSV of SPEC §6: UTF-8 with a byte-order mark (so Excel reads Chinese, Arabic and
 * accented names right), RFC 4180 quoting, one row per person, formula-guarded cells. The same
 * column mapping feeds `GET /api/leads`, so the JSON and the CSV never disagree.
 */
import { stringify } from 'csv-stringify/sync';
import type { Lead } from '../repositories/leads.js';
import { isoTime } from '../routes/format.js';

type Cell = string | number | null;

/** Trail links point at the dashboard's person screen. */
export function trailUrl(publicUrl: string, personId: number): string {
  return `${publicUrl}/people/${personId}`;
}

/** SPEC §6, in this order. */
export const LEAD_COLUMNS: ReadonlyArray<readonly [string, (lead: Lead, publicUrl: string) => Cell]> = [
  ['email', (lead) => lead.email],
  ['name', (lead) => lead.name],
  ['phone', (lead) => lead.phone],
  ['company', (lead) => lead.company],
  ['country', (lead) => lead.country],
  ['message', (lead) => lead.message],
  ['first_seen', (lead) => isoTime(lead.firstSeen)],
  ['last_seen', (lead) => isoTime(lead.lastSeen)],
  ['sessions', (lead) => lead.sessions],
  ['pageviews', (lead) => lead.pageviews],
  ['forms', (lead) => lead.forms],
  ['chats', (lead) => lead.chats],
  ['first_channel', (lead) => lead.firstChannel],
  ['first_source', (lead) => lead.firstSource],
  ['first_campaign', (lead) => lead.firstCampaign],
  ['last_channel', (lead) => lead.lastChannel],
  ['last_source', (lead) => lead.lastSource],
  ['gclid', (lead) => lead.gclid],
  ['fbclid', (lead) => lead.fbclid],
  ['ip_country', (lead) => lead.ipCountry],
  ['organisation', (lead) => lead.organisation],
  ['device', (lead) => lead.device],
  ['trail_url', (lead, publicUrl) => trailUrl(publicUrl, lead.id)],
];

/** A lead as a record keyed by the CSV column names. */
export function leadRecord(lead: Lead, publicUrl: string): Record<string, Cell> {
  return Object.fromEntries(LEAD_COLUMNS.map(([column, value]) => [column, value(lead, publicUrl)]));
}

/**
 * A spreadsheet runs a cell starting with = + - @ (or a tab or CR that hides one) as a formula;
 * a leading apostrophe makes it text (OWASP CSV injection). Buyers type these into forms.
 */
export function guardFormula(cell: Cell): Cell {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function leadsToCsv(leads: readonly Lead[], publicUrl: string): string {
  const rows = leads.map((lead) => LEAD_COLUMNS.map(([, value]) => guardFormula(value(lead, publicUrl))));
  const csv = stringify(rows, {
    header: true,
    columns: LEAD_COLUMNS.map(([column]) => column),
    record_delimiter: 'windows', // RFC 4180 says CRLF.
    // csv-stringify quotes only fields holding the record delimiter (CRLF); a message with a bare
    // LF must be quoted too, or the row breaks in two.
    quoted_match: /[\r\n]/,
    cast: { number: (value) => String(value) },
  });
  return `\uFEFF${csv}`;
}
