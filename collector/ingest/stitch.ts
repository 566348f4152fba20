/**
 * Stitching: turns one validated, enriched batch into visitors, sessions, people and stored events
 * (SPEC §5). The rules live here; the SQL lives behind `StitchStore` (repositories/ingest.ts), which
 * runs this inside one transaction, so a batch is stored whole or not at all.
 *
 * Cost matters (this runs for every beacon): a batch reads its visitor, the ids it already stored
 * and the sessions around its first event once, keeps them in memory while it places its events,
 * and writes each touched session and person once at the end.
 */
import { attributeTouch, campaignKey, type Touch } from './channel.js';
import { chooseClockOffset, correctClock } from './clock.js';
import { normalizeEmail } from './email.js';
import type { ValidEvent } from './schema.js';
import type { DeviceFacts } from './enrich.js';

/** A session ends after 30 minutes without an event (GA4 and every analytics tool agree). */
const SESSION_IDLE_MS = 30 * 60_000;
/** …and after 24 hours at most, so a tab left open for days does not make one endless session. */
const SESSION_MAX_MS = 24 * 60 * 60_000;
/**
 * A new browser's link to its anonymous person holds from the start of time, not from its first
 * event stored: an earlier event of the browser may arrive later, and a switch to another email it
 * carries comes after that first link, not before it (migration 008 moved older browsers' first links).
 */
const FIRST_LINK_AT = 0;

export interface IngestBatch {
  siteId: number;
  siteDomains: readonly string[];
  /** The browser's own visitor id from the wire. */
  visitorClientId: string;
  device: DeviceFacts & { language: string | null; timeZone: string | null; screen: string | null };
  /**
   * received_at − sent_at as this batch measured it (clock.ts). Absent in the batches an earlier
   * version left in its inbox table, whose events it had already moved to the server's clock.
   */
  clockOffset?: number;
  /** Events in any order, with `ts` on the browser's clock (on the server's when `clockOffset` is absent). */
  events: ValidEvent[];
}

export interface VisitorRecord {
  id: number;
  personId: number;
  /** The device facts as stored, in the store's own form: unchanged facts are not written again. */
  storedDevice: string;
  /** The smallest clock offset its beacons measured (clock.ts); null before the first that kept it. */
  clockOffset: number | null;
}

/** Where a session came from: what its landing page view carried. */
export interface Landing {
  touch: Touch;
  campaignKey: string | null;
  referrer: string | null;
  landingPage: string | null;
}

export interface SessionRecord extends Landing {
  id: number;
  personId: number;
  startedAt: number;
  endedAt: number;
}

export interface PersonRecord {
  id: number;
  email: string | null;
}

/** The browser belongs to `personId` from `linkedAt` on (`identity_links`), until its next link. */
export interface IdentityLink {
  personId: number;
  linkedAt: number;
}

/** A page view as stored: what it can still say about where a session came from. */
export interface StoredPageview {
  ts: number;
  url: string;
  referrer: string | null;
}

/** Person fields a form or `identify` can fill in. */
export interface Traits {
  name?: string;
  phone?: string;
  company?: string;
  country?: string;
  message?: string;
}

