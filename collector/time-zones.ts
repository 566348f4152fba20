/**
 * Sites report in their own time zone (an IANA name, like GA4's property time zone): a day of the
 * overview is a calendar day there, 23 or 25 hours long when the clocks change. Days are kept as
 * day numbers — the local date's days since 1970-01-01 — so ranges are integer comparisons and a
 * day number maps back to its `YYYY-MM-DD` with `utcDate(day * DAY_MS)`.
 */
import { DAY_MS, utcDate, utcDayStart } from './routes/format.js';

/** The day number of a calendar date `YYYY-MM-DD` (one the caller has checked). */
export function dayNumber(date: string): number {
  return utcDayStart(date) / DAY_MS;
}

/** The calendar date `YYYY-MM-DD` of a day number. */
export function dayDate(day: number): string {
  return utcDate(day * DAY_MS);
}

/**
 * An IANA zone name Intl knows (`Europe/Berlin`, `UTC`); offsets such as `+05:30` are not zones.
 * Names are kept as given: Node's ICU would turn `Asia/Kolkata` into the legacy `Asia/Calcutta`.
 */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The zone of the machine this runs on: the CLI's default for a new site. */
export function systemTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Every offset in use today is a multiple of 15 minutes and zones change it on the quarter hour,
 * so within one such slice of UTC the local date cannot change: one Intl call per slice instead
 * of one per event (Intl formatting costs microseconds; folding a million events calls this a
 * million times).
 */
const SLICE_MS = 15 * 60_000;
/** About three years of slices per zone; a busier cache just starts over. */
const CACHED_SLICES = 100_000;

export interface DayCalendar {
  timeZone: string;
  /** The day number of the local calendar date at `milliseconds`. */
  dayOf(milliseconds: number): number;
}

export function createDayCalendar(timeZone: string): DayCalendar {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
  const exactDay = (milliseconds: number): number => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(milliseconds)) parts[part.type] = Number(part.value);
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!) / DAY_MS;
  };
  const slices = new Map<number, number>();
  return {
    timeZone,
    dayOf(milliseconds) {
      const slice = Math.floor(milliseconds / SLICE_MS);
      let day = slices.get(slice);
      if (day === undefined) {
        const first = exactDay(slice * SLICE_MS);
        // A zone with an odd historical offset may cross midnight inside a slice: no shortcut then.
        if (first !== exactDay(slice * SLICE_MS + SLICE_MS - 1)) return exactDay(milliseconds);
        if (slices.size >= CACHED_SLICES) slices.clear();
        slices.set(slice, first);
        day = first;
      }
      return day;
    },
  };
}
