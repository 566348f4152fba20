/** Builders for wire batches (SPEC §4) as the snippet or a server-side sender would send them. */
import { randomUUID } from 'node:crypto';
import type { CollectBatch, WireEvent } from '../../collector/ingest/schema.js';

export const MINUTE = 60_000;
/** Two days ago on a whole minute: room to place events minutes and hours apart, all in the past. */
export const BASE_TIME = Math.floor((Date.now() - 2 * 24 * 60 * MINUTE) / MINUTE) * MINUTE;

type EventFields<Type extends WireEvent['type']> = Omit<Extract<WireEvent, { type: Type }>, 'id' | 'type' | 'ts' | 'url'>;

export function event<Type extends WireEvent['type']>(type: Type, ts: number, url: string, fields: EventFields<Type>): WireEvent {
  return { id: randomUUID(), type, ts, url, ...fields } as WireEvent;
}

export const pageview = (ts: number, url: string, fields: EventFields<'pageview'> = {}) => event('pageview', ts, url, fields);

export const formSubmit = (ts: number, url: string, fields: Record<string, string>, extra: Partial<EventFields<'form_submit'>> = {}) =>
  event('form_submit', ts, url, { form: 'contact', provider: 'native', fields, ...extra });

export const identify = (ts: number, url: string, traits: Record<string, string>) => event('identify', ts, url, { traits });

/**
 * A batch sent now by a browser whose clock agrees with the server's (the collector then keeps the
 * events' times, give or take the milliseconds in transit). Pass `clockSkew` to model a browser
 * clock that is ahead (positive) or behind: event times and sent_at are shifted alike; and
 * `transit` for a beacon that was sent that many milliseconds before it arrives.
 */
export function batch(site: string, visitor: string, events: WireEvent[], options: { clockSkew?: number; transit?: number } = {}): CollectBatch {
  const skew = options.clockSkew ?? 0;
  return { site, visitor, sent_at: Date.now() + skew - (options.transit ?? 0), events: events.map((item) => ({ ...item, ts: item.ts + skew })) };
}
