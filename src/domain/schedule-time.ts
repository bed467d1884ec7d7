/**
 * Turning what a person typed ("2026-03-29 at 09:00, Europe/Stockholm") into the UTC instant the
 * engine publishes at, with Intl only (the platform's tz database; no extra library).
 *
 * Daylight saving rules:
 * - A wall time that does not exist (the spring-forward gap) is refused with a message naming the gap.
 * - A wall time that exists twice (the fall-back overlap) resolves to the EARLIER instant — the first
 *   time the clock shows it — unless the caller passes `fold: 'later'`.
 * Times more than one minute in the past are refused (the grace covers slow forms and clock skew).
 */
import { ValidationError } from './errors';

/** Wall-clock input: a date and time in an IANA zone. */
export interface WallTimeInput {
  date: string;
  time: string;
  timezone: string;
  /** Which instant an ambiguous (fall-back) time means; default 'earlier'. */
  fold?: 'earlier' | 'later';
}

/** Instant input: an ISO-8601 timestamp with an explicit offset; `timezone` is kept for display. */
export interface InstantInput {
  at: string;
  timezone?: string;
}

export type ScheduleInput = WallTimeInput | InstantInput;

/** What gets stored: UTC instant, the wall time as typed and its zone. */
export interface ResolvedSchedule {
  scheduledAt: string;
  /** `YYYY-MM-DDTHH:mm` in `timezone`. */
  scheduledLocal: string;
  timezone: string;
  /** True when the wall time existed twice and `fold` decided. */
  ambiguous: boolean;
}

/** How far in the past a schedule may lie and still be accepted (publishes at once). */
export const pastGraceMs = 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `zone` is an IANA zone this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  if (!zone || typeof zone !== 'string') return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock in `zone` at `instantMs`, as milliseconds of the same reading in UTC. */
function wallMs(instantMs: number, zone: string): number {
  const parts = formatterFor(zone).formatToParts(new Date(instantMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? '0');
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
}

/** UTC offset of `zone` at `instantMs`, in ms (positive east of Greenwich). */
export function zoneOffsetMs(instantMs: number, zone: string): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  return wallMs(whole, zone) - whole;
}

/** Formats an instant as `YYYY-MM-DDTHH:mm` wall time in `zone`. */
export function toLocalWallTime(instant: Date, zone: string): string {
  return new Date(wallMs(instant.getTime(), zone)).toISOString().slice(0, 16);
}

const hhmm = (wall: number) => new Date(wall).toISOString().slice(11, 16);

/**
 * Every instant whose wall clock in `zone` reads `wall` (0 in a gap, 2 in an overlap), ascending.
 * Offsets a day either side cover every real zone (no zone changes offset twice within two days).
 */
function instantsForWall(wall: number, zone: string): number[] {
  const offsets = new Set([zoneOffsetMs(wall - 86_400_000, zone), zoneOffsetMs(wall, zone), zoneOffsetMs(wall + 86_400_000, zone)]);
  const out = new Set<number>();
  for (const o of offsets) {
    const candidate = wall - o;
    if (wallMs(candidate, zone) === wall) out.add(candidate);
  }
  return [...out].sort((a, b) => a - b);
}

/** Describes the spring-forward gap around `wall` as "HH:mm to HH:mm". */
function describeGap(wall: number, zone: string): { from: string; to: string } {
  const before = zoneOffsetMs(wall - 86_400_000, zone);
  const after = zoneOffsetMs(wall + 86_400_000, zone);
  // The transition instant lies between the two readings; find it to the minute.
  let lo = wall - after - 86_400_000;
  let hi = wall - before + 86_400_000;
  while (hi - lo > 60_000) {
    const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
    if (zoneOffsetMs(mid, zone) === before) lo = mid;
    else hi = mid;
  }
  return { from: hhmm(hi + before), to: hhmm(hi + after) };
}

