/**
 * People and their trails (SPEC §4): `GET /api/visitors` lists leads and anonymous visitors,
 * newest activity first unless `sort` and `order` say otherwise, optionally only
 * `identified=true|false`, one `channel`, one IP `country`, those active between `from` and `to`;
 * `GET /api/people/:id/trail` is one person's whole history across devices;
 * `DELETE /api/people/:id` erases a person and everything tied to them.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, parseOrThrow } from '../errors.js';
import { CHANNELS } from '../ingest/channel.js';
import {
  InvalidCursorError,
  PEOPLE_SORTS,
  SORT_ORDERS,
  type PeopleRepository,
  type PersonSummary,
  type Touchpoint,
  type Trail,
} from '../repositories/people.js';
import type { SiteRepository } from '../repositories/sites.js';
import { activeRangeSchema, isoTime } from './format.js';
import { siteFromQuery } from './sites.js';
import type { PeoplePageJson, PersonSummaryJson, TouchJson, TrailJson } from './json-types.js';

const listQuerySchema = z.object({
  q: z.string().max(200).optional(),
  identified: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true')),
  channel: z.enum(CHANNELS).optional(),
  /** The IP address's country, ISO 3166-1 alpha-2, in either case. */
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'a two-letter country code')
    .transform((code) => code.toUpperCase())
    .optional(),
  sort: z.enum(PEOPLE_SORTS).optional(),
  /** Left out: A to Z for text, newest or most first for times and counts; the answer says which. */
  order: z.enum(SORT_ORDERS).optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Unknown and malformed ids alike answer 404: there is no such person. */
function personIdFrom(params: unknown): number {
  const id = Number((params as { id?: string }).id);
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(404, 'no such person');
  return id;
}

const summaryJson = (person: PersonSummary): PersonSummaryJson => ({
  id: person.id,
  email: person.email,
  name: person.name,
  company: person.company,
  country: person.country,
  identified: person.identified,
  first_seen: isoTime(person.firstSeen),
  last_seen: isoTime(person.lastSeen),
  sessions: person.sessions,
  channel: person.channel,
  ip_country: person.ipCountry,
});

const touchJson = (touch: Touchpoint | null): TouchJson | null =>
  touch && { channel: touch.channel, source: touch.source, medium: touch.medium, campaign: touch.campaign, at: isoTime(touch.at) };

function trailJson(trail: Trail): TrailJson {
  const { person } = trail;
  return {
    person: {
      id: person.id,
      site: person.siteKey,
      email: person.email,
      name: person.name,
      phone: person.phone,
      company: person.company,
      country: person.country,
      message: person.message,
      identified: person.identified,
      first_seen: isoTime(person.firstSeen),
      last_seen: isoTime(person.lastSeen),
      first_touch: touchJson(person.firstTouch),
      last_touch: touchJson(person.lastTouch),
      click_ids: person.clickIds,
    },
    devices: trail.devices.map((device) => ({
      id: device.id,
      browser: device.browser,
      os: device.os,
      device: device.device,
      country: device.ipCountry,
      asn: device.asn,
      organisation: device.organisation,
      language: device.language,
      time_zone: device.timeZone,
      screen: device.screen,
      first_seen: isoTime(device.firstSeen),
      last_seen: isoTime(device.lastSeen),
    })),
    sessions: trail.sessions.map((session) => ({
      id: session.id,
      device: session.deviceId,
      started_at: isoTime(session.startedAt),
      ended_at: isoTime(session.endedAt),
      channel: session.channel,
      source: session.source,
      medium: session.medium,
      campaign: session.campaign,
      term: session.term,
      content: session.content,
      click_ids: session.clickIds,
      referrer: session.referrer,
      landing_page: session.landingPage,
      // The event's own wire fields (title, fields, provider, …) sit beside id, type, ts and url.
      events: session.events.map((event) => ({ ...event, ts: isoTime(event.ts) })),
    })),
  };
}

export async function peopleRoutes(app: FastifyInstance, { sites, people }: { sites: SiteRepository; people: PeopleRepository }): Promise<void> {
  app.get('/visitors', async (request): Promise<PeoplePageJson> => {
    const site = await siteFromQuery(sites, request.query);
    const { q, identified, channel, country, sort, order, cursor, limit } = parseOrThrow(listQuerySchema, request.query, 'query');
    const { from, to } = parseOrThrow(activeRangeSchema, request.query, 'date range');
    try {
      // A cursor is only valid with the filters and the order of the page that returned it.
      const page = await people.listPeople(site.id, { query: q, identified, channel, country, from, to, sort, order, cursor, limit });
      return { people: page.people.map(summaryJson), sort: page.sort, order: page.order, next: page.next };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new HttpError(400, error.message);
      throw error;
    }
  });

  app.get('/people/:id/trail', async (request): Promise<TrailJson> => {
    const trail = await people.findTrail(personIdFrom(request.params));
    if (!trail) throw new HttpError(404, 'no such person');
    return trailJson(trail);
  });

  app.delete('/people/:id', async (request, reply) => {
    // Batches acknowledged but not yet stitched could bring the person back: stitch them first.
    await app.ingest.settled();
    if (!(await people.erasePerson(personIdFrom(request.params)))) throw new HttpError(404, 'no such person');
    return reply.code(204).send();
  });
}
