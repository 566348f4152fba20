/**
 * Stitching: turns one validated, enriched batch into visitors, sessions, people and stored events
 * (SPEC §5). The rules live here; the SQL lives behind `StitchStore` (repositories/ingest.ts), which
 * runs this inside one transaction, so a batch is stored whole or not at all.
 */
import { attributeTouch, campaignKey, type Touch } from './channel.js';
import { normalizeEmail } from './email.js';
import type { ValidEvent } from './schema.js';
import type { DeviceFacts } from './enrich.js';

/** A session ends after 30 minutes without an event (GA4 and every analytics tool agree). */
export const SESSION_IDLE_MS = 30 * 60_000;
/** …and after 24 hours at most, so a tab left open for days does not make one endless session. */
export const SESSION_MAX_MS = 24 * 60 * 60_000;

export interface IngestBatch {
  siteId: number;
  siteDomains: readonly string[];
  /** The browser's own visitor id from the wire. */
  visitorClientId: string;
  receivedAt: number;
  device: DeviceFacts & { language: string | null; timeZone: string | null; screen: string | null };
  /** Events with `ts` already corrected for clock skew, in any order. */
  events: ValidEvent[];
}

export interface VisitorRecord {
  id: number;
  personId: number;
}

export interface SessionRecord {
  id: number;
  personId: number;
  startedAt: number;
  endedAt: number;
  campaignKey: string | null;
  touch: Touch;
  referrer: string | null;
  landingPage: string | null;
}

export interface PersonRecord {
  id: number;
  email: string | null;
}

/** Person fields a form or `identify` can fill in. */
export interface Traits {
  name?: string;
  phone?: string;
  company?: string;
  country?: string;
  message?: string;
}

export interface NewSession {
  visitorId: number;
  personId: number;
  at: number;
  touch: Touch;
  campaignKey: string | null;
  referrer: string | null;
  landingPage: string | null;
}

/** Synchronous storage operations, all called inside one transaction. */
export interface StitchStore {
  findVisitor(siteId: number, clientId: string): VisitorRecord | null;
  createVisitor(batch: IngestBatch, personId: number, at: number): VisitorRecord;
  updateVisitor(visitorId: number, batch: IngestBatch, lastSeen: number): void;
  createPerson(siteId: number, email: string | null, at: number): number;
  findPerson(personId: number): PersonRecord;
  findPersonByEmail(siteId: number, email: string): PersonRecord | null;
  setPersonEmail(personId: number, email: string): void;
  /** Moves every session and browser of `fromPersonId` to `toPersonId` and deletes the emptied person. */
  mergeAnonymousPerson(fromPersonId: number, toPersonId: number): void;
  linkVisitor(visitorId: number, personId: number, at: number): void;
  updateTraits(personId: number, traits: Traits): void;
  touchPerson(personId: number, at: number): void;
  hasEvent(visitorId: number, clientEventId: string): boolean;
  /** The visitor's latest session that started at or before `at`. */
  findSessionBefore(visitorId: number, at: number): SessionRecord | null;
  /** The visitor's earliest session that started after `at`. */
  findSessionAfter(visitorId: number, at: number): SessionRecord | null;
  createSession(session: NewSession): number;
  /** Widens a session's time span; with `landing`, the session gets an earlier landing page view. */
  stretchSession(sessionId: number, startedAt: number, endedAt: number, landing?: Omit<NewSession, 'visitorId' | 'personId' | 'at'>): void;
  insertEvent(visitorId: number, sessionId: number, event: ValidEvent, receivedAt: number): void;
}

export function stitchBatch(store: StitchStore, batch: IngestBatch): void {
  const events = [...batch.events].sort((a, b) => a.ts - b.ts);
  const firstTs = events[0]!.ts;
  let visitor = store.findVisitor(batch.siteId, batch.visitorClientId);
  if (!visitor) {
    const personId = store.createPerson(batch.siteId, null, firstTs);
    visitor = store.createVisitor(batch, personId, firstTs);
    store.linkVisitor(visitor.id, personId, firstTs);
  }

  let lastSeen = firstTs;
  for (const event of events) {
    if (store.hasEvent(visitor.id, event.id)) continue;
    // Identify before placing the event, so the identifying event already belongs to its person.
    const identity = identityOf(event);
    if (identity) visitor = identifyVisitor(store, batch.siteId, visitor, identity, event.ts);
    const sessionId = placeInSession(store, batch, visitor, event);
    store.insertEvent(visitor.id, sessionId, event, batch.receivedAt);
    store.touchPerson(visitor.personId, event.ts);
    lastSeen = Math.max(lastSeen, event.ts);
  }
  store.updateVisitor(visitor.id, batch, lastSeen);
}

