/**
 * Pure mapping from API posts to calendar events. The calendar library works in the browser's own zone,
 * so each post's instant is shown as a "wall-clock date": a Date whose local fields equal the time in
 * the workspace's zone. A drop is sent back as a wall time plus zone (`{ date, time, timezone }`), so the
 * server resolves it (and refuses times a DST change skips) — no zone arithmetic happens here.
 */

/** Target states as the API names them. */
export type CalendarState = 'draft' | 'in_review' | 'approved' | 'scheduled' | 'publishing' | 'published' | 'failed' | 'held' | 'unconfirmed' | 'cancelled';

/**
 * The fields of a post the calendar needs: an item of GET /calendar (which carries a `title`), or a
 * full API post (whose targets carry their text).
 */
export interface CalendarPost {
  id: string;
  authorId: string;
  scheduledAt: string | null;
  title?: string;
  targets: Array<{ accountId: string; network: string; state: string; text?: string }>;
}

/** One calendar event. */
export interface CalendarEvent {
  id: string;
  title: string;
  /** Wall-clock date in the workspace zone (see the module comment). */
  start: Date;
  end: Date;
  /** The post's instant as the API gave it. */
  instant: string;
  status: CalendarState;
  networks: string[];
  /** CSS classes for status and networks (colours live in styles.css, never inline). */
  className: string;
  /** Whether dragging may reschedule it (the user may schedule and nothing was sent yet). */
  editable: boolean;
  post: CalendarPost;
}

/** Filters the calendar offers. */
export interface CalendarFilter {
  accountId?: string;
  status?: string;
  authorId?: string;
}

const movable = new Set(['draft', 'in_review', 'approved', 'scheduled', 'failed', 'held']);

/** The state that colours a post: trouble first, then the least advanced live state. */
export function postStatus(post: { targets: Array<{ state: string }> }): CalendarState {
  const order: CalendarState[] = ['failed', 'held', 'unconfirmed', 'publishing', 'draft', 'in_review', 'approved', 'scheduled', 'published', 'cancelled'];
  return order.find((s) => post.targets.some((t) => t.state === s)) ?? 'draft';
}

/** True when every live (not cancelled) target can still be rescheduled and there is at least one. */
export function isReschedulable(post: CalendarPost, maySchedule: boolean): boolean {
  const live = post.targets.filter((t) => t.state !== 'cancelled');
  return maySchedule && live.length > 0 && live.every((t) => movable.has(t.state));
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (a month of 1,000 posts
// spent most of its mapping time constructing them), so one is kept per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    formatters.set(timeZone, fmt);
  }
  return fmt;
}

/** Wall-clock fields of `instant` in `timeZone`. */
export function zonedParts(instant: string | Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(timeZone).formatToParts(typeof instant === 'string' ? new Date(instant) : instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute! };
}

