/**
 * Leads: identified people of a site with the figures a sales team sorts by — one row each, the
 * rows of the CSV export (SPEC §6) and of `GET /api/leads`.
 */
import type { SqliteDatabase } from '../db/open.js';
import type { Channel } from '../ingest/channel.js';
import { parseClickIds } from './people.js';

export interface Lead {
  id: number;
  email: string;
  name: string | null;
  phone: string | null;
  company: string | null;
  country: string | null;
  message: string | null;
  firstSeen: number;
  lastSeen: number;
  sessions: number;
  pageviews: number;
  forms: number;
  chats: number;
  firstChannel: Channel | null;
  firstSource: string | null;
  firstCampaign: string | null;
  lastChannel: Channel | null;
  lastSource: string | null;
  gclid: string | null;
  fbclid: string | null;
  ipCountry: string | null;
  organisation: string | null;
  /** e.g. "desktop · Chrome · Windows" for the browser seen last. */
  device: string | null;
}

export interface LeadRepository {
  /** Leads active between `from` and `to` (ms, inclusive), newest activity first. */
  listLeads(siteId: number, range: { from?: number; to?: number }): Promise<Lead[]>;
}

interface LeadRow {
  id: number;
  email: string;
  name: string | null;
  phone: string | null;
  company: string | null;
  country: string | null;
  message: string | null;
  first_seen: number;
  last_seen: number;
}

interface SessionTouchRow {
  channel: Channel;
  source: string | null;
  campaign: string | null;
  click_ids: string | null;
}

export function createLeadRepository(database: SqliteDatabase): LeadRepository {
  const statements = {
    leads: database.prepare(`SELECT id, email, name, phone, company, country, message, first_seen, last_seen FROM people
      WHERE site_id = @siteId AND email IS NOT NULL AND last_seen >= @from AND first_seen <= @to ORDER BY last_seen DESC, id DESC`),
    sessionCount: database.prepare('SELECT count(*) FROM sessions WHERE person_id = ?').pluck(),
    eventCounts: database.prepare(`SELECT events.type, count(*) AS count FROM sessions
      JOIN events ON events.visitor_id = sessions.visitor_id AND events.session_id = sessions.id
      WHERE sessions.person_id = ? AND events.type IN ('pageview', 'form_submit', 'chat_open') GROUP BY events.type`),
    sessionsInOrder: database.prepare('SELECT channel, source, campaign, click_ids FROM sessions WHERE person_id = ? ORDER BY started_at, id'),
    latestDevice: database.prepare(`SELECT device, browser, os, ip_country, organisation FROM visitors
      WHERE id IN (SELECT visitor_id FROM sessions WHERE person_id = @personId) OR person_id = @personId ORDER BY last_seen DESC LIMIT 1`),
  };

  const toLead = (row: LeadRow): Lead => {
    const counts = new Map(
      (statements.eventCounts.all(row.id) as Array<{ type: string; count: number }>).map((entry) => [entry.type, entry.count]),
    );
    const sessions = statements.sessionsInOrder.all(row.id) as SessionTouchRow[];
    const first = sessions[0];
    const last = sessions.at(-1);
    // The click ids that brought the buyer most recently win: that is the ad to credit.
    const clickIds = Object.assign({}, ...sessions.map((session) => parseClickIds(session.click_ids))) as Record<string, string | undefined>;
    const device = statements.latestDevice.get({ personId: row.id }) as
      | { device: string | null; browser: string | null; os: string | null; ip_country: string | null; organisation: string | null }
      | undefined;
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      phone: row.phone,
      company: row.company,
      country: row.country,
      message: row.message,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      sessions: statements.sessionCount.get(row.id) as number,
      pageviews: counts.get('pageview') ?? 0,
      forms: counts.get('form_submit') ?? 0,
      chats: counts.get('chat_open') ?? 0,
      firstChannel: first?.channel ?? null,
      firstSource: first?.source ?? null,
      firstCampaign: first?.campaign ?? null,
      lastChannel: last?.channel ?? null,
      lastSource: last?.source ?? null,
      gclid: clickIds.gclid ?? null,
      fbclid: clickIds.fbclid ?? null,
      ipCountry: device?.ip_country ?? null,
      organisation: device?.organisation ?? null,
      device: device ? [device.device, device.browser, device.os].filter(Boolean).join(' · ') || null : null,
    };
  };

  return {
    async listLeads(siteId, { from = 0, to = Number.MAX_SAFE_INTEGER }) {
      return (statements.leads.all({ siteId, from, to }) as LeadRow[]).map(toLead);
    },
  };
}