/** Synchronous storage operations, all called inside one transaction. */
export interface StitchStore {
  findVisitor(siteId: number, clientId: string): VisitorRecord | null;
  createVisitor(batch: IngestBatch, personId: number, at: number, clockOffset: number | null): VisitorRecord;
  updateVisitor(visitor: VisitorRecord, batch: IngestBatch, lastSeen: number, clockOffset: number | null): void;
  createPerson(siteId: number, email: string | null, at: number): number;
  findPerson(personId: number): PersonRecord;
  findPersonByEmail(siteId: number, email: string): PersonRecord | null;
  setPersonEmail(personId: number, email: string): void;
  /** Moves every session and browser of `fromPersonId` to `toPersonId` and deletes the emptied person. */
  mergeAnonymousPerson(fromPersonId: number, toPersonId: number): void;
  /** Records that the browser belongs to the person from `at` on. */
  linkVisitor(visitorId: number, personId: number, at: number): void;
  /** The browser's link at `at` is `toPersonId`'s instead of `fromPersonId`'s. */
  relinkVisitor(visitorId: number, fromPersonId: number, toPersonId: number, at: number): void;
  /** The browser's links, oldest first. */
  linksOf(visitorId: number): IdentityLink[];
  /** The person the browser belongs to now (its latest link's). */
  setVisitorPerson(visitorId: number, personId: number): void;
  updateTraits(personId: number, traits: Traits): void;
  /** The values of the person's stored identifications (`identify`'s traits, a form's fields), oldest first. */
  findIdentificationValuesOf(personId: number): Array<Record<string, string>>;
  /** Widens a person's first/last seen to include [firstSeen, lastSeen]. */
  touchPerson(personId: number, firstSeen: number, lastSeen: number): void;
  /** Sets a person's first/last seen to their sessions' (after sessions moved away from them). */
  recountPersonTimes(personId: number): void;
  /** Whether the visitor has events stored after `at`. */
  hasEventsAfter(visitorId: number, at: number): boolean;
  /** The visitor's stored identifications (`identify`, `form_submit`) after `after` and before `until` (null: on), oldest first, with the email as sent. */
  findIdentificationsBetween(visitorId: number, after: number, until: number | null): Array<{ ts: number; email: string | null }>;
  /** Which of these event ids the visitor already has stored. */
  findStoredEventIds(visitorId: number, clientEventIds: string[]): Set<string>;
  /** The visitor's latest session that started at or before `at`. */
  findSessionBefore(visitorId: number, at: number): SessionRecord | null;
  /** The visitor's earliest session that started after `at`. */
  findSessionAfter(visitorId: number, at: number): SessionRecord | null;
  createSession(visitorId: number, personId: number, at: number, landing: Landing): number;
  /** The browser's session of another person than `personId` that started before `at` and has events from `at` on. */
  findSessionAcross(visitorId: number, at: number, personId: number): SessionRecord | null;
  /**
   * Gives `personId` the browser's sessions of other people that started from `at` until `until`
   * (null: from `at` on). Returns the people they belonged to.
   */
  handOverSessions(visitorId: number, personId: number, at: number, until: number | null): number[];
  /** Writes a session's time span as it now is. */
  saveSessionSpan(session: SessionRecord): void;
  /** Moves a session's events into another session of the same browser, and deletes it. */
  mergeSessionInto(visitorId: number, from: SessionRecord, intoSessionId: number): void;
  /**
   * Moves a session's events from `at` on into another session of the same browser. Returns the
   * time of the latest event moved and of the latest left behind (null: none).
   */
  moveEventsFrom(visitorId: number, from: SessionRecord, at: number, intoSessionId: number): { lastMoved: number | null; lastLeft: number | null };
  /** Writes a session's landing (attribution, referrer, landing page) as it now is. */
  saveSessionLanding(session: SessionRecord): void;
  /** A session's first event stored: its type and URL (null: none yet). */
  findFirstEvent(visitorId: number, sessionId: number): { type: ValidEvent['type']; url: string } | null;
  /** A session's page views from `at` on, oldest first, with the URL and referrer they came with (read as the caller goes). */
  findPageviewsFrom(visitorId: number, sessionId: number, at: number): Iterable<StoredPageview>;
  insertEvent(siteId: number, visitorId: number, sessionId: number, event: ValidEvent): void;
}

