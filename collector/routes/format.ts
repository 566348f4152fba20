/**
 * Conventions of the API (SPEC §4): times in JSON are ISO 8601 UTC strings; date parameters are
 * whole days, `YYYY-MM-DD` — UTC days, except the overview's, which are the site's (time-zones.ts).
 */
import { z } from 'zod';

export const DAY_MS = 24 * 60 * 60_000;

export function isoTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}

export function isoTimeOrNull(milliseconds: number | null | undefined): string | null {
  return milliseconds === null || milliseconds === undefined ? null : isoTime(milliseconds);
}

/** The UTC day of a time, `YYYY-MM-DD`. */
export function utcDate(milliseconds: number): string {
  return isoTime(milliseconds).slice(0, 10);
}

/** The first millisecond of the UTC day `YYYY-MM-DD`; NaN when the text names no such day (2026-02-30). */
export function utcDayStart(date: string): number {
  const start = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  return !Number.isNaN(start) && utcDate(start) === date ? start : Number.NaN;
}

/** A query parameter naming a calendar day. */
export const calendarDay = z.string().refine((text) => !Number.isNaN(utcDayStart(text)), { message: 'not a calendar day (use YYYY-MM-DD)' });
