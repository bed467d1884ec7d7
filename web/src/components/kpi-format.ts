/**
 * Formatting for the analytics dashboard with Intl only: KPI values per unit, changes against the
 * previous period, counts and durations, calendar days, and the instants a workspace's local days
 * start at. A missing value is always shown as "—", never as 0 (a 0 is a real, measured zero).
 */

/** What the dashboard shows for a value the API could not compute. */
export const missingMark = '—';

/** Units the API gives KPI values in. */
export type KpiUnit = 'percent' | 'followers' | 'percent_per_week';

/** A percentage as the API sends it (already × 100): "8.68%" / "8,68 %". */
export function formatPercent(value: number | null | undefined, locale: string, maximumFractionDigits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return missingMark;
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'percent', maximumFractionDigits }).format(value);
}

/** A count with the language's grouping ("1,250" / "1 250"); "—" when missing. */
export function formatCount(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return missingMark;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
}

/** A number as exactly as the API gives it (up to 6 decimals), for "how is this calculated". */
export function formatExact(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return missingMark;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 6 }).format(value);
}

/**
 * A KPI value in its unit. Follower growth is signed ("+250"); `percent_per_week` is returned as the
 * bare percentage for the caller to wrap in its "… per week" words.
 */
export function formatKpiValue(value: number | null | undefined, unit: KpiUnit, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return missingMark;
  if (unit === 'followers') return new Intl.NumberFormat(locale, { signDisplay: 'exceptZero', maximumFractionDigits: 0 }).format(value);
  return formatPercent(value, locale);
}

/** Direction of a change, for ▲ / ▼. */
export type ChangeDirection = 'up' | 'down' | 'flat';

/** A change against the previous period, ready to show: arrow, the percent (or absolute change when no percent exists). */
export interface ChangeView {
  direction: ChangeDirection;
  arrow: '▲' | '▼' | '=';
  /** "114.87%" or, when the previous value was 0, the absolute change in the KPI's unit. */
  amount: string;
}

/**
 * The API's `change` (absolute and percent of the previous value) as an arrow and an amount; null
 * when either period has no value (nothing to compare).
 */
export function changeView(change: { absolute: number | null; percent: number | null }, unit: KpiUnit, locale: string): ChangeView | null {
  if (change.absolute === null) return null;
  const direction: ChangeDirection = change.absolute > 0 ? 'up' : change.absolute < 0 ? 'down' : 'flat';
  const arrow = direction === 'up' ? '▲' : direction === 'down' ? '▼' : '=';
  if (change.percent !== null) return { direction, arrow, amount: formatPercent(Math.abs(change.percent), locale, 1) };
  // Previous value 0: a percentage does not exist, the absolute change does (points for percent KPIs).
  const abs = Math.abs(change.absolute);
  const amount = unit === 'followers' ? formatCount(abs, locale) : new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(abs);
  return { direction, arrow, amount };
}

/** The API's change computed the same way for two plain values (inbox figures come without one). */
export function changeBetween(value: number | null | undefined, previous: number | null | undefined): { absolute: number | null; percent: number | null } {
  if (value === null || value === undefined || previous === null || previous === undefined) return { absolute: null, percent: null };
  const absolute = value - previous;
  return { absolute, percent: previous === 0 ? null : (absolute / Math.abs(previous)) * 100 };
}

/** A duration in minutes as hours and minutes in the language's units ("1 hr, 5 min" / "1 ч 5 мин"). */
export function formatMinutes(minutes: number | null | undefined, locale: string): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return missingMark;
  const total = Math.round(minutes);
  const h = Math.floor(total / 60);
  const m = total % 60;
  const unit = (unitName: 'hour' | 'minute', n: number) => new Intl.NumberFormat(locale, { style: 'unit', unit: unitName, unitDisplay: 'short' }).format(n);
  if (h === 0) return unit('minute', m);
  return m === 0 ? unit('hour', h) : `${unit('hour', h)} ${unit('minute', m)}`;
}

/** Parses `YYYY-MM-DD` into its parts; null when it is not a real calendar day. */
function dayParts(day: string): { y: number; m: number; d: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d ? { y, m, d } : null;
}

/** A calendar day (`YYYY-MM-DD`, no zone of its own) in the language's long style: "23 March 2026" / "23 марта 2026 г.". */
export function formatDay(day: string, locale: string): string {
  const p = dayParts(day);
  if (!p) return day;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(p.y, p.m - 1, p.d)));
}

/** `day` plus `n` calendar days. */
export function addDays(day: string, n: number): string {
  const p = dayParts(day);
  if (!p) return day;
  return new Date(Date.UTC(p.y, p.m - 1, p.d + n)).toISOString().slice(0, 10);
}

/** The calendar day an instant falls on in `zone`. */
export function dayInZone(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** How far `zone`'s wall clock is ahead of UTC at `ms`, in milliseconds. */
function zoneOffsetMs(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local calendar day starts in `zone` (its midnight, or the first moment after a
 * skipped midnight), as an ISO string: the inbox and the follower series take instants, the KPIs
 * take the workspace's days.
 */
export function zonedDayStart(day: string, zone: string): string {
  const p = dayParts(day);
  if (!p) throw new Error(`not a calendar day: ${day}`);
  const wall = Date.UTC(p.y, p.m - 1, p.d);
  // Two rounds settle the offset on either side of a DST change.
  let ms = wall - zoneOffsetMs(wall, zone);
  ms = wall - zoneOffsetMs(ms, zone);
  // A skipped midnight maps to the moment after the gap, which is still the same local day.
  if (dayInZone(ms, zone) < day) ms += 3_600_000;
  return new Date(ms).toISOString();
}