export function stitchBatch(store: StitchStore, batch: IngestBatch): void {
  let visitor = store.findVisitor(batch.siteId, batch.visitorClientId);
  const { events: placed, clockOffset } = placeOnServersClock(batch, visitor?.clockOffset ?? null);
  const events = [...placed].sort((a, b) => a.ts - b.ts);
  const firstTs = events[0]!.ts;
  let stored = new Set<string>();
  let links: IdentityLink[];
  if (visitor) {
    stored = store.findStoredEventIds(visitor.id, events.map((event) => event.id));
    links = store.linksOf(visitor.id);
  } else {
    const personId = store.createPerson(batch.siteId, null, firstTs);
    visitor = store.createVisitor(batch, personId, firstTs, clockOffset);
    store.linkVisitor(visitor.id, personId, FIRST_LINK_AT);
    links = [{ personId, linkedAt: FIRST_LINK_AT }];
  }

  const sessions = new SessionCursor(store, visitor.id, batch.siteDomains);
  const identities = new IdentityHistory(store, visitor, links);
  const personSpans = new Map<number, { first: number; last: number }>();
  const recount = new Set<number>();
  /** People a late identification gave traits: theirs are taken in time order once the batch is stored. */
  const retrait = new Set<number>();
  let lastSeen = firstTs;
  for (const event of events) {
    // A re-sent event (or the same id twice in one batch) is stored once.
    if (stored.has(event.id)) continue;
    stored.add(event.id);
    // Identify before placing the event, so the identifying event already belongs to its person.
    const identity = identityOf(event);
    let late: boolean | undefined;
    const identified = identity ? identifyVisitor(store, batch.siteId, identities, identity, event.ts, () => (late ??= sessions.hasEventsAfter(event.ts))) : null;
    if (identified && identified.mergedFrom !== null) {
      sessions.personMerged(identified.mergedFrom, identified.personId);
      moveSpan(personSpans, identified.mergedFrom, identified.personId);
      for (const people of [recount, retrait]) if (people.delete(identified.mergedFrom)) people.add(identified.personId);
    }
    if (identified?.traitsLate) retrait.add(identified.personId);
    let handedOverUntil: number[] = [];
    if (identified && identified.lateSwitches.length > 0) {
      const context = { store, siteId: batch.siteId, visitorId: visitor.id, identities, sessions, recount };
      handedOverUntil = identified.lateSwitches.flatMap((switched) => handOverLateSwitch(context, switched));
    }
    const personId = identities.personAt(event.ts);
    const sessionId = sessions.place(event, personId);
    store.insertEvent(batch.siteId, visitor.id, sessionId, event);
    // Only now that every switch is handed over and the identification placed: joined before, a
    // visit could still be split by the next switch, or span the visit the identification opens.
    for (const end of handedOverUntil) sessions.joinAcross(end);
    const span = personSpans.get(personId);
    personSpans.set(personId, { first: Math.min(span?.first ?? event.ts, event.ts), last: Math.max(span?.last ?? event.ts, event.ts) });
    lastSeen = Math.max(lastSeen, event.ts);
  }
  sessions.save();
  // People whose sessions a late switch moved: their times are their sessions' now, which the
  // batch's spans (kept by the person each event had when placed) must not widen again.
  for (const id of recount) store.recountPersonTimes(id);
  for (const [personId, span] of personSpans) if (!recount.has(personId)) store.touchPerson(personId, span.first, span.last);
  // A late form's name or message may be older than the person's: the newest of each stays.
  for (const id of retrait) store.updateTraits(id, Object.assign({}, ...store.findIdentificationValuesOf(id).map((values) => identityFrom(values)?.traits)));
  store.updateVisitor(visitor, batch, lastSeen, clockOffset);
}

/**
 * The batch's events on the server's clock, moved by the offset `chooseClockOffset` picks for the
 * browser from the one the batch measured and its best so far (clock.ts), and that offset, which
 * the browser keeps as its best.
 */
function placeOnServersClock(batch: IngestBatch, best: number | null): { events: readonly ValidEvent[]; clockOffset: number | null } {
  if (batch.clockOffset === undefined) return { events: batch.events, clockOffset: best };
  const clockOffset = chooseClockOffset(best, batch.clockOffset);
  return { events: correctClock(batch.events, clockOffset), clockOffset };
}

/** A merged-away person no longer exists: what this batch saw of it belongs to the survivor. */
function moveSpan(spans: Map<number, { first: number; last: number }>, from: number, to: number): void {
  const moved = spans.get(from);
  if (!moved) return;
  spans.delete(from);
  const existing = spans.get(to);
  spans.set(to, existing ? { first: Math.min(existing.first, moved.first), last: Math.max(existing.last, moved.last) } : moved);
}

interface Identity {
  email: string | null;
  traits: Traits;
}

/** The email and traits an `identify` or a form fill carries; null for other events. */
function identityOf(event: ValidEvent): Identity | null {
  const values = event.type === 'identify' ? event.traits : event.type === 'form_submit' ? event.fields : null;
  return values ? identityFrom(values) : null;
}