interface Identity {
  email: string | null;
  traits: Traits;
}

/** The email and traits an `identify` or a form fill carries; null for other events. */
function identityOf(event: ValidEvent): Identity | null {
  const values = event.type === 'identify' ? event.traits : event.type === 'form_submit' ? event.fields : null;
  if (!values) return null;
  const traits: Traits = {};
  for (const key of ['name', 'phone', 'company', 'country', 'message'] as const) {
    const value = values[key]?.trim();
    if (value) traits[key] = value;
  }
  const email = normalizeEmail(values.email);
  if (!email && Object.keys(traits).length === 0) return null;
  return { email, traits };
}

/**
 * Ties the browser to the person with this email. An anonymous browser's history joins that
 * person; a browser already tied to a *different* email moves on to the new person for its later
 * events, and the first keeps what came before — two identified people are never merged.
 */
function identifyVisitor(store: StitchStore, siteId: number, visitor: VisitorRecord, identity: Identity, at: number): VisitorRecord {
  const current = store.findPerson(visitor.personId);
  const email = identity.email;
  let personId = current.id;
  if (email && current.email !== email) {
    const existing = store.findPersonByEmail(siteId, email);
    if (current.email === null) {
      if (existing) {
        store.mergeAnonymousPerson(current.id, existing.id);
        personId = existing.id;
      } else {
        store.setPersonEmail(current.id, email);
      }
    } else {
      personId = existing?.id ?? store.createPerson(siteId, email, at);
    }
    store.linkVisitor(visitor.id, personId, at);
  }
  store.updateTraits(personId, identity.traits);
  return { id: visitor.id, personId };
}

/** Finds or opens the session an event belongs to, by its time, its campaign and its person. */
function placeInSession(store: StitchStore, batch: IngestBatch, visitor: VisitorRecord, event: ValidEvent): number {
  const touch = attributeTouch({
    url: event.url,
    referrer: event.type === 'pageview' ? event.referrer : null,
    siteDomains: batch.siteDomains,
  });
  // Only a page view can bring a new campaign; other events repeat the URL of a page already seen.
  const eventCampaign = event.type === 'pageview' ? campaignKey(touch) : null;
  const landing = { touch, campaignKey: eventCampaign, referrer: event.type === 'pageview' ? event.referrer || null : null, landingPage: event.url };

  const before = store.findSessionBefore(visitor.id, event.ts);
  if (before && before.personId === visitor.personId && coversTime(before, event.ts) && !isNewCampaign(before, eventCampaign)) {
    store.stretchSession(before.id, before.startedAt, Math.max(before.endedAt, event.ts));
    return before.id;
  }

  // A late or re-sent event from just before a session that is already stored (the landing page
  // view of a retried batch, say) joins it and, being a page view, becomes its landing.
  const after = store.findSessionAfter(visitor.id, event.ts);
  if (after && after.personId === visitor.personId && after.startedAt - event.ts <= SESSION_IDLE_MS && after.endedAt - event.ts < SESSION_MAX_MS && canLeadInto(after, event, eventCampaign)) {
    store.stretchSession(after.id, event.ts, after.endedAt, event.type === 'pageview' ? landing : undefined);
    return after.id;
  }

  // The browser switched to another person mid-visit: the visit goes on, under the new person.
  if (before && before.personId !== visitor.personId && coversTime(before, event.ts) && !isNewCampaign(before, eventCampaign)) {
    const { touch: continuedTouch, campaignKey: continuedCampaign, referrer, landingPage } = before;
    return store.createSession({ visitorId: visitor.id, personId: visitor.personId, at: event.ts, touch: continuedTouch, campaignKey: continuedCampaign, referrer, landingPage });
  }
  return store.createSession({ visitorId: visitor.id, personId: visitor.personId, at: event.ts, ...landing });
}

function coversTime(session: SessionRecord, at: number): boolean {
  return at - session.endedAt <= SESSION_IDLE_MS && at - session.startedAt < SESSION_MAX_MS;
}

/** A page view with campaign parameters other than the session's starts a new session. */
function isNewCampaign(session: SessionRecord, eventCampaign: string | null): boolean {
  return eventCampaign !== null && eventCampaign !== session.campaignKey;
}

/**
 * Whether an event earlier than a session can open it. A page view without campaign parameters
 * cannot precede a session that a campaign opened: that campaign's arrival is what started it.
 */
function canLeadInto(session: SessionRecord, event: ValidEvent, eventCampaign: string | null): boolean {
  if (event.type !== 'pageview') return true;
  return session.campaignKey === null || session.campaignKey === eventCampaign;
}
