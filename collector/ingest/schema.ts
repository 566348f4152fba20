/**
 * THE definition of the wire format of `POST /collect` (SPEC §4). The snippet imports only the
 * types below (`import type`), so zod never ships to browsers; server-side senders can rely on the
 * same shapes. Unknown extra fields are stripped, not rejected, so older collectors accept newer
 * snippets. Every string is bounded so one batch cannot blow up the database.
 */
import { z } from 'zod';

/** Client clocks are milliseconds since the epoch; anything outside 2000..2100 is a broken clock. */
const epochMilliseconds = z.number().finite().min(946_684_800_000).max(4_102_444_800_000);
const url = z.string().max(2048);
const shortText = z.string().max(256);
/** A form field value: long enough for an inquiry message, short enough to bound a batch. */
const fieldValue = z.string().max(5000);
const fieldName = z.string().min(1).max(64);
/** Traits and form fields are flat string maps; 50 keys is more than any contact form has. */
const MAX_FIELDS = 50;
const flatStrings = z
  .record(fieldName, fieldValue)
  .refine((record) => Object.keys(record).length <= MAX_FIELDS, { message: `at most ${MAX_FIELDS} fields` })
  // A refinement is code, which JSON Schema cannot carry: the same limit in its words, for the
  // compiled check of batch-validator.ts.
  .meta({ maxProperties: MAX_FIELDS });
const propValue = z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()]);

export const CHAT_PROVIDERS = [
  'whatsapp', 'wechat', 'telegram', 'skype', 'line', 'viber', 'messenger', 'tawk', 'crisp', 'tidio',
  'livechat', 'intercom', 'zendesk', 'zoho', 'jivo', 'tel', 'email',
] as const;

const FORM_OUTCOMES = ['success', 'invalid', 'unknown'] as const;

const eventBase = {
  /** Unique per event (the snippet uses a random id); makes re-sent batches idempotent. */
  id: z.string().min(1).max(64),
  ts: epochMilliseconds,
  url,
};

const pageviewEvent = z.object({
  ...eventBase,
  type: z.literal('pageview'),
  referrer: url.optional(),
  title: z.string().max(512).optional(),
});

const engagementEvent = z.object({
  ...eventBase,
  type: z.literal('engagement'),
  /** Active seconds on the page; capped at a day. */
  seconds: z.number().finite().min(0).max(86_400),
  /** Maximum scroll depth in percent. */
  scroll: z.number().finite().min(0).max(100).optional(),
});

const formStartEvent = z.object({
  ...eventBase,
  type: z.literal('form_start'),
  form: shortText.optional(),
});

const formSubmitEvent = z.object({
  ...eventBase,
  type: z.literal('form_submit'),
  form: shortText.optional(),
  provider: z.string().max(32).optional(),
  /** Classified values: email, name, phone, company, country, message, subject, then other fields by name. */
  fields: flatStrings.default({}),
  outcome: z.enum(FORM_OUTCOMES).optional(),
});

const chatOpenEvent = z.object({
  ...eventBase,
  type: z.literal('chat_open'),
  provider: z.enum(CHAT_PROVIDERS),
  target: shortText.optional(),
});

const trackEvent = z.object({
  ...eventBase,
  type: z.literal('track'),
  name: z.string().min(1).max(100),
  props: z.record(fieldName, propValue).optional(),
});

const identifyEvent = z.object({
  ...eventBase,
  type: z.literal('identify'),
  traits: flatStrings,
});

export const eventSchema = z.discriminatedUnion('type', [
  pageviewEvent,
  engagementEvent,
  formStartEvent,
  formSubmitEvent,
  chatOpenEvent,
  trackEvent,
  identifyEvent,
]);

/**
 * One event's JSON may not exceed 32 K characters (UTF-16 units, JavaScript's string length): a long
 * inquiry is a few thousand; more is not a person typing. Characters, not UTF-8 bytes, so that the
 * snippet keeps within it without encoding (transport.ts), and an inquiry in Chinese is allowed as
 * many characters as one in English (three times the bytes).
 */
export const MAX_EVENT_CHARACTERS = 32 * 1024;

/**
 * The indexes of events whose JSON is over MAX_EVENT_CHARACTERS. `bodyBytes` is the whole request's
 * size: a UTF-8 body of no more bytes than the limit has no more characters either, so cannot hold
 * an event over it, which spares the common case the measuring.
 */
export function findOversizedEvents(events: readonly WireEvent[], bodyBytes: number): number[] {
  if (bodyBytes <= MAX_EVENT_CHARACTERS) return [];
  // A plain loop: this file is also type-checked under the snippet's ES2017 library (no flatMap).
  const oversized: number[] = [];
  events.forEach((event, index) => {
    if (JSON.stringify(event).length > MAX_EVENT_CHARACTERS) oversized.push(index);
  });
  return oversized;
}

/** One batch holds what a page gathered between sends; 100 events is far above a real page's count. */
export const MAX_EVENTS_PER_BATCH = 100;

export const batchSchema = z.object({
  site: z.string().min(1).max(64),
  /** The browser's visitor id: random, kept in first-party storage. */
  visitor: z.string().min(8).max(64),
  sent_at: epochMilliseconds,
  tz: z.string().max(64).optional(),
  lang: z.string().max(35).optional(),
  /** Screen size as `WxH`. */
  screen: z.string().max(20).regex(/^\d{1,5}x\d{1,5}$/).optional(),
  events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
});

/** What a sender puts on the wire (a valid one: the values of the optional fields are not filled in yet). */
export type CollectBatch = z.input<typeof batchSchema>;
export type WireEvent = z.input<typeof eventSchema>;
export type ChatProvider = (typeof CHAT_PROVIDERS)[number];
export type ValidEvent = z.output<typeof eventSchema>;
