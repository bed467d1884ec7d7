import { describe, expect, it } from 'vitest';
import {
  calendarPlaceSearch,
  dayToWallClock,
  eventMinutes,
  filterPosts,
  isReschedulable,
  parseCalendarPlace,
  postStatus,
  scaleSlots,
  toCalendarEvents,
  toScheduleInput,
  toWallClock,
  wallClockDay,
  zonedParts,
  type CalendarPost,
} from './calendar-events';

const post = (over: Partial<CalendarPost> = {}, states: string[] = ['scheduled'], networks: string[] = ['bluesky']): CalendarPost => ({
  id: 'p1',
  authorId: 'u1',
  scheduledAt: '2026-06-01T10:00:00.000Z',
  targets: states.map((state, i) => ({ accountId: `a${i}`, network: networks[i] ?? networks[0]!, state, text: 'Hello\nsecond line' })),
  ...over,
});

describe('calendar mapping', () => {
  it('shows the time in the workspace zone, not the browser zone', () => {
    expect(zonedParts('2026-06-01T10:00:00Z', 'Europe/Stockholm')).toEqual({ year: 2026, month: 6, day: 1, hour: 12, minute: 0 });
    expect(zonedParts('2026-06-01T02:30:00Z', 'America/New_York')).toEqual({ year: 2026, month: 5, day: 31, hour: 22, minute: 30 });
    const d = toWallClock('2026-06-01T10:00:00Z', 'Asia/Kolkata');
    expect([d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2026, 6, 1, 15, 30]);
  });

  it('handles DST days: Stockholm springs forward at 02:00 → 03:00 and falls back at 03:00 → 02:00', () => {
    // 2026-03-29: 00:59Z is 01:59 CET, 01:00Z is already 03:00 CEST (02:xx does not exist).
    expect(zonedParts('2026-03-29T00:59:00Z', 'Europe/Stockholm').hour).toBe(1);
    expect(zonedParts('2026-03-29T01:00:00Z', 'Europe/Stockholm')).toMatchObject({ day: 29, hour: 3, minute: 0 });
    // 2026-10-25: 00:30Z and 01:30Z are both 02:30 local (before and after the fold).
    expect(zonedParts('2026-10-25T00:30:00Z', 'Europe/Stockholm')).toMatchObject({ hour: 2, minute: 30 });
    expect(zonedParts('2026-10-25T01:30:00Z', 'Europe/Stockholm')).toMatchObject({ hour: 2, minute: 30 });
    // A drop is sent as the wall time in the zone; the server resolves (and refuses skipped) times.
    const [e] = toCalendarEvents([post({ scheduledAt: '2026-03-29T01:15:00Z' })], { timeZone: 'Europe/Stockholm', maySchedule: true });
    expect(toScheduleInput(e!.start, 'Europe/Stockholm')).toEqual({ date: '2026-03-29', time: '03:15', timezone: 'Europe/Stockholm' });
    expect(toScheduleInput(new Date(2026, 2, 29, 9, 5), 'UTC')).toEqual({ date: '2026-03-29', time: '09:05', timezone: 'UTC' });
  });

  it('colours by status and network with CSS classes; trouble wins', () => {
    const [e] = toCalendarEvents([post({}, ['scheduled', 'failed'], ['bluesky', 'mastodon'])], { timeZone: 'UTC', maySchedule: true });
    expect(e!.status).toBe('failed');
    expect(e!.className.split(' ')).toEqual(['cal-event', 'cal-status-failed', 'cal-network-bluesky', 'cal-network-mastodon']);
    expect(postStatus(post({}, ['published', 'scheduled']))).toBe('scheduled');
    expect(postStatus(post({}, ['in_review']))).toBe('in_review');
    const [odd] = toCalendarEvents([post({}, ['draft'], ['Weird Net"<x>'])], { timeZone: 'UTC', maySchedule: true });
    expect(odd!.className).toBe('cal-event cal-status-draft cal-network-weird-net--x-');
  });

  it('is editable only when the user may schedule and nothing was sent', () => {
    expect(isReschedulable(post({}, ['scheduled', 'failed']), true)).toBe(true);
    expect(isReschedulable(post({}, ['scheduled', 'cancelled']), true)).toBe(true);
    expect(isReschedulable(post({}, ['scheduled']), false)).toBe(false);
    expect(isReschedulable(post({}, ['scheduled', 'published']), true)).toBe(false);
    expect(isReschedulable(post({}, ['publishing']), true)).toBe(false);
    expect(isReschedulable(post({}, ['cancelled']), true)).toBe(false);
  });

  it('titles, filters and leaves out posts without a time', () => {
    const a = post({ id: 'a', authorId: 'u1' }, ['scheduled']);
    const b = post({ id: 'b', authorId: 'u2' }, ['draft', 'failed']);
    const c = post({ id: 'c', scheduledAt: null });
    const events = toCalendarEvents([a, b, c], { timeZone: 'UTC', maySchedule: true });
    expect(events.map((e) => e.id)).toEqual(['a', 'b']);
    expect(events[0]!.title).toBe('Hello');
    expect(events[0]!.end.getTime() - events[0]!.start.getTime()).toBe(30 * 60_000);
    expect(filterPosts([a, b], { authorId: 'u2' }).map((p) => p.id)).toEqual(['b']);
    expect(filterPosts([a, b], { status: 'failed' }).map((p) => p.id)).toEqual(['b']);
    expect(filterPosts([a, b], { accountId: 'a1' }).map((p) => p.id)).toEqual(['b']);
    expect(filterPosts([a, b], {}).map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('keeps one formatter per zone: alternating zones still give each zone its own wall clock', () => {
    const posts = Array.from({ length: 50 }, (_, i) => post({ id: `p${i}`, scheduledAt: new Date(Date.UTC(2026, 5, 1, i % 24, i)).toISOString() }));
    for (const zone of ['UTC', 'Asia/Kolkata', 'UTC', 'America/New_York']) {
      const events = toCalendarEvents(posts, { timeZone: zone, maySchedule: true });
      for (const [i, e] of events.entries()) {
        const p = zonedParts(posts[i]!.scheduledAt!, zone);
        expect([e.start.getHours(), e.start.getMinutes()]).toEqual([p.hour, p.minute]);
      }
    }
    expect(zonedParts('2026-06-01T00:10:00Z', 'Asia/Kolkata')).toMatchObject({ hour: 5, minute: 40 });
    expect(zonedParts('2026-06-01T00:10:00Z', 'UTC')).toMatchObject({ hour: 0, minute: 10 });
  });

  it('reads and writes the place in the address; unknown values fall back to month, today, 30 minutes', () => {
    expect(parseCalendarPlace('?view=day&date=2026-06-01&scale=1')).toEqual({ view: 'day', date: '2026-06-01', scale: 1 });
    expect(parseCalendarPlace('')).toEqual({ view: 'month', date: null, scale: 30 });
    expect(parseCalendarPlace('?view=year&date=2026-13-99&scale=7')).toEqual({ view: 'month', date: null, scale: 30 });
    expect(parseCalendarPlace('?date=June')).toEqual({ view: 'month', date: null, scale: 30 });
    expect(calendarPlaceSearch({ view: 'month', date: null, scale: 30 })).toBe('');
    expect(calendarPlaceSearch({ view: 'week', date: '2026-06-01', scale: 5 })).toBe('?view=week&date=2026-06-01&scale=5');
    const place = { view: 'agenda' as const, date: '2026-12-31', scale: 15 as const };
    expect(parseCalendarPlace(calendarPlaceSearch(place))).toEqual(place);
    expect(wallClockDay(dayToWallClock('2026-03-29'))).toBe('2026-03-29');
    expect(dayToWallClock('2026-03-29').getHours()).toBe(0);
  });

  it('maps each time scale to slots whose groups are whole labelled blocks', () => {
    expect(scaleSlots(30)).toEqual({ step: 30, timeslots: 2 });
    expect(scaleSlots(15)).toEqual({ step: 15, timeslots: 4 });
    expect(scaleSlots(5)).toEqual({ step: 5, timeslots: 6 });
    expect(scaleSlots(1)).toEqual({ step: 1, timeslots: 15 });
    for (const s of [30, 15, 5, 1] as const) expect(60 % (scaleSlots(s).step * scaleSlots(s).timeslots)).toBe(0);
    // Blocks stay a few rows tall on every grid: 5 rows at 1 minute, 3 at 5, one or two at 15 and 30.
    expect([30, 15, 5, 1].map((s) => eventMinutes(s as 30 | 15 | 5 | 1))).toEqual([30, 30, 15, 5]);
    const [e] = toCalendarEvents([post()], { timeZone: 'UTC', maySchedule: true, durationMinutes: eventMinutes(1) });
    expect(e!.end.getTime() - e!.start.getTime()).toBe(5 * 60_000);
  });
});