/** The wall-clock date (browser-local fields = time in `timeZone`) of an instant. */
export function toWallClock(instant: string | Date, timeZone: string): Date {
  const p = zonedParts(instant, timeZone);
  return new Date(p.year, p.month - 1, p.day, p.hour, p.minute);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The schedule body for a wall-clock date dropped on the calendar. */
export function toScheduleInput(wallClock: Date, timeZone: string): { date: string; time: string; timezone: string } {
  return {
    date: `${wallClock.getFullYear()}-${pad(wallClock.getMonth() + 1)}-${pad(wallClock.getDate())}`,
    time: `${pad(wallClock.getHours())}:${pad(wallClock.getMinutes())}`,
    timezone: timeZone,
  };
}

/** A CSS class fragment from a network id (ids are plain, but class names must stay safe). */
export function classToken(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/** A short title: the feed's title, or the first line of the first target's text. */
export function postTitle(post: CalendarPost, max = 60): string {
  const text = post.title ?? post.targets.find((t) => t.text?.trim())?.text?.trim().split('\n')[0] ?? '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Posts that pass the filter (empty fields match everything). */
export function filterPosts<P extends CalendarPost>(posts: P[], f: CalendarFilter): P[] {
  return posts.filter(
    (p) =>
      (!f.accountId || p.targets.some((t) => t.accountId === f.accountId)) &&
      (!f.status || p.targets.some((t) => t.state === f.status)) &&
      (!f.authorId || p.authorId === f.authorId),
  );
}

/** Maps posts with a time to calendar events in the workspace zone; posts without a time are left out. */
export function toCalendarEvents(posts: CalendarPost[], opts: { timeZone: string; maySchedule: boolean; durationMinutes?: number }): CalendarEvent[] {
  const out: CalendarEvent[] = [];
  for (const post of posts) {
    if (!post.scheduledAt) continue;
    const start = toWallClock(post.scheduledAt, opts.timeZone);
    const status = postStatus(post);
    const networks = [...new Set(post.targets.map((t) => t.network))].sort();
    out.push({
      id: post.id,
      title: postTitle(post),
      start,
      end: new Date(start.getTime() + (opts.durationMinutes ?? 30) * 60_000),
      instant: post.scheduledAt,
      status,
      networks,
      className: ['cal-event', `cal-status-${classToken(status)}`, ...networks.map((n) => `cal-network-${classToken(n)}`)].join(' '),
      editable: isReschedulable(post, opts.maySchedule),
      post,
    });
  }
  return out;
}

/** Calendar views, as the URL names them. */
export type CalendarViewName = 'month' | 'week' | 'day' | 'agenda';

/** Minutes per row of the week and day grids; finer rows let a drag move a post by single minutes. */
export const timeScales = [30, 15, 5, 1] as const;
export type TimeScale = (typeof timeScales)[number];

/** react-big-calendar's `step` (minutes per slot) and `timeslots` (slots per labelled group) for a scale. */
export function scaleSlots(scale: TimeScale): { step: number; timeslots: number } {
  return { step: scale, timeslots: scale === 30 ? 2 : scale === 15 ? 4 : scale === 5 ? 6 : 15 };
}

/**
 * How long a post's block lasts on the grid. A post is a moment; the block only has to be tall enough
 * to read and grab — and on fine grids short enough to fit the scrolled view while it is dragged
 * (react-big-calendar scrolls to keep a dragged block's bottom in view, which moves it under the pointer).
 */
export function eventMinutes(scale: TimeScale): number {
  return scale === 1 ? 5 : scale === 5 ? 15 : 30;
}

/** What the calendar keeps in its address (`?view=week&date=2026-06-01&scale=5`), so reloads and links keep the place. */
export interface CalendarPlace {
  view: CalendarViewName;
  /** Wall-clock day in the workspace zone, `YYYY-MM-DD`; absent = today. */
  date: string | null;
  scale: TimeScale;
}

const viewNames: readonly string[] = ['month', 'week', 'day', 'agenda'];

/** Reads the calendar's place from a query string; anything unknown falls back to the defaults. */
export function parseCalendarPlace(search: string): CalendarPlace {
  const q = new URLSearchParams(search);
  const view = q.get('view') ?? '';
  const date = q.get('date') ?? '';
  const scale = Number(q.get('scale'));
  const validDate = /^\d{4}-\d{2}-\d{2}$/.test(date) && !Number.isNaN(Date.parse(`${date}T00:00:00Z`));
  return {
    view: viewNames.includes(view) ? (view as CalendarViewName) : 'month',
    date: validDate ? date : null,
    scale: (timeScales as readonly number[]).includes(scale) ? (scale as TimeScale) : 30,
  };
}

/** The query string of a place; defaults are left out. */
export function calendarPlaceSearch(place: CalendarPlace): string {
  const q = new URLSearchParams();
  if (place.view !== 'month') q.set('view', place.view);
  if (place.date) q.set('date', place.date);
  if (place.scale !== 30) q.set('scale', String(place.scale));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A wall-clock date (browser-local fields) as `YYYY-MM-DD`. */
export function wallClockDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The wall-clock date (local midnight) of a `YYYY-MM-DD` day. */
export function dayToWallClock(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d!);
}
