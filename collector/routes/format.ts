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

/** `2026-11-24` (a whole UTC day) or a full ISO time; `to` of a bare date includes that day. */
function dateBound(edge: 'from' | 'to') {
  return z
    .string()
    .max(40)
    // Date.parse reads 2026-02-30 as 2 March: a bare date must be a calendar day.
    .refine((text) => !Number.isNaN(/^\d{4}-\d{2}-\d{2}$/.test(text) ? utcDayStart(text) : Date.parse(text)), { message: 'not a date (use YYYY-MM-DD)' })
    .transform((text) => {
      const day = utcDayStart(text);
      if (Number.isNaN(day)) return Date.parse(text);
      return edge === 'to' ? day + DAY_MS - 1 : day;
    })
    .optional();
}

/** `?from&to` of the lists that select people *active* in a range (leads, people), as milliseconds. */
export const activeRangeSchema = z
  .object({ from: dateBound('from'), to: dateBound('to') })
  .refine(({ from, to }) => from === undefined || to === undefined || from <= to, { message: 'from is after to', path: ['from'] });