function parseWall(date: string, time: string): number {
  const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  const tm = /^(\d{2}):(\d{2})$/.exec(time ?? '');
  const problems: Array<{ path: string; message: string }> = [];
  if (!dm) problems.push({ path: 'date', message: `date must look like 2026-03-29, got "${date}"` });
  if (!tm) problems.push({ path: 'time', message: `time must look like 09:30 (24-hour), got "${time}"` });
  if (!dm || !tm) throw new ValidationError('The schedule date or time is not readable', problems);
  const [y, mo, d] = [Number(dm[1]), Number(dm[2]), Number(dm[3])];
  const [h, mi] = [Number(tm[1]), Number(tm[2])];
  if (h > 23 || mi > 59) {
    throw new ValidationError(`${time} is not a time of day`, [{ path: 'time', message: `${time} is not a time of day` }]);
  }
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new ValidationError(`${date} is not a calendar date`, [{ path: 'date', message: `${date} is not a calendar date` }]);
  }
  return wall;
}

function assertZone(zone: string): void {
  if (!isValidTimeZone(zone)) {
    throw new ValidationError(`"${zone}" is not a known time zone; use an IANA name such as Europe/Stockholm`, [
      { path: 'timezone', code: 'invalid_timezone', message: `"${zone}" is not a known IANA time zone` },
    ]);
  }
}

/**
 * Resolves a wall time in a zone (or an ISO instant with offset) to the stored schedule. Throws
 * `ValidationError` for unknown zones, non-existent wall times, instants without an offset and times
 * more than `pastGraceMs` before `now`.
 */
export function resolveSchedule(input: ScheduleInput, opts: { now: Date; defaultTimezone?: string }): ResolvedSchedule {
  let resolved: ResolvedSchedule;
  if ('at' in input) {
    const zone = input.timezone ?? opts.defaultTimezone ?? 'UTC';
    assertZone(zone);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(input.at ?? '')) {
      throw new ValidationError('The schedule instant needs a date, a time and an offset, e.g. 2026-03-29T09:00:00+02:00', [
        { path: 'at', code: 'invalid_instant', message: `"${input.at}" is not an ISO-8601 instant with an offset` },
      ]);
    }
    const ms = Date.parse(input.at);
    if (Number.isNaN(ms)) {
      throw new ValidationError(`"${input.at}" is not a valid instant`, [{ path: 'at', message: `"${input.at}" is not a valid instant` }]);
    }
    const instant = new Date(ms);
    resolved = { scheduledAt: instant.toISOString(), scheduledLocal: toLocalWallTime(instant, zone), timezone: zone, ambiguous: false };
  } else {
    assertZone(input.timezone);
    const wall = parseWall(input.date, input.time);
    const candidates = instantsForWall(wall, input.timezone);
    if (candidates.length === 0) {
      const gap = describeGap(wall, input.timezone);
      throw new ValidationError(
        `${input.date} ${input.time} does not exist in ${input.timezone}: the clocks jump from ${gap.from} to ${gap.to} that day (daylight saving time starts). Pick a time before ${gap.from} or from ${gap.to} on.`,
        [{ path: 'time', code: 'nonexistent_local_time', message: `${input.time} falls in the daylight-saving gap ${gap.from}–${gap.to}` }],
      );
    }
    const chosen = input.fold === 'later' ? candidates[candidates.length - 1]! : candidates[0]!;
    resolved = {
      scheduledAt: new Date(chosen).toISOString(),
      scheduledLocal: `${input.date}T${input.time}`,
      timezone: input.timezone,
      ambiguous: candidates.length > 1,
    };
  }
  if (Date.parse(resolved.scheduledAt) < opts.now.getTime() - pastGraceMs) {
    throw new ValidationError(`${resolved.scheduledLocal.replace('T', ' ')} (${resolved.timezone}) is in the past; choose a time from now on`, [
      { path: 'schedule', code: 'in_the_past', message: 'The scheduled time is in the past' },
    ]);
  }
  return resolved;
}
