/**
 * Business time for the inbox SLA: a workspace's weekly opening hours in one IANA zone, "add N
 * business minutes to an instant" (when a first response is due) and "business milliseconds between two
 * instants" (how long a response took). Local times are converted per day in the zone, so DST days get
 * their real length; a range end of 24:00 means midnight at the end of that day.
 */
import { z } from 'zod';
import { zoneOffsetMs } from '../domain/schedule-time';
import { addDays, localParts } from '../analytics/local-time';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use a 24-hour time like 09:00 (24:00 for midnight at the end of the day)');

/** One opening range on an ISO weekday (1 = Monday … 7 = Sunday). */
export const businessRangeSchema = z
  .object({ weekday: z.number().int().min(1).max(7), start: hhmm, end: hhmm })
  .strict()
  .refine((r) => r.start < r.end, { message: 'A range must end after it starts', path: ['end'] });

/** Opening hours; `zone` null means the workspace's time zone. An empty list means "always open". */
export const businessHoursSchema = z.object({ zone: z.string().min(1).nullable().default(null), ranges: z.array(businessRangeSchema).max(70) }).strict();
export type BusinessHours = z.output<typeof businessHoursSchema>;

/** Monday to Friday, 09:00–17:00, in the workspace's zone. */
export const defaultBusinessHours: BusinessHours = { zone: null, ranges: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })) };

/** A resolved calendar: ranges per weekday in minutes, and the zone. */
export interface BusinessCalendar {
  zone: string;
  /** Index 1…7; each a sorted, merged list of [startMinute, endMinute). */
  days: Array<Array<[number, number]>>;
  alwaysOpen: boolean;
}

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** Builds the calendar of `hours` in `zone` (overlapping ranges merged). */
export function businessCalendar(hours: BusinessHours, zone: string): BusinessCalendar {
  const days: Array<Array<[number, number]>> = Array.from({ length: 8 }, () => []);
  for (const r of hours.ranges) days[r.weekday]!.push([minutes(r.start), minutes(r.end)]);
  for (const d of days) {
    d.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < d.length; ) {
      if (d[i]![0] <= d[i - 1]![1]) {
        d[i - 1]![1] = Math.max(d[i - 1]![1], d[i]![1]);
        d.splice(i, 1);
      } else i++;
    }
  }
  return { zone: hours.zone ?? zone, days, alwaysOpen: hours.ranges.length === 0 };
}

/** The instant of local `day` + `minute` in `zone` (a time in a DST gap moves forward with the clock). */
function localInstant(day: string, minute: number, zone: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`) + minute * 60_000;
  const guess = wall - zoneOffsetMs(wall, zone);
  return wall - zoneOffsetMs(guess, zone);
}

/** Open intervals [start, end) in ms of one local day. */
function openIntervals(cal: BusinessCalendar, day: string, weekday: number): Array<[number, number]> {
  return cal.days[weekday]!.map(([s, e]) => [localInstant(day, s, cal.zone), localInstant(day, e, cal.zone)]);
}

/** Local days are walked at most this far (a calendar with no ranges left gives up, see below). */
const maxDays = 400;

/** The instant `minutesToAdd` business minutes after `fromMs`; null when the calendar never opens. */
export function addBusinessMinutes(cal: BusinessCalendar, fromMs: number, minutesToAdd: number): number | null {
  let left = minutesToAdd * 60_000;
  if (cal.alwaysOpen) return fromMs + left;
  if (cal.days.every((d) => d.length === 0)) return null;
  let day = localParts(fromMs, cal.zone).day;
  for (let i = 0; i < maxDays; i++, day = addDays(day, 1)) {
    const weekday = localParts(Date.parse(`${day}T12:00:00Z`), 'UTC').weekday;
    for (const [s, e] of openIntervals(cal, day, weekday)) {
      const start = Math.max(s, fromMs);
      if (start >= e) continue;
      if (start + left <= e) return start + left;
      left -= e - start;
    }
  }
  return null;
}

/** Business milliseconds between two instants (0 when `toMs` is not after `fromMs`). */
export function businessMsBetween(cal: BusinessCalendar, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  if (cal.alwaysOpen) return toMs - fromMs;
  let total = 0;
  let day = localParts(fromMs, cal.zone).day;
  const last = localParts(toMs, cal.zone).day;
  for (let i = 0; i < 40_000 && day <= last; i++, day = addDays(day, 1)) {
    const weekday = localParts(Date.parse(`${day}T12:00:00Z`), 'UTC').weekday;
    for (const [s, e] of openIntervals(cal, day, weekday)) total += Math.max(0, Math.min(e, toMs) - Math.max(s, fromMs));
  }
  return total;
}
