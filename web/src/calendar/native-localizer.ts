/**
 * A react-big-calendar localizer on plain Dates and Intl. The calendar only ever holds wall-clock dates
 * (see calendar-events.ts), so it needs no zone arithmetic: react-big-calendar's own Date arithmetic
 * (its defaults) is enough, and labels come from Intl.DateTimeFormat in the UI language.
 *
 * It replaces luxonLocalizer, which turns every comparison into luxon DateTime objects: a month with
 * 1,000 posts spent most of its render time inside luxon (bench/web, `--profile`).
 */
import { DateLocalizer, type Culture, type DateLocalizerSpec, type DateRange, type Formats } from 'react-big-calendar';

/** Label styles the calendar uses (names of our own; values are Intl options). */
const styles = {
  dayOfMonth: { day: '2-digit' },
  weekdayAndDay: { weekday: 'short', day: '2-digit' },
  weekday: { weekday: 'short' },
  time: { hour: 'numeric', minute: '2-digit' },
  monthAndYear: { month: 'long', year: 'numeric' },
  longDay: { weekday: 'long', month: 'short', day: 'numeric' },
  agendaDay: { weekday: 'short', month: 'short', day: 'numeric' },
  shortDate: { dateStyle: 'short' },
  monthAndDay: { month: 'long', day: 'numeric' },
  day: { day: 'numeric' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;
type Style = keyof typeof styles;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formats a wall-clock date in the browser's zone (whose fields are the workspace's wall clock). */
export function formatWallClock(value: Date, style: Style, culture: string | undefined): string {
  const key = `${culture ?? ''}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(culture || undefined, styles[style]);
    formatters.set(key, f);
  }
  return f.format(value);
}

const sameMonth = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth();

const dash = ' – ';

/** The formats react-big-calendar asks for, as our style names or functions of them. */
export const nativeFormats: Formats = {
  dateFormat: 'dayOfMonth',
  dayFormat: 'weekdayAndDay',
  weekdayFormat: 'weekday',
  timeGutterFormat: 'time',
  monthHeaderFormat: 'monthAndYear',
  dayHeaderFormat: 'longDay',
  agendaDateFormat: 'agendaDay',
  agendaTimeFormat: 'time',
  selectRangeFormat: ({ start, end }: DateRange, culture?: Culture) => `${formatWallClock(start, 'time', culture)}${dash}${formatWallClock(end, 'time', culture)}`,
  eventTimeRangeFormat: ({ start, end }: DateRange, culture?: Culture) => `${formatWallClock(start, 'time', culture)}${dash}${formatWallClock(end, 'time', culture)}`,
  eventTimeRangeStartFormat: ({ start }: DateRange, culture?: Culture) => `${formatWallClock(start, 'time', culture)}${dash}`,
  eventTimeRangeEndFormat: ({ end }: DateRange, culture?: Culture) => `${dash}${formatWallClock(end, 'time', culture)}`,
  agendaTimeRangeFormat: ({ start, end }: DateRange, culture?: Culture) => `${formatWallClock(start, 'time', culture)}${dash}${formatWallClock(end, 'time', culture)}`,
  dayRangeHeaderFormat: ({ start, end }: DateRange, culture?: Culture) =>
    `${formatWallClock(start, 'monthAndDay', culture)}${dash}${formatWallClock(end, sameMonth(start, end) ? 'day' : 'monthAndDay', culture)}`,
  agendaHeaderFormat: ({ start, end }: DateRange, culture?: Culture) => `${formatWallClock(start, 'shortDate', culture)}${dash}${formatWallClock(end, 'shortDate', culture)}`,
};

// The month view sorts and range-checks every event once per week row, each time asking for the start
// of the event's day; react-big-calendar's default builds several Dates for that. Event dates are
// stable objects (the mapping is memoised), so each day start is computed once.
const dayStarts = new WeakMap<Date, number>();

/** Local midnight of a date, as a timestamp. */
export function dayStart(d: Date): number {
  let v = dayStarts.get(d);
  if (v === undefined) {
    v = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    dayStarts.set(d, v);
  }
  return v;
}

const minuteOf = (d: Date) => Math.floor(d.getTime() / 60_000);

interface Span {
  start: Date;
  end: Date;
  allDay?: boolean;
}

/**
 * Same order as react-big-calendar's `sortEvents`: by start day, longer spans first, all-day first,
 * then by start and end (its span compares days of the month; so does this).
 */
export function sortEvents({ evtA: a, evtB: b }: { evtA: Span; evtB: Span }): number {
  const startSort = dayStart(a.start) - dayStart(b.start);
  const durA = Math.abs(a.start.getDate() - a.end.getDate());
  const durB = Math.abs(b.start.getDate() - b.end.getDate());
  return startSort || durB - durA || Number(!!b.allDay) - Number(!!a.allDay) || +a.start - +b.start || +a.end - +b.end;
}

/** Same answer as react-big-calendar's `inEventRange`: the event touches [range.start, range.end] (days, minutes). */
export function inEventRange({ event, range }: { event: Span; range: { start: Date; end: Date } }): boolean {
  const eStart = dayStart(event.start);
  const startsBeforeEnd = eStart <= dayStart(range.end);
  const endsAfterStart = eStart !== minuteOf(event.end) * 60_000 ? minuteOf(event.end) > minuteOf(range.start) : minuteOf(event.end) >= minuteOf(range.start);
  return startsBeforeEnd && endsAfterStart;
}

/** A localizer whose weeks start on `firstDayOfWeek` (0 = Sunday, 1 = Monday). */
export function nativeLocalizer(firstDayOfWeek = 1): DateLocalizer {
  return new DateLocalizer({
    formats: nativeFormats,
    // The type declarations name these differently from what react-big-calendar calls them with.
    sortEvents: sortEvents as unknown as DateLocalizerSpec['sortEvents'],
    inEventRange: inEventRange as unknown as DateLocalizerSpec['inEventRange'],
    firstOfWeek: () => firstDayOfWeek,
    format: (value, style, culture) => {
      const date = value instanceof Date ? value : new Date(value as string | number);
      return style in styles ? formatWallClock(date, style as Style, culture) : date.toLocaleString(culture);
    },
  });
}
