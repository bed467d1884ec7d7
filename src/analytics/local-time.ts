/**
 * Calendar days in a fixed IANA zone for analytics: which local day, weekday and hour an instant falls
 * in, and when a local day starts. Days are `YYYY-MM-DD`; a DST day is 23 or 25 hours long, so day
 * boundaries are always computed in the zone, never as multiples of 24 h.
 */
import { zoneOffsetMs } from '../domain/schedule-time';

const dayMs = 86_400_000;

/** Where an instant falls in `zone`. */
export interface LocalParts {
  /** `YYYY-MM-DD`. */
  day: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** 0 … 23. */
  hour: number;
}

const partsCache = new Map<string, LocalParts>();

/** The local day, weekday and hour of `instantMs` in `zone`. */
export function localParts(instantMs: number, zone: string): LocalParts {
  // The same publish times are bucketed by every definition of a request: remember them.
  const key = `${zone}|${instantMs}`;
  const hit = partsCache.get(key);
  if (hit) return hit;
  const wall = new Date(instantMs + zoneOffsetMs(instantMs, zone));
  const dow = wall.getUTCDay();
  const parts = { day: wall.toISOString().slice(0, 10), weekday: dow === 0 ? 7 : dow, hour: wall.getUTCHours() };
  if (partsCache.size > 200_000) partsCache.clear();
  partsCache.set(key, parts);
  return parts;
}

/** `YYYY-MM-DD` → UTC midnight of that date (arithmetic only). */
function dateMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The day `n` calendar days after `day` (negative goes back). */
export function addDays(day: string, n: number): string {
  return new Date(dateMs(day) + n * dayMs).toISOString().slice(0, 10);
}

/** Calendar days from `a` to `b` inclusive (0 when b is before a). */
export function daysInclusive(a: string, b: string): number {
  return Math.max(0, Math.round((dateMs(b) - dateMs(a)) / dayMs) + 1);
}

/** Every day from `a` to `b` inclusive. */
export function eachDay(a: string, b: string): string[] {
  const out: string[] = [];
  for (let d = a; d <= b; d = addDays(d, 1)) out.push(d);
  return out;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(dateMs(value)) && new Date(dateMs(value)).toISOString().slice(0, 10) === value;
}

const startCache = new Map<string, number>();

/**
 * The first instant (ms) whose local date in `zone` is `day` or later. Found by bisection to the
 * second, so zones whose midnight falls into a DST gap still get the right start.
 */
export function dayStartMs(day: string, zone: string): number {
  const key = `${zone}|${day}`;
  const cached = startCache.get(key);
  if (cached !== undefined) return cached;
  const wall = dateMs(day);
  // Offsets stay within ±14 h; search a window a little wider than that.
  let lo = wall - 15 * 3_600_000;
  let hi = wall + 15 * 3_600_000;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (localParts(mid, zone).day >= day) hi = mid;
    else lo = mid;
  }
  if (startCache.size > 50_000) startCache.clear();
  startCache.set(key, hi);
  return hi;
}

/** [start, end) of a local day as ISO instants. */
export function dayRange(day: string, zone: string): { start: string; end: string } {
  return { start: new Date(dayStartMs(day, zone)).toISOString(), end: new Date(dayStartMs(addDays(day, 1), zone)).toISOString() };
}