/** The email and traits in an identification's values (`identify`'s traits, a form's fields); null if neither. */
function identityFrom(values: Readonly<Record<string, string | undefined>>): Identity | null {
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
 * The people a browser has belonged to over time (its links, oldest first, the first from
 * `FIRST_LINK_AT`). An event belongs to the person of its own time — the latest link at or before
 * it — not to whoever the browser is now: a late event (a retry, the beacon of a page that unloaded)
 * sent before the browser switched to another email stays with the first person.
 */
class IdentityHistory {
  private current: number;

  constructor(
    private readonly store: StitchStore,
    private readonly visitor: VisitorRecord,
    private links: IdentityLink[],
  ) {
    this.current = visitor.personId;
  }

  personAt(ts: number): number {
    let personId = this.links[0]?.personId ?? this.current;
    for (const link of this.links) {
      if (link.linkedAt > ts) break;
      personId = link.personId;
    }
    return personId;
  }

  /**
   * From `at` on, the browser belongs to `personId` — and now, unless it has a later link already.
   * Returns when its next link takes over (null: none does).
   */
  link(personId: number, at: number): number | null {
    this.store.linkVisitor(this.visitor.id, personId, at);
    const later = this.links.findIndex((link) => link.linkedAt > at);
    if (later !== -1) {
      this.links.splice(later, 0, { personId, linkedAt: at });
      return this.links[later + 1]!.linkedAt;
    }
    this.links.push({ personId, linkedAt: at });
    if (personId !== this.current) this.store.setVisitorPerson(this.visitor.id, personId);
    this.current = personId;
    return null;
  }

  /**
   * When the browser, at `at` still on its first link, identified as that link's person (`email`),
   * if that was after `at` (null: it was before, or there is none, and the browser was theirs at
   * `at`). The first person of an anonymous browser takes their email from whichever identification
   * is stitched first, which a late one may precede.
   */
  firstIdentifiedAfter(at: number, email: string): number | null {
    const next = this.links[1];
    if (next && next.linkedAt <= at) return null;
    const identified = this.store.findIdentificationsBetween(this.visitor.id, FIRST_LINK_AT, next?.linkedAt ?? null).find((stored) => normalizeEmail(stored.email) === email);
    return identified && identified.ts > at ? identified.ts : null;
  }

  /**
   * The browser's first link becomes `personId`'s, and its first person's link starts at `from`, when
   * it identified as them. Returns when the browser's next link takes over from them (null: none does).
   */
  giveFirstLink(personId: number, from: number): number | null {
    const first = this.links[0]!;
    this.store.relinkVisitor(this.visitor.id, first.personId, personId, first.linkedAt);
    this.links[0] = { personId, linkedAt: first.linkedAt };
    return this.link(first.personId, from);
  }

  /** The store merged `from` into `to` (its links and browsers with it). */
  personMerged(from: number, to: number): void {
    this.links = this.links.map((link) => (link.personId === from ? { ...link, personId: to } : link));
    if (this.current === from) this.current = to;
  }
}

/**
 * Ties the browser to the person with this email from `at` on. An anonymous browser's history joins
 * that person; a browser tied to a *different* email at that time moves on to the new person, and
 * the first keeps what came before — two identified people are never merged. A late identification
 * (older than the browser's latest link) does not take the browser back from who it is now. Returns
 * the late switches between identified people it made, in time order, whose time is still to hand
 * over, and whether its traits are late (the browser has events after it).
 */
function identifyVisitor(
  store: StitchStore,
  siteId: number,
  identities: IdentityHistory,
  identity: Identity,
  at: number,
  isLate: () => boolean,
): { personId: number; mergedFrom: number | null; lateSwitches: Switch[]; traitsLate: boolean } {
  const current = store.findPerson(identities.personAt(at));
  const email = identity.email;
  let personId = current.id;
  let mergedFrom: number | null = null;
  const lateSwitches: Switch[] = [];
  if (email && current.email !== email) {
    const existing = store.findPersonByEmail(siteId, email);
    // The anonymous person becomes the identified one, or joins them: the browser's links go with
    // it, so its history already says whose it is.
    if (current.email === null) {
      if (existing) {
        store.mergeAnonymousPerson(current.id, existing.id);
        identities.personMerged(current.id, existing.id);
        mergedFrom = current.id;
        personId = existing.id;
      } else {
        store.setPersonEmail(current.id, email);
      }
    } else {
      personId = existing?.id ?? store.createPerson(siteId, email, at);
      // Only a late switch (a retry, the beacon of a page that unloaded) has events stored after it.
      // One stitched in order has none: an event of its own millisecond, stitched before it, stays
      // with the person before, as it would in one batch.
      const late = isLate();
      const identifiedLater = late ? identities.firstIdentifiedAfter(at, current.email) : null;
      if (identifiedLater === null) {
        const until = identities.link(personId, at);
        if (late) lateSwitches.push({ personId, email, at, until });
      } else {
        // Late, and the first identification in time: the browser was still anonymous at `at`, so, as
        // in order, its past is this person's, until it identified as the other.
        const until = identities.giveFirstLink(personId, identifiedLater);
        lateSwitches.push({ personId, email, at: FIRST_LINK_AT, until: identifiedLater }, { personId: current.id, email: current.email, at: identifiedLater, until });
      }
    }
  }
  // A late identification's traits may be older than the person's; they are sorted out once the
  // batch is stored (`traitsLate`).
  const traitsLate = Object.keys(identity.traits).length > 0 && isLate();
  if (!traitsLate) store.updateTraits(personId, identity.traits);
  return { personId, mergedFrom, lateSwitches, traitsLate };
}

/** The browser was linked to another identified person, `personId` (`email`), at `at`, until its next link (`until`; null: none). */
interface Switch {
  personId: number;
  email: string;
  at: number;
  until: number | null;
}

/**
 * The browser switched to another person, and the switch is late: what the browser did from then
 * until its next link is stored already, under the person before. It goes to the switch's person
 * (`SessionCursor.handOver`). A stored identification in that time with another
 * email was a switch too, which stitching could not see as one while the late one was missing: it
 * is linked now, and keeps itself and what follows it. Returns the times where what was handed
 * over ends (the next links').
 */
function handOverLateSwitch(
  context: { store: StitchStore; siteId: number; visitorId: number; identities: IdentityHistory; sessions: SessionCursor; recount: Set<number> },
  { personId, email, at, until }: Switch,
): number[] {
  const { store, siteId, visitorId, identities, sessions, recount } = context;
  const switchBack = store
    .findIdentificationsBetween(visitorId, at, until)
    .map((stored) => ({ at: stored.ts, email: normalizeEmail(stored.email) }))
    .find((stored): stored is { at: number; email: string } => stored.email !== null && stored.email !== email);
  const end = switchBack?.at ?? until;
  const previousPeople = sessions.handOver(personId, at, end);
  // What the browser did from `end` on is the next link's person's: the visit handed over goes on
  // under them, as it did when their identification was stitched — unless that was no switch then.
  const nextPersonId = end === null ? personId : identities.personAt(end);
  if (nextPersonId !== personId) previousPeople.push(...sessions.continueAs(nextPersonId, end!));
  if (previousPeople.length > 0) for (const id of [...previousPeople, personId, nextPersonId]) recount.add(id);
  const ends = end === null ? [] : [end];
  if (!switchBack) return ends;
  const backTo = store.findPersonByEmail(siteId, switchBack.email)?.id ?? store.createPerson(siteId, switchBack.email, switchBack.at);
  return [...ends, ...handOverLateSwitch(context, { personId: backTo, email: switchBack.email, at: switchBack.at, until: identities.link(backTo, switchBack.at) })];
}

/** A stored page view at `at` with a campaign other than the visit it is stored in now has: it opens a visit of its own. */
interface CampaignReturn {
  at: number;
  landing: Landing;
}

/**
 * The visitor's sessions around the events being placed, read once and kept in memory: `before`
 * is the latest session that started at or before the last placed event, `after` the next one
 * already stored (or null). Events come in time order, so both stay right until an event reaches
 * `after`. Changed sessions are written once, by `save()`.
 */
class SessionCursor {
  private before: SessionRecord | null = null;
  private after: SessionRecord | null = null;
  private loaded = false;
  private readonly spanChanged = new Map<number, SessionRecord>();
  private readonly landingChanged = new Map<number, SessionRecord>();

  constructor(
    private readonly store: StitchStore,
    private readonly visitorId: number,
    /** The site's own domains: a referrer from them is no source (self-referrals are direct). */
    private readonly siteDomains: readonly string[],
  ) {}

  /** Finds or opens the session an event belongs to, by its time, its campaign and its person. */
  place(event: ValidEvent, personId: number): number {
    const ts = event.ts;
    if (!this.loaded || (this.after && ts >= this.after.startedAt)) this.load(ts);
    const isPageview = event.type === 'pageview';
    // Only a page view can bring a new campaign (other events repeat the URL of a page already
    // seen), so only a page view is attributed before it is known to open a session.
    const pageviewLanding = isPageview ? landingOf(event, this.siteDomains) : null;
    const eventCampaign = pageviewLanding?.campaignKey ?? null;
    const { before, after } = this;
    // A late page view that brings a new campaign into a stored visit takes that visit's events from
    // its time on, up to where a stored page view brought the visit's own campaign back (a back
    // button, another tab): in order, that page view opened a visit of its own, which it opens now.
    const interrupted = before && interruptsWith(before, personId, ts, eventCampaign) ? before : null;
    const campaignReturn = interrupted ? this.findCampaignReturn(interrupted, ts, eventCampaign) : null;
    // The browser switched to another person mid-visit: the visit goes on, under the new person.
    const continued = before && before.personId !== personId && coversTime(before, ts) && !isNewCampaign(before, eventCampaign);

    if (before && before.personId === personId && coversTime(before, ts) && !isNewCampaign(before, eventCampaign)) {
      before.endedAt = Math.max(before.endedAt, ts);
      this.spanChanged.set(before.id, before);
      this.joinNextIfOneVisit(before);
      return before.id;
    }
    // A late or re-sent event from just before a session that is already stored (the landing page
    // view of a retried batch, say) joins it and opens it — unless the event goes on a visit that is
    // still under way (another person's, or one whose campaign comes back before that session),
    // which it continues, or which ends its own visit first.
    if (after && after.personId === personId && after.startedAt - ts <= SESSION_IDLE_MS && after.endedAt - ts < SESSION_MAX_MS && canLeadInto(after, eventCampaign) && !continued && !campaignReturn) {
      after.startedAt = ts;
      this.spanChanged.set(after.id, after);
      // Its first event now, it is what opened it: its landing too, as in order.
      Object.assign(after, pageviewLanding ?? landingOf(event, this.siteDomains));
      this.landingChanged.set(after.id, after);
      if (interrupted) this.takeLaterEvents(interrupted, after, ts);
      this.save();
      this.before = after;
      this.after = this.store.findSessionAfter(this.visitorId, ts);
      this.joinNextIfOneVisit(after);
      return after.id;
    }
    const opening: Landing = continued ? before : (pageviewLanding ?? landingOf(event, this.siteDomains));
    const id = this.store.createSession(this.visitorId, personId, ts, opening);
    const opened: SessionRecord = { id, personId, startedAt: ts, endedAt: ts, touch: opening.touch, campaignKey: opening.campaignKey, referrer: opening.referrer, landingPage: opening.landingPage };
    this.before = opened;
    if (interrupted) {
      const returned = campaignReturn && this.openReturnedVisit(interrupted, campaignReturn);
      this.takeLaterEvents(interrupted, opened, ts);
      if (returned) {
        // The returned visit ends later than `interrupted` did, so it may now reach the next stored
        // session (one that the 24-hour limit split off, say).
        this.joinNextIfOneVisit(returned);
        this.after = returned;
      }
    }
    this.joinNextIfOneVisit(opened);
    return id;
  }

  /**
   * The first stored page view of `session` from `ts` on with a campaign other than `campaign`: in a
   * visit of `campaign` from `ts`, it opens a visit of its own. There is at most one to find: a
   * session's page views carry its own campaign or none, any other having opened a session.
   */
  private findCampaignReturn(session: SessionRecord, ts: number, campaign: string | null): CampaignReturn | null {
    for (const pageview of this.store.findPageviewsFrom(this.visitorId, session.id, ts)) {
      const key = campaignKey(pageview.url);
      if (isNewCampaign({ campaignKey: campaign }, key)) return { at: pageview.ts, landing: landingOfPage(pageview.url, pageview.referrer, this.siteDomains) };
    }
    return null;
  }

  /** Opens a session of `from`'s person at `at`, which takes `from`'s events from then on. */
  private openReturnedVisit(from: SessionRecord, { at, landing }: CampaignReturn): SessionRecord {
    const id = this.store.createSession(this.visitorId, from.personId, at, landing);
    const { lastMoved, lastLeft } = this.store.moveEventsFrom(this.visitorId, from, at, id);
    if (lastLeft !== null) {
      from.endedAt = lastLeft;
      this.spanChanged.set(from.id, from);
    }
    // The return's own page view is among the events moved.
    const returned: SessionRecord = { id, personId: from.personId, startedAt: at, endedAt: lastMoved!, ...landing };
    this.spanChanged.set(id, returned);
    return returned;
  }

  /**
   * `from`'s events from `ts` on move to `into`, a visit that a late event started at `ts` inside
   * `from` — a new campaign's, or another person's (`handOver`) — and `from` goes if nothing is
   * left of it.
   */
  private takeLaterEvents(from: SessionRecord, into: SessionRecord, ts: number): void {
    const { lastMoved, lastLeft } = this.store.moveEventsFrom(this.visitorId, from, ts, into.id);
    if (lastMoved !== null) {
      into.endedAt = Math.max(into.endedAt, lastMoved);
      this.spanChanged.set(into.id, into);
    }
    if (lastLeft !== null) {
      from.endedAt = lastLeft;
      this.spanChanged.set(from.id, from);
      return;
    }
    this.spanChanged.delete(from.id);
    this.landingChanged.delete(from.id);
    this.store.mergeSessionInto(this.visitorId, from, into.id);
  }

  /**
   * If a late event brought `session` within 30 minutes of the next stored session (`this.after`),
   * they are one visit, stored as two: the later one's events join `session`, and it goes. Then the
   * sessions of other people that continue the visit take its landing (`landContinuations`).
   */
  private joinNextIfOneVisit(session: SessionRecord): void {
    this.after = this.joinFollowing(session, this.after);
    this.landContinuations(session);
  }

  /** Joins `next`, and the sessions after it, into `session` while they continue its visit; returns the first that does not. */
  private joinFollowing(session: SessionRecord, next: SessionRecord | null): SessionRecord | null {
    // A visit that grew by the next one's span may reach the one after it too.
    for (; next && closesGapTo(session, next); next = this.store.findSessionAfter(this.visitorId, session.startedAt)) {
      session.endedAt = Math.max(session.endedAt, next.endedAt);
      this.spanChanged.set(session.id, session);
      this.spanChanged.delete(next.id);
      this.landingChanged.delete(next.id);
      this.store.mergeSessionInto(this.visitorId, next, session.id);
    }
    return next;
  }

  /**
   * A stored session of another person that starts while `session` is under way continues its
   * visit (a switch mid-visit, `place`), so it has `session`'s landing — unless its first event
   * brought a campaign of its own. A late event can make `session` the visit under way then, or
   * change its landing; the sessions that continue it follow, and those that continue them.
   */
  private landContinuations(session: SessionRecord): void {
    let visit = session;
    let next = this.after;
    while (next && next.personId !== visit.personId && coversTime(visit, next.startedAt)) {
      // What follows reads sessions from the store: it must see this batch's changes.
      this.save();
      const first = this.store.findFirstEvent(this.visitorId, next.id);
      if (!first || (first.type === 'pageview' && isNewCampaign(visit, campaignKey(first.url)))) return;
      const following = this.store.findSessionAfter(this.visitorId, next.startedAt);
      if (next.landingPage === visit.landingPage && next.campaignKey === visit.campaignKey && next.referrer === visit.referrer) {
        [visit, next] = [next, following];
        continue;
      }
      Object.assign(next, landingOfSession(visit));
      this.landingChanged.set(next.id, next);
      // A later page view of the campaign it had now brings a campaign of its own: as in order, it
      // opens a visit from there. Or, with the new campaign, it now continues into its next session.
      const campaignReturn = this.findCampaignReturn(next, next.startedAt, next.campaignKey);
      // The returned visit, if any, is then the one under way: the sessions that continue it take its landing.
      const continuing = (campaignReturn && this.openReturnedVisit(next, campaignReturn)) ?? next;
      [visit, next] = [continuing, this.joinFollowing(continuing, following)];
    }
  }

  /**
   * The browser belongs to `personId` from `at` until `until` (null: on), and what it did in that
   * time may be stored already, under the person it belonged to before (a late switch). That
   * person's sessions of that time become `personId`'s, and the visit the switch interrupted goes
   * on from `at` in a session of `personId`, as a switch mid-visit does (`place`). Returns the
   * people who had them.
   */
  handOver(personId: number, at: number, until: number | null): number[] {
    this.save();
    const previousPeople = this.store.handOverSessions(this.visitorId, personId, at, until);
    previousPeople.push(...this.continueAs(personId, at));
    return previousPeople;
  }

  /**
   * The visit under way at `at`, stored as another person's, goes on from `at` in a session of
   * `personId`, as a switch mid-visit does (`place`). Returns the person whose it was, if any.
   */
  continueAs(personId: number, at: number): number[] {
    this.save();
    const interrupted = this.store.findSessionAcross(this.visitorId, at, personId);
    if (interrupted) {
      const id = this.store.createSession(this.visitorId, personId, at, interrupted);
      this.takeLaterEvents(interrupted, { ...interrupted, id, personId, startedAt: at, endedAt: at }, at);
    }
    this.save();
    // The sessions in memory may have changed hands.
    this.loaded = false;
    return interrupted ? [interrupted.personId] : [];
  }

  /**
   * The session that started before `ts` and the next one are one visit if they are now one
   * person's, within 30 minutes, without a new campaign: the later one's events join the earlier.
   * (After late switches, at the links that end them: the link there may be to the same person.)
   */
  joinAcross(ts: number): void {
    this.save();
    const before = this.store.findSessionBefore(this.visitorId, ts - 1);
    if (!before) return;
    this.after = this.store.findSessionAfter(this.visitorId, before.startedAt);
    this.joinNextIfOneVisit(before);
    this.save();
    // The session in memory may have been joined away.
    this.loaded = false;
  }

  /** Whether the browser has events after `ts`, counting the spans this batch has widened. */
  hasEventsAfter(ts: number): boolean {
    this.save();
    return this.store.hasEventsAfter(this.visitorId, ts);
  }

  /** The sessions of a merged-away anonymous person now belong to the survivor (the store moved them). */
  personMerged(from: number, to: number): void {
    for (const session of [this.before, this.after, ...this.spanChanged.values(), ...this.landingChanged.values()]) {
      if (session?.personId === from) session.personId = to;
    }
  }

  /** Writes the changed sessions; the store's answers are then current again. */
  save(): void {
    for (const session of this.spanChanged.values()) this.store.saveSessionSpan(session);
    for (const session of this.landingChanged.values()) this.store.saveSessionLanding(session);
    this.spanChanged.clear();
    this.landingChanged.clear();
  }

  private load(ts: number): void {
    this.save();
    this.before = this.store.findSessionBefore(this.visitorId, ts);
    this.after = this.store.findSessionAfter(this.visitorId, ts);
    this.loaded = true;
  }

}

/** A session's landing alone. */
function landingOfSession({ touch, campaignKey, referrer, landingPage }: Landing): Landing {
  return { touch, campaignKey, referrer, landingPage };
}

/** What an event would give a session it opens. */
function landingOf(event: ValidEvent, siteDomains: readonly string[]): Landing {
  if (event.type === 'pageview') return landingOfPage(event.url, event.referrer, siteDomains);
  return { touch: attributeTouch({ url: event.url, referrer: null, siteDomains }), campaignKey: null, referrer: null, landingPage: event.url };
}

/** What a page view of `url`, come from `referrer`, would give a session it opens. */
function landingOfPage(url: string, referrer: string | null | undefined, siteDomains: readonly string[]): Landing {
  return { touch: attributeTouch({ url, referrer, siteDomains }), campaignKey: campaignKey(url), referrer: referrer || null, landingPage: url };
}

function coversTime(session: SessionRecord, at: number): boolean {
  return at - session.endedAt <= SESSION_IDLE_MS && at - session.startedAt < SESSION_MAX_MS;
}

/** Whether `after` continues the visit `before` has become: same person, within 30 minutes and 24 hours, no new campaign. */
function closesGapTo(before: SessionRecord, after: SessionRecord): boolean {
  return after.personId === before.personId && coversTime(before, after.startedAt) && after.endedAt - before.startedAt < SESSION_MAX_MS && !isNewCampaign(before, after.campaignKey);
}

/** Whether a page view of `personId` at `ts` with this campaign interrupts `session`: theirs, with events after `ts`, of another campaign. */
function interruptsWith(session: SessionRecord, personId: number, ts: number, eventCampaign: string | null): boolean {
  return session.personId === personId && session.endedAt > ts && isNewCampaign(session, eventCampaign);
}

/** A page view with campaign parameters other than the session's starts a new session. */
function isNewCampaign(session: Pick<SessionRecord, 'campaignKey'>, eventCampaign: string | null): boolean {
  return eventCampaign !== null && eventCampaign !== session.campaignKey;
}

/**
 * Whether an event earlier than a session can open it. Only that campaign's own landing page view
 * can precede a session that a campaign opened: the campaign's arrival is what started it, and in
 * order anything before it belonged to the visit before.
 */
function canLeadInto(session: SessionRecord, eventCampaign: string | null): boolean {
  return session.campaignKey === null || session.campaignKey === eventCampaign;
}
