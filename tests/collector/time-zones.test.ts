/** Calendar days in a site's reporting time zone (collector/time-zones.ts). */
import { describe, expect, it } from 'vitest';
import { createDayCalendar, dayDate, dayNumber, isTimeZone } from '../../collector/time-zones.js';

const dateIn = (timeZone: string, iso: string) => dayDate(createDayCalendar(timeZone).dayOf(Date.parse(iso)));

describe('createDayCalendar', () => {
  it('gives Berlin a 23-hour day in March and a 25-hour day in October', () => {
    expect(dateIn('Europe/Berlin', '2026-03-28T22:59:59.999Z')).toBe('2026-03-28');
    expect(dateIn('Europe/Berlin', '2026-03-28T23:00:00Z')).toBe('2026-03-29');
    expect(dateIn('Europe/Berlin', '2026-03-29T21:59:59.999Z')).toBe('2026-03-29');
    expect(dateIn('Europe/Berlin', '2026-03-29T22:00:00Z')).toBe('2026-03-30');
    expect(dateIn('Europe/Berlin', '2026-10-24T22:00:00Z')).toBe('2026-10-25');
    expect(dateIn('Europe/Berlin', '2026-10-25T22:59:59.999Z')).toBe('2026-10-25');
    expect(dateIn('Europe/Berlin', '2026-10-25T23:00:00Z')).toBe('2026-10-26');
  });

  it('turns the day at half and quarter hours of UTC where the zone does', () => {
    expect(dateIn('Asia/Kolkata', '2026-11-01T18:29:59.999Z')).toBe('2026-11-01');
    expect(dateIn('Asia/Kolkata', '2026-11-01T18:30:00Z')).toBe('2026-11-02');
    expect(dateIn('Asia/Kathmandu', '2026-11-01T18:14:59.999Z')).toBe('2026-11-01');
    expect(dateIn('Asia/Kathmandu', '2026-11-01T18:15:00Z')).toBe('2026-11-02');
  });

  it('agrees with Intl at any moment of several years, in zones with and without summer time', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (const timeZone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Apia']) {
      const calendar = createDayCalendar(timeZone);
      const intl = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
      for (let sample = 0; sample < 3000; sample++) {
        const moment = Date.parse('2010-01-01T00:00:00Z') + Math.floor(random() * 20 * 365 * 86_400_000);
        expect(dayDate(calendar.dayOf(moment)), `${timeZone} ${new Date(moment).toISOString()}`).toBe(intl.format(moment));
      }
    }
  });

  it('numbers days as dates do', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayDate(dayNumber('2024-02-29'))).toBe('2024-02-29');
  });
});

describe('isTimeZone', () => {
  it('knows IANA names and nothing else', () => {
    for (const name of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'asia/kolkata']) expect(isTimeZone(name), name).toBe(true);
    for (const name of ['', 'Mars/Olympus_Mons', '+05:30', 'Europe/Berlin ', '../etc/passwd']) expect(isTimeZone(name), name).toBe(false);
  });
});
